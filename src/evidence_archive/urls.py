"""Every address the site and the API make, in one place.

Two forms of each page: its docs path (the Markdown file MkDocs renders, what Markdown links
name, e.g. 'reports/havering/<id>.md') and its URL (the folder MkDocs publishes it at, relative to
the site's root, e.g. 'reports/havering/<id>/'). Links between pages prefix these with '../' as
many times as the linking page is deep.

Where the site is published, for absolute addresses in citations and feeds: one setting, the
environment variable EVIDENCE_SITE_URL (mkdocs.yml's `site_url` reads the same variable). Unset,
the archive's links stay relative to the site, which works on any host.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evidence_archive.model import Document

ENV = "EVIDENCE_SITE_URL"


def site_url() -> str:
    """The site's public address with a trailing slash, or '' when none is set."""
    url = os.environ.get(ENV, "").strip()
    return url.rstrip("/") + "/" if url else ""


def report_doc(authority: str, doc_id: str) -> str:
    """Docs path of a report's page."""
    return f"reports/{authority}/{doc_id}.md"


def report_url(authority: str, doc_id: str) -> str:
    """URL of a report's page, relative to the site's root."""
    return f"reports/{authority}/{doc_id}/"


def doc_of(doc: Document) -> str:
    """Docs path of a document's page."""
    return report_doc(str(doc.meta.authority), doc.id)


def url_of(doc: Document) -> str:
    """URL of a document's page, relative to the site's root."""
    return report_url(str(doc.meta.authority), doc.id)


def report_from_report(authority: str, doc_id: str) -> str:
    """A report's page as a link from another report's page."""
    return f"../../{authority}/{doc_id}/"


def council_doc(slug: str) -> str:
    """Docs path of a council's page."""
    return f"authorities/{slug}.md"


def council_recommendations_doc(slug: str) -> str:
    """Docs path of a council's recommendations page (beside its page, one level down)."""
    return f"authorities/{slug}/recommendations.md"


def council_url(slug: str) -> str:
    """URL of a council's page, relative to the site's root."""
    return f"authorities/{slug}/"


COUNCILS_DOC = "authorities/index.md"
COMPARISON_DOC = "comparison.md"
GRADES_DOC = "grades.md"
NATIONAL_DOC = "national.md"


def feed(key: str) -> str:
    """Path of an Atom feed: key 'all', 'authority/<slug>' or 'region/<region key>'."""
    return f"feeds/{key}.xml"


def council_feed(slug: str) -> str:
    return feed(f"authority/{slug}")


def region_feed(key: str) -> str:
    return feed(f"region/{key}")


def page_url(docs_path: str) -> str:
    """The URL MkDocs gives a page (directory URLs): 'authorities/x.md' -> 'authorities/x/'."""
    stem = docs_path.removesuffix(".md")
    if stem == "index":
        return ""
    return stem.removesuffix("/index") + "/"
