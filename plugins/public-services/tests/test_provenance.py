"""Every record says where it comes from; readers see what no official text confirms."""

import json

import pytest
from smartapp_public_services.importer import KINDS, validate
from smartapp_public_services.importer import SourceRecord as Row

BASE = "/api/v1/u/public-services"
ADMIN = f"{BASE}/admin/procedures"
CONFIRMED = {"source": "1234/QĐ-UBND", "verified_at": "2026-11-30", "unverified": False}


@pytest.fixture
def procedure(fixtures):
    return json.loads((fixtures / "procedures.json").read_text())[1]  # 1.004222, with fees


def loaded(record, kind="procedures"):
    valid, errors = validate(KINDS[kind], [Row(1, 0, record)])
    return valid[0] if valid else errors[0].messages


def test_a_record_is_unverified_unless_it_names_its_source_and_day(procedure):
    assert loaded(procedure)["unverified"] is True
    assert loaded({**procedure, "source": "1234/QĐ-UBND"})["unverified"] is True
    both = loaded({**procedure, "source": "1234/QĐ-UBND", "verified_at": "2026-11-30"})
    assert both["unverified"] is False
    # asked to be unverified although both are given: it stays unverified
    assert loaded({**procedure, **CONFIRMED, "unverified": True})["unverified"] is True


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"unverified": False}, "source"),
        ({"unverified": False, "source": "1234/QĐ-UBND"}, "verified_at"),
        ({"verified_at": "2999-01-01"}, "verified_at"),
        ({"verified_at": "30/11/2026"}, "verified_at"),
        ({"source": ""}, "source"),
        ({"unverified": "maybe"}, "unverified"),
        (
            {
                "online_url": "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html"
                "?ma_thu_tuc=1.004222"
            },
            "online_url",
        ),
    ],
)
def test_bad_provenance_names_the_field(procedure, changes, field):
    assert field in loaded({**procedure, **changes})


def test_portal_links_by_the_portals_own_id_or_its_search_are_accepted(procedure):
    for url in (
        "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfd-95d6-778f-889b-e3045003fa5e",
        "https://dichvucong.gov.vn/tim-kiem-thu-tuc-hanh-chinh?keyword=1.004222",
    ):
        assert loaded({**procedure, "online_url": url})["online_url"] == url


def test_a_fee_basis_must_be_one_of_the_legal_bases(procedure):
    channels = [{**c, "fee_basis": "99/2099/TT-BTC"} for c in procedure["channels"]]
    assert "channels" in loaded({**procedure, "channels": channels})
    cited = [{**c, "fee_basis": "75/2022/TT-BTC"} for c in procedure["channels"]]
    legal = [*procedure["legal_basis"], {"number": "75/2022/TT-BTC", "date": "2022-12-22"}]
    assert (
        loaded({**procedure, "channels": cited, "legal_basis": legal})["channels"][0]["fee_basis"]
        == "75/2022/TT-BTC"
    )


def test_bundles_and_offices_carry_it_too(catalog, fixtures):
    bundle = json.loads((fixtures / "bundles.json").read_text())[0]
    assert loaded({**bundle, **CONFIRMED}, "bundles")["official"] is False
    office = json.loads((fixtures / "offices.json").read_text())[0]
    assert "source" in loaded({**office, "unverified": False}, "offices")


def test_api_checklist_and_ioc_show_what_is_not_verified(client, catalog, admin):
    fee_unverified = [
        {**c, "fee_unverified": True}
        for c in client.get(f"{BASE}/procedures/1.004222").json["channels"]
    ]
    for channel in fee_unverified:
        del channel["payments_url"]
    response = client.patch(f"{ADMIN}/1.001193", json=CONFIRMED, headers=admin.headers)
    assert response.status_code == 200, response.json
    assert (
        client.patch(
            f"{ADMIN}/1.004222", json={"channels": fee_unverified}, headers=admin.headers
        ).status_code
        == 200
    )

    confirmed = client.get(f"{BASE}/procedures/1.001193").json
    assert {k: confirmed[k] for k in CONFIRMED} == CONFIRMED
    assert client.get(f"{BASE}/procedures/1.004222").json["unverified"] is True

    vi = client.get(f"{BASE}/procedures/1.004222/checklist").get_data(as_text=True)
    assert "Nguồn: không rõ — chưa xác minh" in vi
    assert "20.000 đồng" in vi and "(chưa xác minh)" in vi
    en = client.get(
        f"{BASE}/procedures/1.001193/checklist", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "Source: 1234/QĐ-UBND (checked on 2026-11-30)\n" in en
    assert "not verified" not in en

    bundles = client.get(f"{BASE}/bundles").json["items"]
    assert bundles[0]["official"] is False and bundles[0]["unverified"] is True
    offices = client.get(f"{BASE}/offices").json["items"]
    assert {"source", "verified_at", "unverified"} <= set(offices[0])

    figures = client.get("/api/v1/ioc/metrics", headers=admin.headers).json
    assert figures["utilities"]["public-services"]["unverified"] == {
        "procedures": 3,
        "bundles": 1,
        "offices": 3,
        "fees": len(fee_unverified),
    }


def test_marking_verified_needs_source_and_day_in_the_same_change(client, catalog, admin):
    response = client.patch(f"{ADMIN}/1.001193", json={"unverified": False}, headers=admin.headers)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"source", "verified_at"}


def test_clearing_the_source_of_a_verified_record_unverifies_it(client, catalog, admin):
    assert (
        client.patch(f"{ADMIN}/1.001193", json=CONFIRMED, headers=admin.headers).json["unverified"]
        is False
    )
    cleared = client.patch(f"{ADMIN}/1.001193", json={"source": None}, headers=admin.headers)
    assert cleared.status_code == 200
    assert (cleared.json["source"], cleared.json["unverified"]) == (None, True)
