"""Render a parsed Document as one Markdown page with YAML front matter.

Every run of source text is escaped, so text from a report is always data: no '<script>' in a
report can become HTML, no '*' or '[' can become Markdown. Structure comes only from the model.
"""

from __future__ import annotations

import io
import re
from typing import Any

from ruamel.yaml import YAML

from evidence_archive.frameworks import (
    AREAS,
    FRAMEWORKS,
    KINDS,
    areas_not_given,
    common_scale,
    variant_for,
)
from evidence_archive.model import Block, Cell, Document, Inline
from evidence_archive.parse.inline import tags_to_text
from evidence_archive.registry import load_registry

BOILERPLATE_OPEN = '<div class="boilerplate" markdown>'
BOILERPLATE_CLOSE = "</div>"

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}|~^])")


def escape_text(text: str) -> str:
    """Escape source text so Markdown and HTML read it as plain characters."""
    s = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return s.replace("\t", " ").replace("\n", " ")


def _escape_start(s: str) -> str:
    """Escape what would make a block's first characters into Markdown structure."""
    s = re.sub(r"^(\d+)([.)])", r"\1\\\2", s)
    if s[:1] in "#-+=>:" and s:
        s = "\\" + s
    return s


def _wrap(text: str, mark: str) -> str:
    core = text.strip()
    if not core:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{mark}{core}{mark}{trail}"


class _Notes:
    """Footnote labels made unique per page; each mark points to the next note with its label."""

    def __init__(self, doc: Document) -> None:
        self.defs: list[tuple[int, str]] = []
        for order, b in enumerate(doc.blocks(), start=1):
            if b.kind == "footnote" and b.label:
                self.defs.append((order, b.label))
        self.unique: dict[int, str] = {}
        count: dict[str, int] = {}
        for pos, label in self.defs:
            count[label] = count.get(label, 0) + 1
            # A label printed twice stays unique on the page; '~n' is not part of the words.
            suffix = "" if count[label] == 1 else f"~{count[label]}"
            self.unique[pos] = _safe_label(label) + suffix
        self.position = 0
        self.used: set[int] = set(self.unique)

    def position_of(self, label: str, position: int) -> int | None:
        """The note a mark at this block position points to: the next with its label, else
        the last before."""
        after = [p for p, lab in self.defs if lab == label and p >= position]
        before = [p for p, lab in self.defs if lab == label and p < position]
        return after[0] if after else before[-1] if before else None

    def ref(self, label: str) -> str | None:
        pos = self.position_of(label, self.position)
        return self.unique[pos] if pos is not None else None

    def referenced(self, doc: Document) -> set[int]:
        """Positions of the notes that some mark on the page points to (walked in the order
        render_body renders). A note no mark points to is printed as a plain note: a
        footnote would link back to a mark that is not there."""
        used: set[int] = set()
        position = 0

        def scan(runs: tuple[Inline, ...]) -> None:
            for r in runs:
                if r.style == "noteref":
                    pos = self.position_of(r.target or r.text, position)
                    if pos is not None:
                        used.add(pos)

        for sec in doc.sections:
            scan(sec.heading)
            for b in sec.blocks:
                position += 1
                scan(b.inlines)
                for row in b.rows:
                    for cell in row:
                        for para in cell:
                            scan(para)
        return used


def _safe_label(label: str) -> str:
    return re.sub(r"[^0-9A-Za-z-]", lambda m: f"x{ord(m.group()):x}", label)


def inline_md(runs: tuple[Inline, ...], notes: _Notes | None = None) -> str:
    """Inline runs as Markdown, every character of source text escaped."""
    out = []
    for r in runs:
        if r.style == "br":
            out.append("<br>")
        elif r.style == "noteref":
            label = notes.ref(r.target or r.text) if notes else None
            out.append(f"[^{label}]" if label else f"<sup>{escape_text(r.text)}</sup>")
        elif r.style == "link" and r.target and re.match(r"https?://[^\s<>\"')]+$", r.target):
            url = r.target.replace("(", "%28").replace(")", "%29")
            if r.text == r.target:
                out.append(f"<{url}>")
            else:
                out.append(f"[{escape_text(r.text)}]({url})")
        elif r.style == "strong":
            out.append(_wrap(escape_text(r.text), "**"))
        elif r.style == "em":
            out.append(_wrap(escape_text(r.text), "*"))
        elif r.style == "strong-em":
            out.append(_wrap(escape_text(r.text), "***"))
        elif r.style == "sup":
            out.append(f"<sup>{escape_text(r.text)}</sup>")
        else:
            out.append(escape_text(r.text))
    return _escape_start("".join(out).strip())


def _cell_md(cell: Cell, notes: _Notes) -> str:
    return "<br>".join(inline_md(p, notes) for p in cell).replace("|", "\\|") or " "


def _table_md(block: Block, notes: _Notes) -> list[str]:
    rows = [[_cell_md(c, notes) for c in row] for row in block.rows]
    width = max(len(r) for r in rows)
    if block.header:
        head, body = rows[0], rows[1:]
    else:
        head, body = [" "] * width, rows
    classes = "table grades" if block.role == "judgements" else "table"
    if not block.header:
        # Markdown tables need a header row; a table printed without one gets an empty one,
        # which the site does not show (class 'headless').
        classes += " headless"
    # attr_list cannot reach a table: the anchor goes on a wrapping block instead.
    lines = [f'<div id="{block.anchor}" class="{classes}" markdown>', ""]
    lines += ["| " + " | ".join(head) + " |", "|" + " --- |" * width]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    lines += ["", "</div>"]
    return lines


