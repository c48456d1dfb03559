"""The subjects recommendations come back to, found from their own words.

Each recommendation's words are analysed as the index analyses text (terms.py). The subjects
are the pairs of adjacent words (and, failing those, single words) that at least MIN_SHARE
recommendations share, leaving out the words every recommendation uses ('ensure', 'improve',
'children'). Each recommendation joins the subject of its most shared pair (or word): a cluster
by shared terms. A subject is named by the words as most often printed, and described by the
words most telling of it (those far commoner in it than in all recommendations).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from evidence_archive.dates import doc_date
from evidence_archive.model import Document, Recommendation
from evidence_archive.terms import stems

MIN_SHARE = 10
#: Stems every kind of recommendation uses: never a subject on their own.
GENERIC_WORDS = (
    "ensure improve improving improvement children child young people local authority service "
    "services develop developing need needs make making include including continue increase "
    "strengthen effective effectively consistent consistently practice quality good level work "
    "working partner partners agencies review use provide support understand plan plans family "
    "families all time appropriate who there they so their them this that which when where "
    "whether how what have has been are is was were these those other such more most also "
    "within across through should must taken action actions take sure fully further"
)
GENERIC = frozenset(stem for _, stem, _, _ in stems(GENERIC_WORDS)) | frozenset(
    GENERIC_WORDS.split()
)


@dataclass(frozen=True)
class Subject:
    key: str
    name: str
    telling: tuple[str, ...]
    items: tuple[tuple[Document, Recommendation], ...]
    slug: str = ""
    """The name as a page name, unique among the subjects (subjects() sets it)."""


def subjects(docs: list[Document]) -> list[Subject]:
    """Every subject shared by at least MIN_SHARE recommendations, most recommendations first."""
    items = [(d, r) for d in sorted(docs, key=lambda d: (doc_date(d), d.id))
             for r in d.recommendations]  # fmt: skip
    keys_of: list[set[str]] = []
    surface: dict[str, Counter[str]] = defaultdict(Counter)
    single: list[set[str]] = []
    for _, r in items:
        toks = stems(r.text)
        pairs: set[str] = set()
        for (p1, s1, a1, _), (p2, s2, _, b2) in zip(toks, toks[1:], strict=False):
            # Next to each other but for stop words ('children in care'), neither generic.
            if p2 == p1 + 1 and s1 not in GENERIC and s2 not in GENERIC:
                key = f"{s1} {s2}"
                pairs.add(key)
                surface[key][" ".join(r.text[a1:b2].lower().split())] += 1
        words = {s for _, s, _, _ in toks if s not in GENERIC and len(s) > 2}
        for _, s, a, b in toks:
            surface[s][r.text[a:b].lower()] += 1
        keys_of.append(pairs)
        single.append(words)
    df = Counter(k for ks in keys_of for k in ks)
    wdf = Counter(w for ws in single for w in ws)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, (pairs, words) in enumerate(zip(keys_of, single, strict=True)):
        shared = [k for k in pairs if df[k] >= MIN_SHARE]
        if not shared:
            shared = [w for w in words if wdf[w] >= MIN_SHARE]
        if shared:
            groups[max(shared, key=lambda k: (df[k] if " " in k else wdf[k], k))].append(i)
    total = len(items) or 1
    out = []
    for key, members in groups.items():
        if len(members) < MIN_SHARE:
            continue
        inside = Counter(w for i in members for w in single[i])
        least = max(3, len(members) // 20)
        lift = {w: (n / len(members)) / (wdf[w] / total) * math.log(n)
                for w, n in inside.items() if n >= least and w not in key.split()}  # fmt: skip
        telling = sorted(lift, key=lambda w: (-lift[w], w))[:4]
        out.append(Subject(
            key, surface[key].most_common(1)[0][0],
            tuple(surface[w].most_common(1)[0][0] for w in telling),
            tuple(items[i] for i in members),
        ))  # fmt: skip
    out.sort(key=lambda s: (-len(s.items), s.key))
    # Two names may make one page name ('16- and 17', '16 and 17'): the later gets a number.
    taken: set[str] = set()
    named = []
    for sub in out:
        base = re.sub(r"[^a-z0-9]+", "-", sub.name.lower()).strip("-") or "subject"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        named.append(replace(sub, slug=slug))
    return named
