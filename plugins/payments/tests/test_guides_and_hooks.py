"""Guides managed by staff and found by the app's search; the IOC figures."""

from __future__ import annotations

import pytest
from smartapp_payments import PaymentsPlugin

from smartapp.plugin import db

BASE = "/api/v1/u/payments"
GUIDE = {
    "slug": "nop-tien-dien",
    "title_vi": "Trả tiền điện bằng VietQR",
    "title_en": "Paying the electricity bill by VietQR",
    "body_vi": "Quét mã trên hóa đơn điện.",
    "body_en": "Scan the code on the bill.",
    "position": 5,
}


@pytest.fixture
def seeded(app):
    PaymentsPlugin().seed_demo()
    db.session.commit()


def test_staff_manage_guides_audited(client, manager, audit_actions):
    created = client.post(f"{BASE}/admin/guides", json=GUIDE, headers=manager.headers)
    assert created.status_code == 201, created.json
    assert (
        client.post(f"{BASE}/admin/guides", json=GUIDE, headers=manager.headers).status_code == 409
    )
    english = client.get(f"{BASE}/guides/nop-tien-dien", headers={"Accept-Language": "en"})
    assert english.json["title"] == GUIDE["title_en"]
    assert client.get(f"{BASE}/guides/nop-tien-dien").json["body"] == GUIDE["body_vi"]
    client.patch(
        f"{BASE}/admin/guides/nop-tien-dien", headers=manager.headers, json={"title_en": None}
    )
    english = client.get(f"{BASE}/guides/nop-tien-dien", headers={"Accept-Language": "en"})
    assert english.json["title"] == GUIDE["title_vi"]  # no English: Vietnamese
    assert (
        client.delete(f"{BASE}/admin/guides/nop-tien-dien", headers=manager.headers).status_code
        == 204
    )
    assert client.get(f"{BASE}/guides/nop-tien-dien").status_code == 404
    assert audit_actions() == [
        "payments.guide.create",
        "payments.guide.update",
        "payments.guide.retire",
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "Không Hợp Lệ"}, "slug"),
        ({"title_vi": ""}, "title_vi"),
        ({"body_vi": None}, "body_vi"),
        ({"position": "first"}, "position"),
    ],
)
def test_bad_guides_are_422(client, manager, change, field):
    response = client.post(
        f"{BASE}/admin/guides", json={**GUIDE, **change}, headers=manager.headers
    )
    assert response.status_code == 422 and field in response.json["errors"], response.json


def test_shipped_guides_are_listed_in_order(client, seeded):
    listed = client.get(f"{BASE}/guides", headers={"Accept-Language": "en"}).json["items"]
    assert [g["title"] for g in listed] == [
        "Paying a public fee online",
        "Paying by VietQR",
        "When a transfer fails",
    ]
    assert "body" not in listed[0]


def test_hook_search_finds_guides_without_diacritics(client, seeded):
    hits = PaymentsPlugin().search("chuyen khoan khong thanh cong", "vi", 5)
    assert hits[0].path == "guides/chuyen-khoan-khong-thanh-cong"
    assert 0 < hits[0].score <= 1
    assert PaymentsPlugin().search("   ", "vi", 5) == []
    response = client.get("/api/v1/search", query_string={"q": "vietqr"})
    assert response.status_code == 200, response.json
    assert any(
        hit["path"].startswith(f"{BASE}/guides/") and hit["utility"] == "payments"
        for hit in response.json["items"]
    )


def test_hook_ioc_metrics(client, seeded, admin, manager):
    place = {
        "code": "TN-REAL",
        "name": "Chợ Tân Ninh",
        "category": "market",
        "ward_code": 25459,
        "latitude": 11.31,
        "longitude": 106.1,
        "methods": ["vietqr", "momo"],
        "verified_on": "2025-11-01",
    }
    assert (
        client.post(f"{BASE}/admin/places", json=place, headers=manager.headers).status_code == 201
    )
    client.get(f"{BASE}/fee-items/DEMO-HT-BANSAO/vietqr")
    figures = client.get("/api/v1/ioc/metrics", headers=admin.headers).json
    payments = figures["utilities"]["payments"]
    assert payments["places"] == 1 and payments["demo_places"] == 50
    assert payments["places_by_ward"] == {"25459": 1}
    assert payments["places_by_category"] == {"market": 1}
    assert payments["places_by_method"] == {"momo": 1, "vietqr": 1}
    assert payments["fee_accounts"] == 2
    [months] = payments["qr_codes_by_agency_month"]["DEMO-UBND-LONG-HOA"].values()
    assert months == 1
