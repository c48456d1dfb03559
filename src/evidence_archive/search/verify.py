"""Quote check: where a pasted quote comes from, whether it is verbatim, and what differs.

A quote from an evidence pack has often been through a word processor: curly quotes for
straight, line breaks from a PDF, an ellipsis for words left out, a word or two misremembered.
`check_quote` finds candidate paragraphs in the index (any of the quote's words), aligns the
quote's words with each candidate's (a global-local alignment: the whole quote against any
stretch of the paragraph; an ellipsis may stand for any number of words), and reports the best:
its citation, whether the quote is verbatim (the same characters as printed, apart from a pair
of quote marks around the whole quote), and every difference, marked.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from evidence_archive.errors import QueryError
from evidence_archive.labels import para
from evidence_archive.search.contract import Backend

MAX_QUOTE = 5000
#: A quote is found when this share of its words are in one paragraph, in order.
FOUND_SHARE = 0.6
CANDIDATES = 25

_WORD = re.compile(r"[^\W_]+")
_ELLIPSIS = re.compile(r"\[\s*(?:\.\s*){3}\]|\[\s*…\s*\]|\.\s?\.\s?\.|…")
_QUOTE_MARKS = set("\"'‘’‚‛“”„‟«»`´′″")
#: Alignment scores: a changed word costs less than a word added plus a word missing.
_MATCH, _CHANGE, _GAP = 4, -2, -3


@dataclass(frozen=True)
class Difference:
    """One way the quote differs from the source."""

    kind: str
    """'changed', 'added', 'missing' (words), 'omitted' (words left out at an ellipsis),
    'case', 'punctuation', 'quote marks', 'spacing' (a line break or spaces)."""
    quote: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "quote": self.quote, "source": self.source}


#: Kinds that leave every word as printed and in order.
SAME_WORDS = {"omitted", "punctuation", "quote marks", "spacing"}


@dataclass(frozen=True)
class Alignment:
    """A quote against one paragraph."""

    score: int
    matched: int
    """Quote words found in the paragraph, in order."""
    words: int
    """Words in the quote."""
    differences: tuple[Difference, ...]
    marked: str
    """The quoted stretch of the source as HTML: <del> what the quote lacks, <ins> what it adds."""
    span: tuple[int, int]
    """Characters of the source the quote covers."""

    @property
    def verbatim(self) -> bool:
        return not self.differences

    @property
    def same_words(self) -> bool:
        return all(d.kind in SAME_WORDS for d in self.differences)


def _norm(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold()


def _spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(unicodedata.normalize("NFC", text))]


def prepare(quote: str) -> str:
    """The quote as checked: control characters refused, ends trimmed."""
    if quote is None or not quote.strip():
        raise QueryError(None, "empty quote: paste the words to check")
    if len(quote) > MAX_QUOTE:
        raise QueryError(None, f"quote too long ({len(quote)} characters; at most {MAX_QUOTE})")
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in quote):
        raise QueryError(None, "the quote contains control characters")
    text = unicodedata.normalize("NFC", quote.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not _WORD.search(text):
        raise QueryError(None, "the quote has no words to look for")
    return text


def align(quote: str, source: str) -> Alignment:
    """The best alignment of the whole quote with any stretch of the source."""
    source = unicodedata.normalize("NFC", source)
    qs, ps = _spans(quote), _spans(source)
    qw = [_norm(quote[a:b]) for a, b in qs]
    pw = [_norm(source[a:b]) for a, b in ps]
    # An ellipsis before quote word i lets any number of source words go unquoted there.
    free = {sum(1 for a, _ in qs if a < m.start()) for m in _ELLIPSIS.finditer(quote)}
    n, m = len(qw), len(pw)
    neg = -(10**9)
    prev = [0] * (m + 1)  # row 0: the quote may start anywhere in the source
    back: list[bytearray] = [bytearray(m + 1)]
    for i in range(1, n + 1):
        row = [neg] * (m + 1)
        ptr = bytearray(m + 1)
        row[0], ptr[0] = prev[0] + _GAP, 1
        word = qw[i - 1]
        skip = 0 if i in free else _GAP
        for j in range(1, m + 1):
            best, how = prev[j - 1] + (_MATCH if pw[j - 1] == word else _CHANGE), 0
            up = prev[j] + _GAP  # a quote word the source does not have here
            if up > best:
                best, how = up, 1
            left = row[j - 1] + skip  # a source word the quote leaves out
            if left > best:
                best, how = left, 2
            row[j], ptr[j] = best, how
        prev = row
        back.append(ptr)
    end = max(range(m + 1), key=lambda j: (prev[j], -j))
    score = prev[end]
    # Trace back: operations in order (kind, quote word index or None, source word index or None).
    ops: list[tuple[str, int | None, int | None]] = []
    i, j = n, end
    while i > 0:
        how = back[i][j] if j > 0 else 1
        if how == 0:
            ops.append(("equal" if qw[i - 1] == pw[j - 1] else "changed", i - 1, j - 1))
            i, j = i - 1, j - 1
        elif how == 1:
            ops.append(("added", i - 1, None))
            i -= 1
        else:
            ops.append(("omitted" if i in free else "missing", None, j - 1))
            j -= 1
    ops.reverse()
    return _describe(quote, source, qs, ps, ops, score, n)


def _describe(
    quote: str, source: str, qs: list[tuple[int, int]], ps: list[tuple[int, int]],
    ops: list[tuple[str, int | None, int | None]], score: int, n: int,
) -> Alignment:  # fmt: skip
    diffs: list[Difference] = []
    marked: list[str] = []
    pos = [j for _, _, j in ops if j is not None]
    if not pos:
        return Alignment(score, 0, n, (Difference("added", quote, ""),), "", (0, 0))
    start, stop = ps[pos[0]][0], ps[pos[-1]][1]
    # What comes before the first word and after the last: a quote may take less punctuation
    # than the source has there, never other punctuation; a pair of quote marks around the
    # whole quote is the quoter's, not the quote's.
    q_first = next((i for _, i, _ in ops if i is not None), None)
    q_last = next((i for _, i, _ in reversed(ops) if i is not None), None)
    lead = quote[: qs[q_first][0]] if q_first is not None else ""
    trail = quote[qs[q_last][1] :] if q_last is not None else ""
    p_lead = re.search(r"[^\w\s]*\Z", source[:start]).group()  # type: ignore[union-attr]
    p_trail = re.match(r"[^\w\s]*", source[stop:]).group()  # type: ignore[union-attr]
    lead_ok, trail_ok = p_lead.endswith(lead), p_trail.startswith(trail)
    if not (lead_ok and trail_ok) and _quote_marks(lead) and _quote_marks(trail):
        if not lead_ok:
            lead, lead_ok = "", True
        if not trail_ok:
            trail, trail_ok = "", True
    if not lead_ok:
        diffs.append(Difference(_kind(lead, p_lead), lead, p_lead))
        marked.append(_mark(p_lead, lead))
    elif lead:
        marked.append(html.escape(lead))
    matched = 0
    # Runs of one kind (each matched word on its own), with what separates them.
    groups: list[list[tuple[str, int | None, int | None]]] = []
    for op in ops:
        if groups and op[0] != "equal" and groups[-1][0][0] == op[0]:
            groups[-1].append(op)
        else:
            groups.append([op])
    last_q: int | None = None
    last_p: int | None = None
    before = ""
    for group in groups:
        kind = group[0][0]
        q_idx = [i for _, i, _ in group if i is not None]
        p_idx = [j for _, _, j in group if j is not None]
        has_p, has_q = last_p is not None and p_idx, last_q is not None and q_idx
        p_sep = source[ps[last_p][1] : ps[p_idx[0]][0]] if has_p else ""  # type: ignore[index]
        q_sep = quote[qs[last_q][1] : qs[q_idx[0]][0]] if has_q else ""  # type: ignore[index]
        if kind == "equal" and before == "equal" and p_sep != q_sep:
            diffs.append(Difference(_kind(q_sep, p_sep), q_sep, p_sep))
            marked.append(_mark(p_sep, q_sep))
        elif p_sep or (marked and kind == "added"):
            marked.append(html.escape(p_sep or " "))
        q_text = quote[qs[q_idx[0]][0] : qs[q_idx[-1]][1]] if q_idx else ""
        p_text = source[ps[p_idx[0]][0] : ps[p_idx[-1]][1]] if p_idx else ""
        if kind == "equal":
            matched += 1
            if q_text != p_text:
                diffs.append(Difference("case", q_text, p_text))
                marked.append(_mark(p_text, q_text))
            else:
                marked.append(html.escape(p_text))
        elif kind == "omitted":
            diffs.append(Difference(kind, "…", p_text))
            marked.append(f'<del class="omitted">{html.escape(p_text)}</del>')
        else:
            diffs.append(Difference(kind, q_text, p_text))
            marked.append(_mark(p_text, q_text))
        last_q = q_idx[-1] if q_idx else last_q
        last_p = p_idx[-1] if p_idx else last_p
        before = kind
    if not trail_ok:
        diffs.append(Difference(_kind(trail, p_trail), trail, p_trail))
        marked.append(_mark(p_trail, trail))
    elif trail:
        marked.append(html.escape(trail))
    return Alignment(score, matched, n, tuple(diffs), "".join(marked), (start, stop))


def _quote_marks(text: str) -> bool:
    return bool(text.strip()) and all(c in _QUOTE_MARKS or c.isspace() for c in text)


def _kind(quote: str, source: str) -> str:
    """What kind of difference two stretches of non-word characters (or words) are."""
    if _ELLIPSIS.search(quote):
        return "omitted"
    if not quote.strip() and not source.strip():
        return "spacing"
    if quote.split() == source.split():
        return "spacing"
    chars = {c for c in quote + source if not c.isspace()}
    if chars and chars <= _QUOTE_MARKS:
        return "quote marks"
    if _unquoted(quote) == _unquoted(source):
        return "quote marks"  # "' ." for "’ .": the quote mark is all that differs
    return "punctuation"


def _unquoted(text: str) -> list[str]:
    """Text with every quote mark made one, split at spaces."""
    return "".join('"' if c in _QUOTE_MARKS else c for c in text).split()


def _mark(source: str, quote: str) -> str:
    out = ""
    if source:
        out += f"<del>{html.escape(source)}</del>"
    if quote:
        out += f"<ins>{html.escape(quote)}</ins>"
    return out


def found(a: Alignment) -> bool:
    """Most of the quote's words are in the paragraph, in order."""
    return a.matched >= max(min(3, a.words), FOUND_SHARE * a.words)


