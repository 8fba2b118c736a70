"""Places accepting cashless payment: staff writes (audited), filters, folded search,
nearest first, cursor pages, GeoJSON, CSV import all or nothing."""

from __future__ import annotations

import io

import pytest
from smartapp_payments import PaymentsPlugin

from smartapp.plugin import db

BASE = "/api/v1/u/payments"
PLACE = {
    "code": "TN-SIEU-THI",
    "name": "Siêu thị Co.opmart Tây Ninh",
    "category": "supermarket",
    "ward_code": 25459,
    "address": "Đường 30/4, Tân Ninh",
    "latitude": 11.3102,
    "longitude": 106.0987,
    "methods": ["vietqr", "card", "momo"],
    "opening_hours": "7:30–22:00",
    "verified_on": "2025-11-01",
}


@pytest.fixture
def loaded(client, manager, fixtures):
    with (fixtures / "places.csv").open("rb") as csv_file:
        response = client.post(
            f"{BASE}/admin/places/import",
            headers=manager.headers,
            data={"file": (csv_file, "places.csv")},
        )
    assert response.status_code == 200, response.json
    assert response.json == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0}


def codes(response):
    assert response.status_code == 200, response.json
    return [place["code"] for place in response.json["items"]]


def test_staff_create_update_retire_audited(client, manager, audit_actions):
    created = client.post(f"{BASE}/admin/places", json=PLACE, headers=manager.headers)
    assert created.status_code == 201, created.json
    assert created.json["methods"] == ["card", "momo", "vietqr"]
    assert (
        client.post(f"{BASE}/admin/places", json=PLACE, headers=manager.headers).status_code == 409
    )
    patched = client.patch(
        f"{BASE}/admin/places/TN-SIEU-THI",
        headers=manager.headers,
        json={"methods": ["zalopay"], "name": "Siêu thị Đồng Xoài"},
    )
    assert patched.status_code == 200 and patched.json["methods"] == ["zalopay"]
    assert codes(client.get(f"{BASE}/places", query_string={"q": "dong xoai"})) == ["TN-SIEU-THI"]
    assert (
        client.delete(f"{BASE}/admin/places/TN-SIEU-THI", headers=manager.headers).status_code
        == 204
    )
    assert client.get(f"{BASE}/places/TN-SIEU-THI").status_code == 404
    assert audit_actions() == [
        "payments.place.create",
        "payments.place.update",
        "payments.place.retire",
    ]


