"""Copy the five founding documents into corpus/ byte for byte, with metadata read by hand.

Usage: python scripts/import_seeds.py [../shared/seeds]

Every value below was read from the document itself (see ../shared/seeds/README.md for the
summary); a date the document does not print is null, never guessed.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from evidence_archive.corpus.store import dump_meta, sha256_file

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"

OFSTED_2007 = (
    "This document may be reproduced in whole or in part for non-commercial purposes, provided "
    "that the information quoted is reproduced without adaptation and the source and date of "
    "publication are stated."
)

DOCUMENTS = [
    {
        "id": "hampshire-2007-08-14-joint-area-review",
        "source_file": "000_d68ad88f8b617f8d.txt",
        "title": "Joint area review: Hampshire Children's Services Authority Area",
        "authority": "hampshire",
        "kind": "joint-area-review",
        "framework": "jar-2007",
        "publisher": "Ofsted",
        "published": "2007-08-14",
        "reference": "850",
        "licence": OFSTED_2007,
    },
    {
        "id": "hampshire-2014-03-12-single-inspection",
        "source_file": "001_cc2835037d4f668a.txt",
        "title": (
            "Hampshire County Council: Inspection of services for children in need of help and "
            "protection, children looked after and care leavers and Review of the effectiveness "
            "of the local safeguarding children board"
        ),
        "authority": "hampshire",
        "kind": "single-inspection",
        "framework": "sif",
        "publisher": "Ofsted",
        "published": None,
        "inspection_start": "2014-02-18",
        "inspection_end": "2014-03-12",
        "licence": (
            "You may copy all or parts of this document for non-commercial educational purposes, "
            "as long as you give details of the source and date of publication and do not alter "
            "the information in any way."
        ),
        "dates_note": "No publication date is printed; the id uses the last day of inspection.",
    },
    {
        "id": "england-2007-04-narrowing-the-gap",
        "source_file": "002_2d3c6e0bd10630ad.txt",
        "title": "Narrowing the gap: the inspection of children's services",
        "authority": "england",
        "kind": "national-overview",
        "framework": "none",
        "publisher": "Ofsted",
        "published": "2007-04",
        "reference": "070041",
        "licence": (
            "This document may be reproduced in whole or in part for non-commercial educational "
            "purposes, provided that the information quoted is reproduced without adaptation and "
            "the source and date of publication are stated."
        ),
    },
    {
        "id": "hampshire-2012-children-and-young-peoples-plan",
        "source_file": "003_885a655c4c4ec8d1.txt",
        "title": "Hampshire's Children and Young People's Plan 2012-15",
        "authority": "hampshire",
        "kind": "plan",
        "framework": "none",
        "publisher": "Hampshire County Council",
        "published": None,
        "plan_start": 2012,
        "plan_end": 2015,
        "source_url": "www.hants.gov.uk/cypp",
        "licence": None,
        "dates_note": "No publication date is printed; the plan covers 2012-15.",
    },
    {
        "id": "havering-2007-02-06-joint-area-review",
        "source_file": "004_15de77b5f4537637.txt",
        "title": "Joint area review: London Borough of Havering Children's Services Authority Area",
        "authority": "havering",
        "kind": "joint-area-review",
        "framework": "jar-2005",
        "publisher": "Ofsted",
        "published": "2007-02-06",
        "reference": "311",
        "licence": OFSTED_2007,
    },
]


def main(argv: list[str]) -> int:
    seeds = Path(argv[1]) if len(argv) > 1 else SEEDS
    for doc in DOCUMENTS:
        folder = ROOT / "corpus" / str(doc["authority"])
        folder.mkdir(parents=True, exist_ok=True)
        text = folder / f"{doc['id']}.txt"
        shutil.copyfile(seeds / str(doc["source_file"]), text)
        meta = {**doc, "sha256": sha256_file(text)}
        (folder / f"{doc['id']}.yml").write_text(dump_meta(meta), encoding="utf-8")
        print(f"{text.relative_to(ROOT)}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
