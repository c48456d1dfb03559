"""The registry: every council printed in the seeds resolves to the right LA code."""

from __future__ import annotations

import csv

import pytest

from evidence_archive.registry import load_registry

from .conftest import SHARED

#: Council names as printed in the seeds (including the national overview's examples of
#: practice, seed 002) -> the DfE LA code they must resolve to.
PRINTED = [
    ("Hampshire County Council", "850"),
    ("Hampshire Children's Services Authority Area", "850"),
    ("Hampshire", "850"),
    ("London Borough of Havering", "311"),
    ("Havering", "311"),
    ("Camden", "202"),
    ("Bournemouth", "837"),
    ("Shropshire", "893"),
    ("York", "816"),
    ("Stockton-on-Tees", "808"),
    ("St. Helens", "342"),
    ("St Helens", "342"),
    ("Norfolk", "926"),
    ("Bracknell Forest", "867"),
    ("Derby", "831"),
    ("Rotherham", "372"),
]

#: Other printed forms reports use.
FORMS = [
    ("City of York Council", "816"),
    ("Royal Borough of Windsor & Maidenhead", "868"),
    ("Windsor and Maidenhead", "868"),
    ("Kingston upon Hull City Council", "810"),
    ("Bristol City Council", "801"),
    ("City of Bristol", "801"),
    ("City of London", "201"),
    ("Durham County Council", "840"),
    ("BCP Council", "839"),
    ("Isle of Wight Council", "921"),
    ("Barnsley Metropolitan Borough Council", "370"),
    ("Halton Borough Council", "876"),
    ("Birmingham City Council", "330"),
    ("London Borough of Barking & Dagenham", "301"),
    ("the London Borough of Havering", "311"),
    ("Southend-on-Sea City Council", "882"),
]


@pytest.mark.parametrize("printed,code", PRINTED + FORMS)
def test_lookup_resolves_printed_names(printed: str, code: str) -> None:
    hit = load_registry().lookup(printed)
    assert hit is not None, printed
    assert hit.la_code == code


@pytest.mark.parametrize("name", ["Atlantis", "", "Council", "Children's services"])
def test_lookup_refuses_what_is_not_a_council(name: str) -> None:
    assert load_registry().lookup(name) is None


def test_153_current_authorities_with_regions_and_neighbours() -> None:
    reg = load_registry()
    current = reg.current()
    assert len(current) == 153
    assert len(reg.regions()) == 9
    hants = reg.get("hampshire")
    assert hants is not None and hants.urn == "80472" and hants.ons_code == "E10000014"
    assert hants.statistical_neighbours[:3] == ("wiltshire", "north-somerset", "gloucestershire")
    for a in current:
        assert all(reg.get(s) for s in a.statistical_neighbours), a.slug


def test_registry_matches_the_reference_csv() -> None:
    path = SHARED / "reference" / "local-authorities.csv"
    if not path.exists():
        pytest.skip("../shared/reference is not beside the project")
    with path.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    reg = load_registry()
    for row in rows:
        a = reg.by_code(row["la_code"])
        assert a is not None, row["la_code"]
        assert a.urn == row["urn"]
        assert a.region == row["region_name"]
