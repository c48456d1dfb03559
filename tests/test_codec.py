"""The index's postings codec (index/codec.py): blocks read back exactly as written, by Whoosh's
own matcher and by the engine, and an index written with it gives the same answers as one
written with Whoosh's own codec, in about a third of the bytes."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh.codec.whoosh3 import W3Codec, W3TermInfo
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.formats import Existence, Frequency

from evidence_archive.index import writer
from evidence_archive.index.analysis import CompactPositions
from evidence_archive.index.codec import CompactCodec, varints
from evidence_archive.search.searcher import Searcher


def _round_trip(fmt: Any, postings: list[tuple[int, float, bytes]]) -> tuple[Any, bytes]:
    """Write one term's postings with the codec; a matcher over them and the bytes written."""
    import io

    codec = CompactCodec(blocklimit=4)
    buf = io.BytesIO()
    out = StructFile(buf)
    w = codec.postings_writer(out)
    ti = W3TermInfo()
    w.start_postings(fmt, ti)
    for docnum, weight, value in postings:
        w.add_posting(docnum, weight, value)
    w.finish_postings()
    data = buf.getvalue()
    m = codec.postings_reader(BufferFile(memoryview(data)), ti, fmt)
    return m, data


def _read_all(m: Any, values: bool = True) -> list[tuple[int, float, Any]]:
    got = []
    while m.is_active():
        got.append((m.id(), m.weight(), m.value() if values else b""))
        m.next()
    return got


def test_positions_blocks_read_back_as_written() -> None:
    fmt = CompactPositions()
    positions = [[0], [3, 9, 400], [70000], [1, 2], [5], [2**20, 2**20 + 1], [7]]
    docs = [0, 1, 200, 201, 70000, 70001, 2**31]
    postings = [(d, float(len(p)), fmt.encode(p)) for d, p in zip(docs, positions, strict=True)]
    m, data = _round_trip(fmt, postings)
    assert _read_all(m) == postings  # across two blocks of four, Whoosh's matcher API
    m.reset()
    ids, weights, values, counts = m.read_all()  # the engine's reading: both blocks at once
    assert ids.tolist() == docs and weights.tolist() == [float(len(p)) for p in positions]
    assert counts.tolist() == [len(p) for p in positions]
    assert len(values) == 2 and b"".join(values) == b"".join(v for _, _, v in postings)
    assert not m.is_active()
    # Weights equal to the frequencies are not written: no float in the bytes.
    assert len(data) < sum(len(v) for _, _, v in postings) + 2 * 4 + 2 * 13 + 30


def test_weights_other_than_frequencies_are_kept() -> None:
    fmt = CompactPositions()
    postings = [(4, 1.0, fmt.encode([1])), (9, 2.0, fmt.encode([2, 3])), (12, 1.0, b"\x01"),
                (13, 1.0, b"\x05"),  # a block of frequencies, then one of other weights
                (20, 2.5, fmt.encode([1])), (21, 1.0, fmt.encode([2, 3])), (99, 7.0, b"\x01")]  # fmt: skip
    m, _ = _round_trip(fmt, postings)
    assert _read_all(m) == postings
    m.reset()
    ids, weights, _, counts = m.read_all()
    assert ids.tolist() == [d for d, _, _ in postings]
    assert weights.tolist() == [w for _, w, _ in postings]
    assert counts.tolist() == [1, 2, 1, 1, 1, 2, 1]


@pytest.mark.parametrize("fmt", [Existence(), Frequency()])
def test_fields_without_positions(fmt: Any) -> None:
    ones = isinstance(fmt, Existence)
    postings = [(d, 1.0 if ones else float(d % 3 + 1), b"") for d in (0, 5, 6, 300, 301, 9000)]
    m, _ = _round_trip(fmt, postings)
    assert _read_all(m, values=False) == postings
    m.reset()
    ids, weights, _, counts = m.read_all()
    assert ids.tolist() == [d for d, _, _ in postings] and len(counts) == 0
    assert weights.tolist() == [w for _, w, _ in postings]


def test_varints() -> None:
    assert varints([1, 127]) == b"\x01\x7f"
    assert varints([128, 300]) == b"\x80\x01\xac\x02"
    assert varints([]) == b""


@pytest.fixture(scope="module")
def whoosh_codec_index(search_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same corpus as search_build, its index written with Whoosh's own codec."""
    from evidence_archive.pipeline import build

    out = tmp_path_factory.mktemp("w3") / "out"
    mp = pytest.MonkeyPatch()
    mp.setattr(writer, "CODEC", W3Codec)
    try:
        build([search_build.parent / "corpus"], out, site=False, index=True, jobs=1)
    finally:
        mp.undo()
    return out / "index"


QUERIES = [
    "looked after children", '"looked after children"', "care leavers accommodation",
    "CAMHS", "social work* vacanc*", "fostering OR adoption", "adoption NOT fostering",
    '"children care"~3 health', "section:safeguarding", "authority:havering children",
    "bed and breakfast", "neet", "multi-agency", '"as well as"', "the quality of practice", "title:joint review",
    "year:2014 adoption", "grades:overall:inadequate", "private fostering arrangements",
    "missing from home", "children in need plans", "Ofsted", "leadership management",
]  # fmt: skip


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.suffix == ".seg")


