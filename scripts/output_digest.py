"""What a build shows its users, as one JSON digest, to prove that a change of code changes none.

Usage: python scripts/output_digest.py OUT > digest.json

For every file of OUT/pages, OUT/data and OUT/site: its sha256. For the index: the answers of the
API (search, facets, feeds, quote checks) to about 900 requests, each hashed, query for query:
the queries are made from the corpus itself (words of every 40th paragraph of every document,
phrases, misspellings, filters by council, framework, region, year, grade, exact search), so
that they cover every framework and the same build always asks the same questions.

Two builds of one corpus, before and after a refactor: `diff` of their digests must be empty.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from urllib.parse import urlencode

from starlette.testclient import TestClient

from evidence_archive.search.api import make_app


def file_digests(out: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in ("pages", "data", "site"):
        for p in sorted((out / part).rglob("*")):
            if p.is_file():
                found[p.relative_to(out).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()[
                    :16
                ]
    return found


def requests(out: Path) -> list[str]:
    docs = json.loads((out / "data" / "documents.json").read_text())
    urls: list[str] = []
    for n, d in enumerate(docs):
        page = (out / d["page"]).read_text(encoding="utf-8")
        paras = [p for p in page.split("\n\n") if len(p.split()) > 12 and not p.startswith("---")]
        for k, p in enumerate(paras[::40][:3]):
            words = re.findall(r"[A-Za-z][a-z]{3,}", p)
            if len(words) < 8:
                continue
            q = " ".join(words[2 + k : 6 + k])
            urls.append("/api/search?" + urlencode({"q": q, "limit": 20}))
            if n % 3 == 0:
                urls.append("/api/search?" + urlencode({"q": f'"{" ".join(words[1:4])}"'}))
                urls.append("/api/search?" + urlencode({"q": q, "expand": "0"}))
            if n % 4 == 1:
                slug = d["authority"]
                urls.append("/api/search?" + urlencode({"q": words[3], "authority": slug}))
                urls.append(
                    "/api/search?" + urlencode({"q": words[4], "framework": d["framework"]})
                )
            if n % 5 == 2:
                urls.append("/api/verify?" + urlencode({"q": " ".join(p.split()[1:20])}))
                urls.append("/api/feed?" + urlencode({"q": words[5], "from": 2016, "to": 2022}))
    for q in ("supervision", "return home interviews", "neglect", "LSCB", "SCR", "CAMHS",
              "private fostering", "staff turnover", "co-produced", "Hampshire", "managment",
              "bed and breakfast", "child sexual exploitation", "care leavers 2019"):  # fmt: skip
        for extra in ({}, {"region": "London"}, {"grade": "overall:inadequate"}, {"kind": "x"}):
            urls.append("/api/search?" + urlencode({"q": q, **extra}))
    urls += ["/api/search?q=", "/api/search?q=a&limit=x", "/api/nothing", "/api/health",
             "/search-backend.json", "/api/verify?q=", "/api/search?q=%22unclosed"]  # fmt: skip
    return urls


def main() -> None:
    out = Path(sys.argv[1]).resolve()
    client = TestClient(make_app(out))
    answers: dict[str, str] = {}
    for url in requests(out):
        r = client.get(url)
        answers[url] = f"{r.status_code} " + hashlib.sha256(r.content).hexdigest()[:16]
    digest = {"files": file_digests(out), "answers": answers}
    json.dump(digest, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