def _block_md(block: Block, notes: _Notes) -> list[str]:
    if block.kind == "table":
        return _table_md(block, notes)
    text = inline_md(block.inlines, notes)
    if block.kind == "footnote":
        if notes.position not in notes.used:
            return [
                f"<sup>{escape_text(block.label or '')}</sup> {text}",
                f"{{: #{block.anchor} }}",
            ]
        label = notes.unique.get(notes.position, _safe_label(block.label or "x"))
        return [f"[^{label}]: {text}"]
    if block.kind == "quote":
        return [f"> {text}", f"{{: #{block.anchor} }}"]
    if block.kind == "figure":
        return [text, f'{{: #{block.anchor} .figure-caption title="Chart not reproduced" }}']
    if block.number is not None:
        text = f"{block.number}\\. {text}"
        return [text, f'{{: #{block.anchor} .para data-para="{block.number}" }}']
    return [text, f"{{: #{block.anchor} }}"]


def render_body(doc: Document) -> str:
    """The page body: headings, blocks, and the boilerplate set apart at the end."""
    notes = _Notes(doc)
    notes.used = notes.referenced(doc)
    out: list[str] = []
    for sec in doc.sections:
        if sec.level:
            out += [f"{'#' * sec.level} {inline_md(sec.heading, notes)} {{: #{sec.anchor} }}", ""]
        list_level = -1
        for b in sec.blocks:
            notes.position += 1
            if b.kind == "list-item":
                level = min(b.level, list_level + 1)
                list_level = level
                text = inline_md(b.inlines, notes)
                out.append(f'{"    " * level}- <a id="{b.anchor}"></a>{text}')
                continue
            if list_level >= 0:
                out.append("")
                list_level = -1
            out += _block_md(b, notes)
            out.append("")
        if list_level >= 0:
            out.append("")
    if doc.boilerplate:
        out += [BOILERPLATE_OPEN, ""]
        for b in doc.boilerplate:
            text = inline_md(b.inlines)
            if b.number is not None:
                text = f"{b.number}\\. {text}"
            elif b.kind == "footnote" and b.label:
                text = f"<sup>{escape_text(b.label)}</sup> {text}"
            out += [text, f"{{: #{b.anchor} }}", ""]
        out += [BOILERPLATE_CLOSE, ""]
    return "\n".join(out).rstrip() + "\n"


def front_matter(doc: Document, body: str) -> dict[str, Any]:
    """The page's front matter: corpus metadata, judgements, paragraph and word counts."""
    meta = doc.meta
    given = meta.as_dict()
    reg = load_registry()
    auth = reg.get(str(meta.authority))
    numbered = doc.numbered()
    fm: dict[str, Any] = {
        "title": meta.title,
        "id": doc.id,
        "authority": meta.authority,
        "authority_name": auth.name if auth else "England",
        "la_code": auth.la_code if auth else None,
        "region": auth.region if auth else None,
        "kind": meta.kind,
        "kind_label": KINDS[str(meta.kind)],
        "framework": meta.framework,
        "framework_name": FRAMEWORKS[str(meta.framework)].name,
    }
    for key in (
        "inspection_type",
        "publisher",
        "published",
        "inspection_start",
        "inspection_end",
        "plan_start",
        "plan_end",
        "reference",
        "source_file",
        "source_url",
        "source_pdf_sha256",
        "pages",
        "extraction",
        "licence",
        "dates_note",
        "listing_date",
        "listing_urn",
        "audit_notes",
        "sha256",
    ):
        if key in given:
            fm[key] = given[key]
    fm["judgements"] = [
        {
            "label": j.label,
            "scope": j.scope,
            "grade": j.grade,
            "score": j.score,
            "area": j.area,
            "area_label": AREAS.get(j.area) if j.area else None,
            "scale": common_scale(j.grade),
        }
        for j in doc.judgements
    ]
    variant = variant_for(meta)
    fm["variant"] = variant.key if variant else None
    # Areas this framework does not judge: said, never left blank to be read as missing.
    fm["not_given"] = [
        {"area": area, "area_label": AREAS[area], "reason": reason}
        for area, reason in areas_not_given(meta).items()
    ]
    fm["recommendations"] = [
        {"id": r.anchor, "order": r.order, "section": r.section, "number": r.number,
         "area": r.area}
        for r in doc.recommendations
    ]  # fmt: skip
    fm["paragraphs"] = {
        "count": len(numbered),
        "first": int(numbered[0].number) if numbered else None,  # type: ignore[arg-type]
        "last": max(int(b.number) for b in numbered if b.number) if numbered else None,
    }
    fm["words"] = len(re.findall(r"[^\W_]+", page_text(body)))
    return fm


def page_text(markdown: str) -> str:
    """The words of a Markdown page as plain text: front matter and syntax removed."""
    import html

    s = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)
    s = re.sub(r"\{:[^{}\n]*\}", " ", s)
    s = re.sub(r"\[\^([^\]~]+)(?:~\d+)?\]:?", r" \1 ", s)
    s = tags_to_text(s)
    # Emphasis markers join the letters on either side ('**&lt;s**up' reads '<sup'); an
    # escaped asterisk is a character of the text.
    s = re.sub(r"(?<!\\)\*+", "", s)
    return html.unescape(s)


def dump_yaml(data: dict[str, Any]) -> str:
    """YAML in insertion order, deterministic."""
    y = YAML()
    y.default_flow_style = False
    y.width = 4096
    y.allow_unicode = True
    buf = io.StringIO()
    y.dump(data, buf)
    return buf.getvalue()


def page_markdown(front: dict[str, Any], body: str) -> str:
    """A page from its front matter and body."""
    return f"---\n{dump_yaml(front)}---\n\n{body}"


def render(doc: Document) -> str:
    """The whole page: front matter, then the body."""
    body = render_body(doc)
    return page_markdown(front_matter(doc, body), body)
