"""A corpus document whose text tries every injection, for the hostile-text tests."""

from __future__ import annotations

import hashlib
from pathlib import Path

from evidence_archive.corpus.store import dump_meta

HOSTILE_ID = "hampshire-2020-01-01-other"
HOSTILE_TEXT = """Hostile test report

Introduction

1. Paragraph one says <script>window.__pwned = 1</script> and <img src=x onerror="window.__pwned=2"> plainly.

2. Paragraph two has [click me](javascript:window.__pwned=3) and <a href="javascript:window.__pwned=4">a link</a> and <iframe src="javascript:window.__pwned=5"></iframe>.

3. Paragraph three has \x1b[2J\x1b]0;owned\x07 terminal codes and {{ config }} and {% include 'x' %} and ![pic](x" onerror="window.__pwned=6) and <style>body{display:none}</style> and &lt;b&gt; and | a | table | cell.
"""
HOSTILE_TITLE = '<script>window.__pwned=7</script> Hostile "title" & {{ name }}'


def add_hostile(corpus: Path) -> Path:
    """Write the hostile document into a corpus folder; return its text path."""
    folder = corpus / "hampshire"
    text = folder / f"{HOSTILE_ID}.txt"
    text.write_text(HOSTILE_TEXT, encoding="utf-8")
    meta = {
        "id": HOSTILE_ID, "source_file": "hostile.txt",
        "sha256": hashlib.sha256(text.read_bytes()).hexdigest(), "title": HOSTILE_TITLE,
        "authority": "hampshire", "kind": "other", "framework": "none",
        "publisher": "<b>Evil</b> Publisher", "published": "2020-01-01", "licence": None,
    }  # fmt: skip
    (folder / f"{HOSTILE_ID}.yml").write_text(dump_meta(meta), encoding="utf-8")
    return text
