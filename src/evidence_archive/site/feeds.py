"""Atom feeds of new documents on the site: all, per council, per region (a saved search's feed
is made at query time: search/formats.py).

Made with feedgen (a maintained Atom/RSS writer) rather than by hand, so escaping and the
required elements are the library's job. Feeds are deterministic: every date comes from the
documents (the feed's `updated` is its newest entry's), never from the clock, so the same corpus
gives byte-identical feeds. Ids are URNs that do not depend on where the site is hosted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from feedgen.feed import FeedGenerator

from evidence_archive import urls
from evidence_archive.dates import doc_date
from evidence_archive.frameworks import KINDS
from evidence_archive.model import Document
from evidence_archive.registry import load_registry
from evidence_archive.site.inputs import Inputs, documents

URN = "urn:evidence-archive"
#: Entries in a feed of new documents: the newest this many (as feeds do; every document is on
#: its council's page). All of them made the archive's feed 5,000 entries long at 5,000
#: reports, and made again, a second of work, whenever any document changed.
FEED_ENTRIES = 100
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def when(date: str) -> dt.datetime:
    """A document date (ISO, day, month or year precision) as a UTC datetime."""
    parts = [int(p) for p in str(date or "").split("-") if p.isdigit()]
    if not parts:
        return EPOCH
    year, month, day = (parts + [1, 1])[:3]
    return dt.datetime(year, month, day, tzinfo=dt.UTC)


def newest_first(docs: Iterable[Document]) -> list[Document]:
    """Documents by date, newest first (then by id, for a stable order)."""
    return sorted(docs, key=lambda d: (doc_date(d), d.id), reverse=True)


def new_feed(feed_id: str, title: str, subtitle: str, self_href: str, alternate: str) -> Any:
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    fg.subtitle(subtitle)
    fg.link(href=self_href, rel="self", type="application/atom+xml")
    fg.link(href=alternate, rel="alternate", type="text/html")
    fg.author({"name": "Inspection Evidence Archive"})
    fg.language("en-GB")
    return fg


def documents_feed(docs: list[Document], key: str, title: str, root: str = "../") -> str:
    """An Atom feed of documents, newest first. key names the feed ('all', 'authority/havering',
    'region/london'); root is the site root relative to the feed's folder."""
    reg = load_registry()
    ordered = newest_first(docs)
    fg = new_feed(
        f"{URN}:feed:{key}", title,
        "New children's services inspection reports and plans in the Inspection Evidence Archive",
        root + urls.feed(key), root,
    )  # fmt: skip
    fg.updated(when(doc_date(ordered[0])) if ordered else EPOCH)
    for doc in ordered:
        m = doc.meta
        auth = reg.get(str(m.authority))
        e = fg.add_entry(order="append")
        e.id(f"{URN}:document:{doc.id}")
        e.title(str(m.title))
        e.link(href=root + urls.report_url(str(m.authority), doc.id), rel="alternate")
        e.updated(when(doc_date(doc)))
        if m.published:
            e.published(when(str(m.published)))
        grades = "; ".join(f"{j.label}: {j.grade}" for j in doc.judgements)
        e.summary(
            f"{KINDS[str(m.kind)]}, {auth.name if auth else 'England'}, "
            f"{doc_date(doc) or 'undated'}." + (f" Judgements: {grades}." if grades else "")
        )
        e.author({"name": str(m.publisher)})
    return str(fg.atom_str(pretty=True).decode("utf-8"))


def site_feeds(docs: list[Document]) -> dict[str, str]:
    """Every feed of the site: path under the site -> Atom XML, each of the newest FEED_ENTRIES
    documents of its kind. Links are absolute when the site's address is set (urls.site_url),
    else relative to each feed."""
    return {path: xml for path, xml in feeds_made(docs).items() if xml is not None}


def feeds_made(
    docs: list[Document], keys: dict[str, str] | None = None, inputs: Inputs | None = None
) -> dict[str, str | None]:
    """site_feeds, with inputs (given each document's build cache key): a feed whose
    documents and address are the last build's is not made, and maps to None."""
    from evidence_archive.registry import region_key
    from evidence_archive.urls import site_url

    base = site_url()
    reg = load_registry()
    by_auth: dict[str, list[Document]] = {}
    by_region: dict[str, tuple[str, list[Document]]] = {}
    for d in docs:
        slug = str(d.meta.authority)
        by_auth.setdefault(slug, []).append(d)
        auth = reg.get(slug)
        if auth is not None:
            by_region.setdefault(region_key(auth.region), (auth.region, []))[1].append(d)
    wanted = [(urls.feed("all"), "all", "Inspection Evidence Archive: new documents", docs,
               base or "../")]  # fmt: skip
    for slug, group in sorted(by_auth.items()):
        auth = reg.get(slug)
        name = auth.name if auth else "England (national documents)"
        wanted.append((urls.council_feed(slug), f"authority/{slug}", f"{name}: new documents",
                       group, base or "../../"))  # fmt: skip
    for key, (name, group) in sorted(by_region.items()):
        wanted.append((urls.region_feed(key), f"region/{key}", f"{name}: new documents", group,
                       base or "../../"))  # fmt: skip
    out: dict[str, str | None] = {}
    for path, key, title, group, root in wanted:
        newest = newest_first(group)[:FEED_ENTRIES]
        if keys is not None and inputs is not None:
            ids = [d.id for d in newest]
            if inputs.same(path, ["feed", key, title, root, *documents(ids, keys)]):
                out[path] = None
                continue
        out[path] = documents_feed(newest, key, title, root=root)
    return out
