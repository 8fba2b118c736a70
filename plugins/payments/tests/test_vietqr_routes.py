"""``/vietqr`` and ``/banks`` over HTTP: the JSON answer decoded from the payload, the
images, the 422s naming the field, and the count of codes for the IOC."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from smartapp.plugin import db

BASE = "/api/v1/u/payments"

SUBIZ = (
    "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA"
    "530370454061200005802VN62170813ung ho lu lut6304C15C"
)


def test_json_answer_shows_what_the_bank_will_read(client):
    response = client.get(
        f"{BASE}/vietqr",
        query_string={
            "bank": "970415",
            "account": "0011001932418",
            "amount": "120000",
            "purpose": "ủng hộ lũ lụt",
        },
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["payload"] == SUBIZ
    assert body["bank"]["short_name"] == "VietinBank"
    assert (body["account"], body["amount"], body["purpose"], body["initiation"]) == (
        "0011001932418",
        120000,
        "ung ho lu lut",
        "dynamic",
    )
    assert "format=png" in body["png_url"] and "format=svg" in body["svg_url"]
    image = client.get(body["png_url"])
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.headers["Cache-Control"].startswith("public")
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))] == [SUBIZ]
    drawing = client.get(body["svg_url"])
    assert drawing.mimetype == "image/svg+xml" and drawing.data.startswith(b"<svg")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"bank": "999999", "account": "123"}, "bank"),
        ({"bank": "abc", "account": "123"}, "bank"),
        ({"bank": "970436", "account": "12 34"}, "account"),
        ({"bank": "970436", "account": "1234", "service": "card"}, "account"),
        ({"bank": "970436", "account": "1234", "amount": "0"}, "amount"),
        ({"bank": "970436", "account": "1234", "amount": "500000000"}, "amount"),
        ({"bank": "970436", "account": "1234", "amount": "12.5"}, "amount"),
        ({"bank": "970436", "account": "1234", "amount": "lots"}, "amount"),
        ({"bank": "970436", "account": "1234", "purpose": "x" * 26}, "purpose"),
        ({"bank": "970436", "account": "1234", "format": "gif"}, "format"),
        ({"account": "1234"}, "bank"),
        ({"bank": "970436"}, "account"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, query, field):
    response = client.get(f"{BASE}/vietqr", query_string=query)
    assert response.status_code == 422, response.json
    assert response.is_json and field in response.json["errors"], response.json


def test_the_amount_limit_is_a_setting(client, admin):
    answer = client.put(
        "/api/v1/admin/plugins/payments/settings",
        headers=admin.headers,
        json={"max_amount_vnd": 1_000_000, "nearby_radius_km": 30},
    )
    assert answer.status_code == 200, answer.json
    query = {"bank": "970436", "account": "1234", "amount": "2000000"}
    response = client.get(f"{BASE}/vietqr", query_string=query)
    assert response.status_code == 422 and "1000000" in response.json["errors"]["amount"][0]


def test_banks_are_listed_with_version(client):
    body = client.get(f"{BASE}/banks").json
    assert body["version"] and body["source"]
    bins = {bank["bin"]: bank for bank in body["items"]}
    assert bins["970436"]["short_name"] == "Vietcombank"
    assert bins["970414"]["former_names"]  # OceanBank, now MBV


def test_codes_are_counted_per_agency_and_month(client, admin):
    account = client.post(
        f"{BASE}/admin/fee-accounts",
        headers=admin.headers,
        json={
            "agency_code": "UBND-LH",
            "agency_name": "UBND phường Long Hoa",
            "bank_bin": "970405",
            "account_number": "7100201000001",
            "account_name": "UBND PHUONG LONG HOA",
        },
    )
    assert account.status_code == 201, account.json
    for _ in range(2):
        client.get(f"{BASE}/vietqr", query_string={"bank": "970405", "account": "7100201000001"})
    client.get(f"{BASE}/vietqr", query_string={"bank": "970436", "account": "1"})
    figures = client.get("/api/v1/ioc/metrics", headers=admin.headers).json
    codes = figures["utilities"]["payments"]["qr_codes_by_agency_month"]
    assert sorted(codes) == ["UBND-LH", "other"]
    assert list(codes["UBND-LH"].values()) == [2]


@pytest.mark.smartapp_config(SMARTAPP_REDIS_URL="redis://127.0.0.1:6379/9")
def test_with_redis_configured(client):
    import redis

    redis.Redis.from_url("redis://127.0.0.1:6379/9").flushdb()
    response = client.get(f"{BASE}/vietqr", query_string={"bank": "970416", "account": "257678859"})
    assert response.json["payload"].endswith("6304AE9F")
    db.session.rollback()


@pytest.mark.parametrize(
    "path",
    [
        "/places/%00",
        "/places/a%00b",
        "/fee-items/%00",
        "/fee-items/%00/vietqr",
        "/guides/%00",
        "/guides/A%20B",
    ],
)
def test_hostile_paths_are_404_envelopes(client, path):
    response = client.get(f"{BASE}{path}")
    assert response.status_code == 404 and response.is_json


@pytest.mark.parametrize(
    "query",
    [
        {"bank": "970436", "account": "1\x002"},
        {"bank": "97\x0036", "account": "1"},
        {"bank": "970436", "account": "1", "purpose": "a\x00b"},
    ],
)
def test_nul_bytes_in_the_query_are_4xx(client, query):
    response = client.get(f"{BASE}/vietqr", query_string=query)
    assert 400 <= response.status_code < 500 and response.is_json


def test_openapi_documents_the_routes(client):
    paths = client.get("/api/openapi.json").json["paths"]
    assert {
        f"{BASE}/vietqr",
        f"{BASE}/places",
        f"{BASE}/places.geojson",
        f"{BASE}/banks",
        f"{BASE}/fee-accounts",
        f"{BASE}/guides",
    } <= set(paths)


def test_scanned_codes_are_decoded_leniently_and_checked(client):
    response = client.get(
        f"{BASE}/vietqr/decode", query_string={"payload": SUBIZ[:-4] + SUBIZ[-4:].lower()}
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert (
        body["bin"],
        body["bank"]["short_name"],
        body["account"],
        body["amount"],
        body["purpose"],
    ) == ("970415", "VietinBank", "0011001932418", 120000, "ung ho lu lut")
    damaged = client.get(f"{BASE}/vietqr/decode", query_string={"payload": SUBIZ[:-1] + "D"})
    assert damaged.status_code == 422 and "checksum" in damaged.json["errors"]["payload"][0]
    short = client.get(f"{BASE}/vietqr/decode", query_string={"payload": "x"})
    assert short.status_code == 422 and "payload" in short.json["errors"]
