"""The shipped catalog keeps itself honest: well-formed unique codes, bundles of procedures that
exist, legal bases cited by number and date, every fee founded or marked unverified, every
office inside the province, and no record that claims a confirmation it cannot show."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from smartapp_public_services import DATA_DIR
from smartapp_public_services.portal import NATIONAL_PORTAL_SEARCH, portal_search_url

#: the national catalog's codes: ``1.001193``, ``2.002913``, ``3.000722``
NATIONAL_CODE = re.compile(r"^[1-3]\.\d{6}$")
#: project codes of bundles (``LT-KHAI-TU``) and offices (``TTPVHCC-27694``, ``TTPVHCC-TINH``)
PROJECT_CODE = re.compile(r"^[A-Z]+(-[A-Z0-9]+)+$")
#: ``60/2014/QH13``, ``123/2015/NĐ-CP``, ``73/2024/TT-BTC``, ``05/2013/TT-BLĐTBXH``,
#: ``170/2008/QĐ-TTg``, ``01/2014/NQLT-CP-UBTƯMTTQVN``
LEGAL_NUMBER = re.compile(r"^\d{1,5}/\d{4}/[^\W\d_][\w-]*$")

#: Tây Ninh as drawn after the 2025 merger with Long An, (longitude, latitude) clockwise from
#: the north-west: a coarse outline a few kilometres outside the boundary, traced by hand from
#: public maps — no installable package ships the province's ward polygons (vietnam-provinces
#: has codes and names only). It is tight enough to refuse the neighbours' centres below.
PROVINCE_OUTLINE = [
    (105.80, 11.35),
    (106.00, 11.82),
    (106.45, 11.75),
    (106.50, 11.20),
    (106.60, 10.95),
    (106.55, 10.75),
    (106.68, 10.62),
    (106.82, 10.50),
    (106.78, 10.38),
    (106.40, 10.35),
    (105.90, 10.50),
    (105.55, 10.75),
    (105.45, 10.95),
    (105.80, 11.05),
    (105.85, 11.15),
]
INSIDE = {"Tây Ninh (old city)": (11.31, 106.10), "Tân An": (10.536, 106.41)}
OUTSIDE = {
    "Hồ Chí Minh City centre": (10.776, 106.700),
    "Thủ Dầu Một": (10.98, 106.65),
    "Cao Lãnh": (10.46, 105.63),
    "Phnom Penh": (11.556, 104.928),
    "Svay Rieng": (11.087, 105.80),
}


def _load(name: str) -> list[dict]:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


PROCEDURES, BUNDLES, OFFICES = (
    _load(f"{kind}.json") for kind in ("procedures", "bundles", "offices")
)


def inside(latitude: float, longitude: float, outline=PROVINCE_OUTLINE) -> bool:
    """Ray casting: a ray going east crosses the outline an odd number of times (one polygon,
    one test: not worth a geometry dependency)."""
    crossings = 0
    for (x1, y1), (x2, y2) in zip(outline, outline[1:] + outline[:1], strict=True):
        straddles = (y1 > latitude) != (y2 > latitude)
        if straddles and longitude < x1 + (latitude - y1) * (x2 - x1) / (y2 - y1):
            crossings += 1
    return crossings % 2 == 1


def test_the_outline_tells_the_province_from_its_neighbours():
    assert all(inside(*point) for point in INSIDE.values())
    assert not any(inside(*point) for point in OUTSIDE.values())


@pytest.mark.parametrize(
    ("records", "pattern"),
    [(PROCEDURES, NATIONAL_CODE), (BUNDLES, PROJECT_CODE), (OFFICES, PROJECT_CODE)],
)
def test_codes_are_unique_and_well_formed(records, pattern):
    codes = [record["code"] for record in records]
    assert [code for code, n in Counter(codes).items() if n > 1] == []
    assert [code for code in codes if not pattern.match(code)] == []


def test_bundle_steps_exist():
    codes = {procedure["code"] for procedure in PROCEDURES}
    assert {
        bundle["code"]: missing
        for bundle in BUNDLES
        if (missing := [c for c in bundle["procedures"] if c not in codes])
    } == {}


def test_legal_bases_are_cited_by_number_and_date():
    bad = [
        (p["code"], basis.get("number"), basis.get("date"))
        for p in PROCEDURES
        for basis in p["legal_basis"]
        if not LEGAL_NUMBER.match(basis.get("number") or "")
        or not basis.get("date")
        or date.fromisoformat(basis["date"]) > date.today()
    ]
    assert bad == []


def test_every_fee_has_a_legal_basis_or_is_marked_unverified():
    bad = []
    for procedure in PROCEDURES:
        cited = {basis["number"] for basis in procedure["legal_basis"]}
        for channel in procedure["channels"]:
            founded = channel.get("fee_basis") in cited
            if not founded and not channel.get("fee_unverified"):
                bad.append((procedure["code"], channel["channel"]))
    assert bad == []


def test_records_confirmed_show_where_and_when():
    for record in PROCEDURES + BUNDLES + OFFICES:
        assert set(record) >= {"source", "verified_at", "unverified"}, record["code"]
        if not record["unverified"]:
            assert record["source"] and record["verified_at"], record["code"]
        if record["verified_at"]:
            assert date.fromisoformat(record["verified_at"]) <= date.today()


def test_every_office_lies_inside_the_province():
    assert [o["code"] for o in OFFICES if not inside(o["latitude"], o["longitude"])] == []


def test_the_province_centre_is_its_own_office():
    centres = [o for o in OFFICES if o["kind"] == "province_centre"]
    assert len(centres) == 1
    centre = centres[0]
    same_place = [
        o["code"]
        for o in OFFICES
        if o is not centre
        and (o["latitude"], o["longitude"]) == (centre["latitude"], centre["longitude"])
    ]
    # a shared point is only allowed while it is disclosed: approximate and unverified
    assert not same_place or (centre["coordinates_approximate"] and centre["unverified"])
    assert centre["address"] != next(
        o["address"] for o in OFFICES if o["ward_code"] == centre["ward_code"] and o is not centre
    )


def test_online_links_go_to_the_portals_search_for_their_own_code():
    for procedure in PROCEDURES:
        url = procedure["online_url"]
        if url and urlsplit(url).hostname == "dichvucong.gov.vn":
            assert url == portal_search_url(procedure["code"]), procedure["code"]
            assert url.startswith(NATIONAL_PORTAL_SEARCH + "?")
            assert parse_qs(urlsplit(url).query) == {"keyword": [procedure["code"]]}


def test_only_published_linked_services_are_called_official():
    official = {b["code"] for b in BUNDLES if b["official"]}
    assert official == {"LT-KHAI-SINH", "LT-KHAI-TU"}
    for bundle in BUNDLES:
        if not bundle["official"]:
            assert "ứng dụng gợi ý" in bundle["name"]
            assert not bundle["name"].startswith("Liên thông")


def test_repealed_codes_are_gone():
    # 1.010824 is reported to be a war-veterans' allowance in official catalogs, not the death
    # linked service; 2.000986 and 2.001023 are reported replaced by 3.000722
    codes = {procedure["code"] for procedure in PROCEDURES}
    assert codes.isdisjoint({"1.010824", "2.000986", "2.001023", "2.002622"})
    assert {"2.002913", "3.000722"} <= codes