def test_staff_routes_need_the_permission(client, make_staff, citizen):
    plain = make_staff("communicator")
    assert client.post(f"{BASE}/admin/places", json=PLACE).status_code == 401
    assert (
        client.post(f"{BASE}/admin/places", json=PLACE, headers=citizen.headers).status_code == 403
    )
    assert client.post(f"{BASE}/admin/places", json=PLACE, headers=plain.headers).status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ward_code": 1}, "ward_code"),
        ({"category": "casino"}, "category"),
        ({"methods": []}, "methods"),
        ({"methods": ["cash"]}, "methods"),
        ({"latitude": 91}, "latitude"),
        ({"verified_on": "2999-01-01"}, "verified_on"),
        ({"code": "has space"}, "code"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_places_are_422_naming_the_field(client, manager, change, field):
    response = client.post(
        f"{BASE}/admin/places", json={**PLACE, **change}, headers=manager.headers
    )
    assert response.status_code == 422 and field in response.json["errors"], response.json


def test_filters_and_search_without_diacritics(client, loaded):
    assert codes(client.get(f"{BASE}/places", query_string={"ward_code": 25630})) == [
        "TN-CHO-LONG-HOA"
    ]
    assert codes(client.get(f"{BASE}/places", query_string={"category": "hospital"})) == [
        "TN-BV-TINH"
    ]
    assert codes(client.get(f"{BASE}/places", query_string={"method": "zalopay"})) == [
        "TN-DIEN-LUC"
    ]
    assert codes(client.get(f"{BASE}/places", query_string={"q": "cho long hoa"})) == [
        "TN-CHO-LONG-HOA"
    ]
    assert codes(client.get(f"{BASE}/places", query_string={"q": "ĐIỆN lực"})) == ["TN-DIEN-LUC"]
    assert codes(client.get(f"{BASE}/places", query_string={"q": "%"})) == codes(
        client.get(f"{BASE}/places")
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"ward_code": "abc"}, "ward_code"),
        ({"method": "cash"}, "method"),
        ({"near": "11.3"}, "near"),
        ({"near": "nan,106"}, "near"),
        ({"near": "95,106"}, "near"),
        ({"cursor": "bogus"}, "cursor"),
        ({"limit": "0"}, "limit"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_bad_queries_are_422(client, query, field):
    response = client.get(f"{BASE}/places", query_string=query)
    assert response.status_code == 422 and field in response.json["errors"], response.json


def test_nearest_first_with_cursor_pages(client, loaded):
    near = {"near": "11.2900,106.1300", "limit": 1, "radius_km": 100}
    first = client.get(f"{BASE}/places", query_string=near).json
    assert [p["code"] for p in first["items"]] == ["TN-CHO-LONG-HOA"]
    assert first["items"][0]["distance_km"] < 0.2
    second = client.get(
        f"{BASE}/places", query_string={**near, "cursor": first["next_cursor"]}
    ).json
    third = client.get(
        f"{BASE}/places", query_string={**near, "cursor": second["next_cursor"]}
    ).json
    assert [p["code"] for p in second["items"] + third["items"]] == ["TN-BV-TINH", "TN-DIEN-LUC"]
    assert third["next_cursor"] is None
    assert second["items"][0]["distance_km"] < third["items"][0]["distance_km"]
    close = client.get(f"{BASE}/places", query_string={**near, "radius_km": 5, "limit": 10})
    assert codes(close) == ["TN-CHO-LONG-HOA", "TN-BV-TINH"]


def test_id_order_pages(client, loaded):
    first = client.get(f"{BASE}/places", query_string={"limit": 2}).json
    rest = client.get(f"{BASE}/places", query_string={"cursor": first["next_cursor"]}).json
    assert len(first["items"]) == 2 and len(rest["items"]) == 1


def test_geojson(client, loaded):
    response = client.get(f"{BASE}/places.geojson", query_string={"bbox": "106.0,11.2,106.2,11.4"})
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    collection = response.json
    assert collection["type"] == "FeatureCollection"
    assert sorted(f["id"] for f in collection["features"]) == ["TN-BV-TINH", "TN-CHO-LONG-HOA"]
    feature = next(f for f in collection["features"] if f["id"] == "TN-CHO-LONG-HOA")
    assert feature["geometry"] == {"type": "Point", "coordinates": [106.1305, 11.2905]}
    assert feature["properties"]["methods"] == ["momo", "vietqr", "viettel_money"]
    assert feature["properties"]["verified_on"] == "2025-10-01"
    bad = client.get(f"{BASE}/places.geojson", query_string={"bbox": "106.2,11,106,12"})
    assert bad.status_code == 422 and "bbox" in bad.json["errors"]


def test_import_with_a_bad_row_writes_nothing(client, manager, fixtures, audit_actions):
    with (fixtures / "bad_places.csv").open("rb") as csv_file:
        response = client.post(
            f"{BASE}/admin/places/import",
            headers=manager.headers,
            data={"file": (csv_file, "bad.csv")},
        )
    assert response.status_code == 422
    errors = response.json["errors"]
    assert set(errors) == {"line 3.ward_code", "line 4.latitude", "line 4.methods", "line 5.code"}
    assert "repeats line 2" in errors["line 5.code"][0]
    assert codes(client.get(f"{BASE}/places")) == [] and audit_actions() == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe not utf-8", "UTF-8"),
        (b"code,colour\nA,red\n", "unknown columns"),
        (b"code,name\nA,B\n", "missing columns"),
        (b"", "missing columns"),
    ],
)
def test_import_refuses_unreadable_files(client, manager, content, message):
    response = client.post(
        f"{BASE}/admin/places/import",
        headers=manager.headers,
        data={"file": (io.BytesIO(content), "x.csv")},
    )
    assert response.status_code == 422 and message in response.json["errors"]["file"][0]


def test_import_twice_updates_by_code(client, loaded, manager, fixtures):
    with (fixtures / "places.csv").open("rb") as csv_file:
        again = client.post(
            f"{BASE}/admin/places/import",
            headers=manager.headers,
            data={"file": (csv_file, "places.csv")},
        )
    assert again.json == {"rows": 3, "created": 0, "updated": 0, "unchanged": 3}


def test_cli_import_shows_progress_and_refuses_bad_files(app, fixtures):
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["payments", "import-places", str(fixtures / "bad_places.csv")])
    assert bad.exit_code == 1 and "line 3" in bad.output and "nothing imported" in bad.output
    good = runner.invoke(args=["payments", "import-places", str(fixtures / "places.csv")])
    assert good.exit_code == 0, good.output
    assert "importing places" in good.output and "3 created" in good.output


def test_demo_data_is_marked_and_seeding_twice_adds_nothing(client, app):
    plugin = PaymentsPlugin()
    for _ in range(2):
        plugin.seed_demo()
        db.session.commit()
    places = client.get(f"{BASE}/places", query_string={"limit": 100}).json["items"]
    assert len(places) == 50 and all(place["demo"] for place in places)
    assert all(place["name"].endswith("(mẫu)") and "mẫu" in place["address"] for place in places)
    assert len({place["ward_code"] for place in places}) == 10
