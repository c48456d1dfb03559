"""A search result as text, JSON, CSV or Markdown, each hit with its citation; and a saved
search as an Atom feed."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from evidence_archive.dates import human_date
from evidence_archive.labels import para
from evidence_archive.search.contract import Result


def escape_html(text: str) -> str:
    """Text as HTML (the highlight of a hit with no marked words)."""
    return html.escape(text, quote=False)


def citation(f: dict[str, Any], base_url: str = "") -> str:
    """'Ofsted (2007) Title, para. 27. Published 14 August 2007. <url>'."""
    year = (f.get("date") or "")[:4] or "n.d."
    where = f", {para(f['paragraph'])}" if f.get("paragraph") else (
        f", section '{f['section']}'" if f.get("section") else "")  # fmt: skip
    published = f" Published {human_date(f['published'])}." if f.get("published") else ""
    return f"{f['publisher']} ({year}) {f['title']}{where}.{published} {base_url}{f['url']}"


def _terminal_safe(text: str) -> str:
    """Control characters from a report are shown, never obeyed by the terminal."""
    return "".join(
        f"\\x{ord(c):02x}" if unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\t" else c
        for c in text
    )


def format_text(result: Result) -> str:
    """A readable list, the matching words marked with [[ ]]; control characters made visible."""
    lines = [f"{result['total']} hits for {result['query']!r}"]
    if result["all_words"] < result["total"]:
        lines[0] += f" ({result['all_words']} with every word, ranked first)"
    if "understood" in result:
        u = result["understood"]
        only = [f"--authority {a}" for a in u["authority"]]
        only += [f"--region {u['region']}"] if "region" in u else []
        only += [f"--from {u['from']} --to {u['to']}"] if "from" in u else []
        lines.append(f"Paragraphs of {understood_phrase(u)} first (named in the query; "
                     f"{u['rest']!r} {' '.join(only)} searches only there)")  # fmt: skip
    if result.get("expanded"):
        also = "; ".join(f"{', '.join(e['also'][:4])}{', ...' if len(e['also']) > 4 else ''} "
                         f"(for {e['typed']!r})" for e in result["expanded"])  # fmt: skip
        lines.append(f"Also searched for: {also} (--exact searches the words alone)")
    more = result.get("more", {})
    last = {h["id"]: n for n, h in enumerate(result["hits"])}
    for n, h in enumerate(result["hits"]):
        marked = re.sub(
            r"<mark[^>]*>|</mark>",
            lambda m: "]]" if m.group(0) == "</mark>" else "[[",
            h["highlight"],
        )
        import html

        lines += ["", f"{h['rank']}. {h['title']} — {h['section']}"
                  + (f", {para(h['paragraph'])}" if h["paragraph"] else ""),
                  f"   {html.unescape(marked)}", f"   {h['citation']}"]  # fmt: skip
        if last[h["id"]] == n and more.get(h["id"]):
            folded = more[h["id"]]
            where = ", ".join(para(f["paragraph"]) if f["paragraph"] else f["section"]
                              for f in folded[:5])  # fmt: skip
            where += ", ..." if len(folded) > 5 else ""
            lines.append(f"   + {len(folded)} more from this report ({where}; --no-fold "
                         "lists them)")  # fmt: skip
    return _terminal_safe("\n".join(lines)) + "\n"


def understood_phrase(u: Mapping[str, Any]) -> str:
    """'Dudley from 2016', 'the North West from 2015 to 2017': what a query named."""
    where = " and ".join(u["named"]) or (
        f"the {u['region_name']}"
        if "region_name" in u and u["region_name"] != "London"
        else u.get("region_name")
    )
    years = ("" if "from" not in u else f" from {u['from']}" if u["from"] == u["to"]
             else f" from {u['from']} to {u['to']}")  # fmt: skip
    return ((where or "reports") + years).strip()


def format_json(result: Result) -> str:
    """The hits as a JSON list (the contract of HIT_FIELDS)."""
    return json.dumps(result["hits"], indent=1, ensure_ascii=False) + "\n"


def format_csv(result: Result) -> str:
    """Quote and citation per row, for evidence packs."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["rank", "quote", "citation", "authority", "title", "published", "paragraph", "url"])
    for h in result["hits"]:
        w.writerow([h["rank"], h["text"], h["citation"], h["authority"], h["title"],
                    h["published"] or "", h["paragraph"] or "", h["url"]])  # fmt: skip
    return buf.getvalue()


def format_md(result: Result) -> str:
    """Quotes as Markdown block quotes, each with its citation."""
    out = []
    for h in result["hits"]:
        quote = re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", h["text"])
        out += [f"> {quote}", ">", f"> — {h['citation']}", ""]
    return "\n".join(out) + ("\n" if out else "")


FORMATS = {"text": format_text, "json": format_json, "csv": format_csv, "md": format_md}


def search_feed(result: Mapping[str, Any], query_string: str, base_url: str) -> str:
    """An Atom feed of a saved search: its paragraphs, newest document first."""
    from evidence_archive.site.feeds import EPOCH, URN, new_feed, when

    hits = sorted(result["hits"], key=lambda h: (h.get("date") or "", -h["rank"]), reverse=True)
    base = base_url.rstrip("/")
    fg = new_feed(
        f"{URN}:search:{query_string}", f"Evidence search: {result['query']}",
        "Paragraphs of children's services inspection reports matching a saved search, newest "
        "document first", f"{base}/api/feed?{query_string}",
        f"{base}/search/?{query_string.replace('q=', 'terms=', 1)}",
    )  # fmt: skip
    fg.updated(max((when(h.get("date") or "") for h in hits), default=EPOCH))
    for h in hits:
        e = fg.add_entry(order="append")
        e.id(f"{URN}:paragraph:{h['id']}#{h['anchor']}")
        where = f", {para(h['paragraph'])}" if h.get("paragraph") else f": {h['section']}"
        e.title(f"{h['title']}{where}")
        e.link(href=h["url"], rel="alternate")
        e.updated(when(h.get("date") or ""))
        e.content(h["text"], type="text")
        e.summary(h["citation"])
    return str(fg.atom_str(pretty=True).decode("utf-8"))
