"""Inline markup left by the text extractors -> inline runs of verbatim text.

The extractors left three dialects in the same files: HTML tags (<b>, <i>, <sup>, <p>),
Markdown (**bold**, *italic*, [text](url), backslash escapes) and Unicode superscript
footnote marks (¹). All three become styled runs; no word is added, dropped or changed.
"""

from __future__ import annotations

import functools
import re

from evidence_archive.model import Inline

#: The mangled footnote marks '<sup>&</sup>lt;sup>2</sup>' -> '<sup>2</sup>'.
_MANGLED_SUP = re.compile(r"<sup>&</sup>lt;sup>")
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPER_TO_DIGIT = str.maketrans(_SUPERSCRIPTS, "0123456789")
_ESCAPABLE = set("*_[]()#+-.!`{}<>|")
#: HTML tags that the text extractors write (markup, not words). Any other tag in a text, such
#: as '<script>', is the report's own text and stays on the page as visible, inert text.
EXTRACTOR_TAGS = ("p", "b", "i", "strong", "em", "sup", "sub", "br", "ul", "ol", "li", "span", "u")
#: Tags that do not separate words ('A<b>ge</b>' reads 'Age'); every other tag does.
JOINING_TAGS = ("b", "i", "strong", "em", "span", "u", "a", "mark")
_ANY_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?>")


def tags_to_text(text: str, names: tuple[str, ...] | None = None) -> str:
    """Remove HTML tags as a reader sees them: joining tags vanish, the others leave a space.

    `names` limits which tags count as tags (None: any tag)."""

    def repl(m: re.Match[str]) -> str:
        name = m.group(1).lower()
        if names is not None and name not in names:
            return m.group(0)
        return "" if name in JOINING_TAGS else " "

    return _ANY_TAG.sub(repl, text)


_PATTERNS = [
    ("escape", r"\\(?P<esc>[*_\[\]()#+\-.!`{}<>|])"),
    ("sup", r"<sup>(?P<sup>[^<>]{1,6})</sup>"),
    ("strongtag", r"<(?:b|strong)>(?P<strongtag>.*?)</(?:b|strong)>"),
    ("emtag", r"<(?:i|em)>(?P<emtag>.*?)</(?:i|em)>"),
    ("br", r"<br\s*/?>"),
    ("autolink", r"<(?P<autolink>https?://[^<>\s]+)>"),
    # Only the tags the text extractors write are markup; any other '<...>' is text.
    ("tag", rf"</?(?:{'|'.join(EXTRACTOR_TAGS)})(?:\s[^<>]*)?/?>"),
    ("link", r"\[(?P<ltext>[^\[\]]+)\]\((?P<lurl>[^()\s]*)\)"),
    ("strong", r"(?<![\w*\\])\*\*(?=[^\s*])(?P<strong>.+?)(?<=[^\s*\\])\*\*(?![\w*])"),
    ("em", r"(?<![\w*\\])\*(?=[^\s*])(?P<em>.+?)(?<=[^\s*\\])\*(?![\w*])"),
    # A footnote mark follows a word: a letter or digit that is not itself raised.
    ("superscript", rf"(?<=[^\W{_SUPERSCRIPTS}])(?P<superscript>[{_SUPERSCRIPTS}]+)"),
]
_COMBINED = re.compile("|".join(f"(?P<_{name}>{pat})" for name, pat in _PATTERNS))


def _join_style(outer: str, inner: str) -> str:
    styles = {s for s in (outer, inner) if s}
    if styles >= {"strong", "em"}:
        return "strong-em"
    if "strong-em" in styles:
        return "strong-em"
    return inner or outer


