"""The seed corpus is byte-identical to the seeds, and `evidence check` names every problem."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from evidence_archive.corpus.store import SCHEMA, ScanCache, scan, text_key
from evidence_archive.frameworks import FRAMEWORKS, KINDS
from evidence_archive.registry import load_registry

from .conftest import CORPUS, SEEDS, run_cli

SEED_FILES = {
    "000_d68ad88f8b617f8d.txt": "hampshire/hampshire-2007-08-14-joint-area-review",
    "001_cc2835037d4f668a.txt": "hampshire/hampshire-2014-03-12-single-inspection",
    "002_2d3c6e0bd10630ad.txt": "england/england-2007-04-narrowing-the-gap",
    "003_885a655c4c4ec8d1.txt": "hampshire/hampshire-2012-children-and-young-peoples-plan",
    "004_15de77b5f4537637.txt": "havering/havering-2007-02-06-joint-area-review",
}


@pytest.mark.parametrize("seed,stem", sorted(SEED_FILES.items()))
def test_corpus_text_is_the_seed_byte_for_byte(seed: str, stem: str) -> None:
    text = (CORPUS / f"{stem}.txt").read_bytes()
    entries, problems = scan([CORPUS])
    meta = {e.id: e.meta for e in entries}[Path(stem).name]
    assert meta["source_file"] == seed
    assert meta["sha256"] == hashlib.sha256(text).hexdigest()
    if SEEDS.is_dir():
        assert text == (SEEDS / seed).read_bytes()


def test_every_metadata_file_validates() -> None:
    entries, problems = scan([CORPUS])
    assert problems == []
    assert len(entries) >= 5
    for e in entries:
        for name, field in SCHEMA.items():
            if field.required:
                assert name in e.meta, (e.id, name)
        assert e.meta["kind"] in KINDS
        assert e.meta["framework"] in FRAMEWORKS
        assert e.meta["authority"] == "england" or load_registry().get(e.meta["authority"])
        for key in ("published", "inspection_start", "inspection_end"):
            value = e.meta.get(key)
            assert value is None or len(str(value)) in (4, 7, 10)


def test_seed_metadata_read_by_hand() -> None:
    meta = {e.id: e.meta for e in scan([CORPUS])[0]}
    jar = meta["hampshire-2007-08-14-joint-area-review"]
    assert (jar["published"], jar["reference"], jar["framework"]) == (
        "2007-08-14",
        "850",
        "jar-2007",
    )
    sif = meta["hampshire-2014-03-12-single-inspection"]
    assert (sif["inspection_start"], sif["inspection_end"]) == ("2014-02-18", "2014-03-12")
    assert sif["published"] is None
    gap = meta["england-2007-04-narrowing-the-gap"]
    assert (gap["published"], gap["reference"], gap["authority"]) == (
        "2007-04",
        "070041",
        "england",
    )
    plan = meta["hampshire-2012-children-and-young-peoples-plan"]
    assert (plan["plan_start"], plan["plan_end"], plan["kind"]) == (2012, 2015, "plan")
    hav = meta["havering-2007-02-06-joint-area-review"]
    assert (hav["published"], hav["reference"], hav["framework"]) == (
        "2007-02-06",
        "311",
        "jar-2005",
    )


def _meta_path(corpus: Path, doc: str = "hampshire-2007-08-14-joint-area-review") -> Path:
    return corpus / "hampshire" / f"{doc}.yml"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_check_passes_on_the_real_corpus() -> None:
    result = run_cli("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


BREAKAGES = [
    ("missing field", lambda c: _edit(_meta_path(c), "publisher: Ofsted\n", ""),
     "missing field 'publisher'"),
    ("malformed date", lambda c: _edit(_meta_path(c), "'2007-08-14'", "'2007-14-08'"),
     "published: '2007-14-08' is not an ISO date"),
    ("unknown authority", lambda c: _edit(_meta_path(c), "authority: hampshire", "authority: atlantis"),
     "authority: unknown authority 'atlantis'"),
    ("unknown kind", lambda c: _edit(_meta_path(c), "kind: joint-area-review", "kind: poem"),
     "kind: unknown kind 'poem'"),
    ("unknown field", lambda c: _edit(_meta_path(c), "publisher: Ofsted", "publisher: Ofsted\ncolour: red"),
     "unknown field 'colour'"),
    ("wrong type", lambda c: _edit(_meta_path(c), "reference: '850'", "reference: [850]"),
     "reference: expected text"),
    ("sha256 mismatch",
     lambda c: (c / "hampshire" / "hampshire-2007-08-14-joint-area-review.txt").open("a").write("x"),
     "sha256 does not match the text"),
    ("text without metadata", lambda c: (c / "hampshire" / "stray.txt").write_text("words"),
     "stray.txt: text file with no metadata beside it"),
    ("metadata without text", lambda c: (c / "hampshire" / "hampshire-2007-08-14-joint-area-review.txt").unlink(),
     "metadata with no text file beside it"),
    ("not UTF-8",
     lambda c: (c / "havering" / "havering-2007-02-06-joint-area-review.txt").write_bytes(b"Caf\xe9 \xa3 12"),
     "is not valid UTF-8 (byte 0xe9 at offset 3; looks like Latin-1 or Windows-1252)"),
    ("invalid YAML", lambda c: _edit(_meta_path(c), "kind: joint-area-review", "kind: [joint"),
     "invalid YAML"),
    ("duplicate id",
     lambda c: _edit(c / "havering" / "havering-2007-02-06-joint-area-review.yml",
                     "id: havering-2007-02-06-joint-area-review", "id: hampshire-2007-08-14-joint-area-review"),
     "duplicate id"),
]  # fmt: skip


@pytest.mark.parametrize("name,breakage,message", BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_check_names_the_file_and_the_problem(corpus_copy: Path, name, breakage, message) -> None:
    breakage(corpus_copy)
    result = run_cli("check", "--corpus", str(corpus_copy))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(message in line and str(corpus_copy) in line for line in lines), result.stdout
    # One line per problem, each naming a file in the corpus.
    assert all(line.startswith(str(corpus_copy)) for line in lines)


def test_check_gives_the_line_of_a_bad_value(corpus_copy: Path) -> None:
    _edit(_meta_path(corpus_copy), "'2007-08-14'", "'14/08/2007'")
    result = run_cli("check", "--corpus", str(corpus_copy))
    line_no = next(
        n
        for n, text in enumerate(_meta_path(corpus_copy).read_text().splitlines(), 1)
        if text.startswith("published:")
    )
    assert f"joint-area-review.yml:{line_no}: published:" in result.stdout


def test_check_refuses_a_link_out_of_the_corpus(corpus_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (corpus_copy / "hampshire" / "evil.txt").symlink_to(outside)
    result = run_cli("check", "--corpus", str(corpus_copy))
    assert result.returncode == 1
    assert "evil.txt: is a link to a file outside the corpus" in result.stdout


def test_the_typed_metadata_is_the_schema() -> None:
    """model.Metadata has one attribute per schema field, typed as the schema says, in its
    order; and a metadata file survives the round trip through it unchanged."""
    import dataclasses
    import typing

    from evidence_archive.corpus.store import SCHEMA, load_corpus
    from evidence_archive.model import FIELD_ORDER, REQUIRED, Metadata

    hints = typing.get_type_hints(Metadata)
    assert list(FIELD_ORDER) == list(SCHEMA)
    assert {f.name for f in dataclasses.fields(Metadata)} == set(SCHEMA)
    assert {k for k, f in SCHEMA.items() if f.required} == REQUIRED
    python = {"str": str, "date": str, "sha256": str, "year": int, "int": int,
              "strlist": tuple[str, ...]}  # fmt: skip
    for name, field in SCHEMA.items():
        want = python[field.type]
        assert hints[name] in (want, want | None), (name, hints[name])
        if field.type != "strlist":  # a list is () when not given, never None
            assert (hints[name] == want) == (name in REQUIRED and not field.nullable), name
    entries = load_corpus([CORPUS])
    assert len(entries) > 400
    for entry in entries:
        assert Metadata.from_mapping(entry.meta).as_dict() == {
            k: entry.meta[k] for k in SCHEMA if k in entry.meta
        }


def test_scan_reads_a_text_again_only_when_its_file_changed(
    corpus_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a cache, an unchanged text is not read again (its sha256 is kept by the file's
    stat); a text rewritten with the same length is read again, and its mismatch found."""
    cache = ScanCache({})
    first, problems = scan([corpus_copy], cache)
    assert not problems and first
    reads: list[Path] = []
    real = Path.read_bytes

    def counting(self: Path) -> bytes:
        if self.suffix == ".txt":
            reads.append(self)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    cache = ScanCache(cache.used)
    again, problems = scan([corpus_copy], cache)
    assert not problems and [e.id for e in again] == [e.id for e in first]
    assert reads == []
    text = corpus_copy / "hampshire" / "hampshire-2007-08-14-joint-area-review.txt"
    data = real(text)
    text.write_bytes(data[:-1] + (b"y" if data[-1:] != b"y" else b"z"))  # same length
    third = ScanCache(cache.used)
    _, problems = scan([corpus_copy], third)
    assert reads == [text]
    # What the next build keeps: the rewritten text under its new stat only.
    assert text_key(text) in third.used and len(third.used) == len(cache.used)
    assert any("sha256 does not match the text" in str(p) for p in problems)