# --- against the index -------------------------------------------------------------------------


def check_quote(
    searcher: Backend, quote: str, base_url: str = "", limit: int = 3
) -> dict[str, Any]:
    """Where a quote comes from: {'quote', 'found', 'verbatim', 'same_words', 'matches': [...],
    'message'}; matches best first, each with its citation, differences and marked text."""
    text = prepare(quote)
    scored = []
    for rank, r in enumerate(searcher.candidates(text, CANDIDATES)):
        a = align(text, r["verbatim"])
        if found(a):
            scored.append((a, rank, r))
    scored.sort(key=lambda t: (-t[0].matched, -t[0].score, len(t[0].differences), t[1]))
    best = scored[0][0] if scored else None
    matches: list[dict[str, Any]] = []
    for a, _, r in scored:
        if best is None or a.matched < best.matched or len(matches) >= limit:
            break
        hit = searcher.hit_fields(r, base_url)
        matches.append({
            **hit,
            "verbatim": a.verbatim,
            "same_words": a.same_words,
            "words": a.words,
            "matched_words": a.matched,
            "differences": [d.as_dict() for d in a.differences],
            "marked": a.marked,
        })  # fmt: skip
    if not matches:
        return {"quote": text, "found": False, "verbatim": False, "same_words": False,
                "matches": [], "message": "Not found: no paragraph in the archive holds most of "
                "the words of this quote in this order."}  # fmt: skip
    top = matches[0]
    if top["verbatim"]:
        message = "Verbatim: the quote is exactly as printed."
    elif top["same_words"]:
        message = ("Every word is as printed and in order; the punctuation, quote marks, spacing "
                   "or an omission differ (marked).")  # fmt: skip
    else:
        n = sum(1 for d in top["differences"] if d["kind"] in ("changed", "added", "missing"))
        message = f"Not verbatim: {n} difference{'s' if n != 1 else ''} in the words (marked)."
    return {"quote": text, "found": True, "verbatim": top["verbatim"],
            "same_words": top["same_words"], "matches": matches, "message": message}  # fmt: skip


def format_text(result: dict[str, Any]) -> str:
    """The check as text: the verdict, the source marked [-source-]{+quote+}, the citation."""
    lines = [result["message"]]
    for n, mt in enumerate(result["matches"], start=1):
        marked = re.sub(r'<del class="omitted">(.*?)</del>', r"[…\1…]", mt["marked"])
        marked = re.sub(r"<del>(.*?)</del>", r"[-\1-]", marked)
        marked = re.sub(r"<ins>(.*?)</ins>", r"{+\1+}", marked)
        lines += ["", f"{n}. {mt['title']}" + (f", {para(mt['paragraph'])}" if mt["paragraph"]
                  else f" — {mt['section']}"), f"   {html.unescape(marked)}"]  # fmt: skip
        for d in mt["differences"]:
            lines.append(f"   - {d['kind']}: quote {d['quote']!r}, source {d['source']!r}")
        lines.append(f"   {mt['citation']}")
    return "\n".join(lines) + "\n"