def test_same_answers_as_whooshs_own_codec(search_build: Path, whoosh_codec_index: Path) -> None:
    ours, theirs = Searcher(search_build / "index"), Searcher(whoosh_codec_index)
    assert ours.engine.reader.segments()[0].codec().__class__ is CompactCodec
    assert theirs.engine.reader.segments()[0].codec().__class__ is W3Codec
    for text in QUERIES:
        for fold in (True, False):
            a = ours.search(text, limit=50, facets=True, fold=fold)
            b = theirs.search(text, limit=50, facets=True, fold=fold)
            assert a == b, text
    for text in QUERIES[:8]:
        docs_a, scores_a = ours.engine.evaluate(ours.parse(text))
        docs_b, scores_b = theirs.engine.evaluate(theirs.parse(text))
        assert docs_a.tolist() == docs_b.tolist()
        assert np.array_equal(scores_a, scores_b)
    # The postings take well under half the bytes of Whoosh's own.
    assert _size(search_build / "index") < 0.45 * _size(whoosh_codec_index)


def test_word_values_word_by_word_are_whooshs() -> None:
    """CompactPositions.word_values (terms and positions worked out word by word) gives what
    Whoosh's Positions.word_values gives through the analyzer's chain: every entry of every
    tenth document of the corpus, both text fields, and texts made to try the stop filter's
    renumbering and the tokenizer's edges."""
    from whoosh.formats import Positions

    from evidence_archive.build.parsing import parse_entry
    from evidence_archive.corpus.store import load_corpus
    from evidence_archive.index.analysis import ParagraphSchema

    schema = ParagraphSchema()
    texts = ["", "the and of", "The child's plan, the CHILD’S plan: 2019-20 (x_y) café",
             "to be or not to be " * 40, "Organizations organize; behaviors, programs"]  # fmt: skip
    root = Path(__file__).resolve().parents[1] / "corpus"
    for entry in load_corpus([root])[::10]:
        built = parse_entry(entry)
        assert not isinstance(built, Exception)
        texts += [e.text for e in writer.entries(built.doc)]
    assert len(texts) > 5_000
    for name in ("content", "exact", "section"):
        field = schema[name]
        for text in texts:
            ours = list(field.format.word_values(text, field.analyzer, mode="index"))
            theirs = list(Positions.word_values(field.format, text, field.analyzer, mode="index"))
            assert ours == theirs, (name, text[:80])


def test_field_lengths_read_once_are_whooshs(tmp_path: Path) -> None:
    """The postings writer's field lengths (codec.FieldLengths, each field read
    once) are Whoosh's per-document reader's, for every entry and field, and for a field
    without lengths (the default); an entry past the last is refused."""
    from whoosh.codec.whoosh3 import W3PerDocReader

    from evidence_archive.build.parsing import parse_entry
    from evidence_archive.corpus.store import load_corpus
    from evidence_archive.index.codec import FieldLengths
    from evidence_archive.index.whoosh_internals import segments

    root = Path(__file__).resolve().parents[1] / "corpus"
    docs = [parse_entry(e).doc for e in load_corpus([root])[:3]]  # type: ignore[union-attr]
    writer._write_segment((tmp_path / "seg", docs))
    from whoosh.filedb.filestore import FileStorage

    seg = segments(tmp_path / "seg")[0]
    storage = seg.open_compound_file(FileStorage(str(tmp_path / "seg")))
    perdoc = W3PerDocReader(storage, seg)
    ours = FieldLengths(perdoc)
    n = perdoc.doc_count_all()
    assert n > 100
    for field in ("content", "exact", "section", "block", "title"):
        for d in range(n):
            assert ours.doc_field_length(d, field) == perdoc.doc_field_length(d, field)
    assert ours.doc_field_length(0, "title", default=7) == 7  # no lengths: the default
    for d in (n, -1):
        with pytest.raises(IndexError):
            ours.doc_field_length(d, "content")


def test_terms_found_in_each_segment_as_whoosh_finds_them(
    search_build: Path, whoosh_codec_index: Path, tmp_path: Path
) -> None:
    """segment_postings (each segment's term table read directly, the key hashed once) gives,
    for every term of every field, the postings Whoosh's SegmentReader.postings gives in each
    segment, and none where a segment lacks the term: over an index of one segment per report,
    one written with Whoosh's own codec, and one with a deleted entry (read by Whoosh's own)."""
    from whoosh.index import open_dir
    from whoosh.reading import TermNotFound

    from evidence_archive.index.whoosh_internals import segment_postings
    from evidence_archive.pipeline import build

    mp = pytest.MonkeyPatch()
    mp.setattr(writer, "SEGMENT_DOCUMENTS", 1)
    try:
        build([search_build.parent / "corpus"], tmp_path / "out", site=False, jobs=1)
    finally:
        mp.undo()
    deleted = tmp_path / "deleted"
    shutil.copytree(tmp_path / "out" / "index", deleted)
    w = open_dir(str(deleted)).writer()
    w.delete_document(3)
    w.commit(merge=False)
    for folder in (tmp_path / "out" / "index", whoosh_codec_index, deleted):
        reader = open_dir(str(folder)).reader()
        leaves = list(reader.leaf_readers())
        reports = len(list(reader.lexicon("doc_id")))  # one segment each, but Whoosh's codec's
        assert len(leaves) == (1 if folder == whoosh_codec_index else reports) and reports >= 5
        assert [leaf.has_deletions() for leaf, _ in leaves].count(True) == (folder == deleted)
        terms = sorted(set(reader.all_terms())) + [("content", b"zzzz"), ("no-such-field", b"a")]
        found = 0
        for field, text in terms:
            ours = [(off, _read_all(m)) for m, off in segment_postings(leaves, field, text)]
            theirs = []
            for leaf, off in leaves:
                with contextlib.suppress(TermNotFound):
                    theirs.append((off, _read_all(leaf.postings(field, text))))
            assert ours == theirs, (folder.name, field, text)
            found += len(ours)
        # Every term of the index found; in several segments, many of them in more than one.
        assert found == len(terms) - 2 if len(leaves) == 1 else found > 2 * len(terms)
        reader.close()
