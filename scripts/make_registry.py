"""Derive the project's registry of English councils from the shared reference CSV.

Usage: python scripts/make_registry.py [../shared/reference/local-authorities.csv]

Writes src/evidence_archive/data/authorities.json: facts only (names, codes, region, type,
statistical neighbours resolved to registry slugs). Former authorities that the CSV does not
list but old reports name are read from src/evidence_archive/data/former-authorities.csv.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "evidence_archive" / "data"
DEFAULT_CSV = ROOT.parent / "shared" / "reference" / "local-authorities.csv"


def slugify(name: str) -> str:
    s = name.lower().replace("&", "and")
    s = re.sub(r"[’'.]", "", s)
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def display_name(ons_name: str) -> str:
    """'Bristol, City of' -> 'Bristol'; everything else unchanged."""
    return re.sub(r",\s*City of$", "", ons_name).strip()


def printed_forms(name: str, la_type: str, aka: list[str]) -> list[str]:
    """The names reports use for a council, most formal first."""
    forms = [name, f"{name} Council"]
    if la_type == "London Borough":
        forms += [f"London Borough of {name}", f"{name} London Borough Council"]
    if la_type == "County":
        forms += [f"{name} County Council"]
    if la_type == "Metropolitan District":
        forms += [f"{name} Metropolitan Borough Council", f"{name} City Council"]
    if la_type == "Unitary Authority":
        forms += [f"{name} Borough Council", f"{name} City Council"]
    if name.startswith("St. "):
        forms += [name.replace("St. ", "St ", 1)]
    forms += aka
    seen: list[str] = []
    for f in forms:
        if f and f not in seen:
            seen.append(f)
    return seen


def parse_aka(raw: str) -> list[str]:
    raw = raw.strip().strip("[]")
    return [a.strip() for a in raw.split(",") if a.strip()] if raw else []


def codes(raw: str) -> list[str]:
    return [c.strip() for c in raw.split(",") if c.strip()]


def main(argv: list[str]) -> int:
    src = Path(argv[1]) if len(argv) > 1 else DEFAULT_CSV
    with src.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with (DATA / "former-authorities.csv").open(encoding="utf-8", newline="") as fh:
        former = [r for r in csv.DictReader(fh) if not r["la_code"].startswith("#")]

    entries: list[dict[str, object]] = []
    for r in rows:
        name = display_name(r["local_authority_ons_name"])
        current = bool(r["la_code_new"].strip())
        aka = parse_aka(r["also_known_as"])
        if r["utla23nm"] and display_name(r["utla23nm"]) not in (name, "Cumbria"):
            aka.append(display_name(r["utla23nm"]))
        if r["local_authority_ons_name"] != name:
            aka.append(f"City of {name}")
        entries.append(
            {
                "slug": slugify(name),
                "name": name,
                "la_code": r["la_code"].strip(),
                "urn": r["urn"].strip(),
                "ons_code": r["la_code_new"].strip() or None,
                "region": r["region_name"].strip(),
                "type": r["ons_la_type"].strip() or None,
                "current": current,
                "successor": None,
                "printed_names": printed_forms(name, r["ons_la_type"].strip(), aka),
                "_neighbours": codes(r["stat_neighbours"]),
            }
        )
    for f in former:
        entries.append(
            {
                "slug": slugify(f["name"]),
                "name": f["name"],
                "la_code": f["la_code"],
                "urn": f["urn"] or None,
                "ons_code": None,
                "region": f["region"],
                "type": f["type"] or None,
                "current": False,
                "successor": None,
                "printed_names": printed_forms(f["name"], f["type"], parse_aka(f["aka"])),
                "_neighbours": [],
                "_successor_code": f["successor_la_code"],
            }
        )
    by_code = {str(e["la_code"]): e for e in entries}
    for e in entries:
        succ = e.pop("_successor_code", None)
        if succ:
            e["successor"] = by_code[str(succ)]["slug"]
        e["statistical_neighbours"] = [
            by_code[c]["slug"]
            for c in e.pop("_neighbours")  # type: ignore[union-attr]
            if c in by_code
        ]
    # Former authorities merged into a successor: point them at it.
    for e in entries:
        if not e["current"] and not e["successor"]:
            name = str(e["name"])
            for other in entries:
                if other["current"] and name in str(other["name"]).split(", ") + str(
                    other["name"]
                ).replace(" and ", ", ").split(", "):
                    e["successor"] = other["slug"]
    slugs = [e["slug"] for e in entries]
    dupes = {s for s in slugs if slugs.count(s) > 1}
    if dupes:
        print(f"duplicate slugs: {sorted(dupes)}", file=sys.stderr)  # noqa: T201
        return 1
    entries.sort(key=lambda e: str(e["slug"]))
    out = DATA / "authorities.json"
    out.write_text(json.dumps(entries, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(entries)} authorities to {out.relative_to(ROOT)}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