def _parse(text: str, style: str, out: list[Inline]) -> None:
    pos = 0
    for m in _COMBINED.finditer(text):
        if m.start() > pos:
            out.append(Inline(text[pos : m.start()], style))
        kind = m.lastgroup.lstrip("_") if m.lastgroup else ""
        # lastgroup names the innermost group; find the outer alternative that matched.
        for name, _ in _PATTERNS:
            if m.group(f"_{name}") is not None:
                kind = name
                break
        if kind == "escape":
            out.append(Inline(m.group("esc"), style))
        elif kind == "sup":
            label = m.group("sup").strip()
            if re.fullmatch(r"[0-9*†‡§]+", label):
                out.append(Inline(label, "noteref", label))
            else:  # an ordinal or other raised text ('18<sup>th</sup>'), not a footnote mark
                out.append(Inline(label, "sup"))
        elif kind == "superscript":
            label = m.group("superscript").translate(_SUPER_TO_DIGIT)
            out.append(Inline(m.group("superscript"), "noteref", label))
        elif kind in ("strongtag", "strong"):
            _parse(m.group(kind), _join_style(style, "strong"), out)
        elif kind in ("emtag", "em"):
            _parse(m.group(kind), _join_style(style, "em"), out)
        elif kind == "br":
            out.append(Inline("\n", "br"))
        elif kind == "autolink":
            out.append(Inline(m.group("autolink"), "link", m.group("autolink")))
        elif kind == "link":
            url = m.group("lurl")
            if re.search(r"[<*\\]", m.group(0)) or (
                url not in ("", "#") and not re.match(r"https?://", url)
            ):
                # Not a link the extractor wrote (markup inside, or 'javascript:', 'data:'):
                # the brackets and target stay as text, any markup in them parsed as usual.
                out.append(Inline("[", style))
                _parse(m.group("ltext"), style, out)
                out.append(Inline("](", style))
                _parse(url, style, out)
                out.append(Inline(")", style))
            elif re.match(r"https?://", url):
                out.append(Inline(m.group("ltext"), "link", url))
            elif url in ("", "#"):  # a link to nowhere ('Read about [Camden ...](#)')
                # The brackets stood between words: whitespace keeps the words apart.
                if m.start() > 0 and not text[m.start() - 1].isspace():
                    out.append(Inline(" ", style))
                _parse(m.group("ltext"), style, out)
                if m.end() < len(text) and not text[m.end()].isspace():
                    out.append(Inline(" ", style))

        elif kind == "tag" and m.group(0).lstrip("</").split(">")[0].split()[0].lower() not in (
            JOINING_TAGS
        ):
            out.append(Inline(" ", style))  # '<p>' between two words: they stay two words
        # Otherwise an inline tag is markup, not words: left out.
        pos = m.end()
    if pos < len(text):
        out.append(Inline(text[pos:], style))


@functools.lru_cache(maxsize=32768)
def parse_inline(text: str) -> tuple[Inline, ...]:
    """Parse one block's source text into inline runs, merging neighbours of one style.

    Cached: the parser asks for the same lines' runs in several passes (and the runs are
    immutable)."""
    text = _MANGLED_SUP.sub("<sup>", text)
    raw: list[Inline] = []
    _parse(text, "", raw)
    merged: list[Inline] = []
    for run in raw:
        if not run.text:
            continue
        if (
            merged
            and run.style == merged[-1].style
            and run.style in ("", "strong", "em", "strong-em")
        ):
            merged[-1] = Inline(merged[-1].text + run.text, run.style)
        else:
            merged.append(run)
    # Trim outer whitespace of the block.
    if merged and merged[0].style != "br":
        merged[0] = Inline(merged[0].text.lstrip(), merged[0].style, merged[0].target)
    if merged and merged[-1].style != "br":
        merged[-1] = Inline(merged[-1].text.rstrip(), merged[-1].style, merged[-1].target)
    return tuple(r for r in merged if r.text)


@functools.lru_cache(maxsize=32768)
def strip_markup(text: str) -> str:
    """The plain text of a source string (tags, emphasis marks and escapes removed)."""
    return "".join(" " if r.style == "br" else r.text for r in parse_inline(text))
