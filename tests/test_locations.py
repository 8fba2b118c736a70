"""Wards and communes of Tây Ninh from the vietnam-provinces package."""

from __future__ import annotations

import pytest


def test_the_province_has_96_wards_and_communes(client):
    codes, cursor = [], None
    while True:
        query = {"limit": 40, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/locations/wards", query_string=query).json
        codes += [w["code"] for w in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(codes) == len(set(codes)) == 96
    assert 25459 in codes and 27694 in codes  # Phường Tân Ninh, Phường Long An


@pytest.mark.parametrize("query", ["tan ninh", "Tân Ninh", "TÂN NINH", "tân ninh"])
def test_name_filter_ignores_diacritics_and_case(client, query):
    items = client.get("/api/v1/locations/wards", query_string={"q": query}).json["items"]
    assert [w["name"] for w in items] == ["Phường Tân Ninh"]
    assert items[0] == {
        "code": 25459,
        "name": "Phường Tân Ninh",
        "division_type": "phường",
        "codename": "phuong_tan_ninh",
    }


def test_d_with_stroke_folds_to_d(client):
    names = [
        w["name"]
        for w in client.get("/api/v1/locations/wards", query_string={"q": "duc hoa"}).json["items"]
    ]
    assert names and all("Đức Hòa" in name for name in names)


@pytest.mark.parametrize("cursor", ["garbage", "WzFd", "eyJhIjoxfQ", "W10"])
def test_a_forged_cursor_is_a_422_on_cursor(client, cursor):
    response = client.get("/api/v1/locations/wards", query_string={"cursor": cursor})
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["cursor"]


def test_limit_is_bounded(client):
    response = client.get("/api/v1/locations/wards", query_string={"limit": 500})
    assert response.status_code == 422 and "limit" in response.json["errors"]


def test_a_fractional_ward_code_is_refused(client, citizen):
    response = client.patch("/api/v1/me", json={"ward_code": 25459.5}, headers=citizen.headers)
    assert response.status_code == 422 and list(response.json["errors"]) == ["ward_code"]
    assert (
        client.patch("/api/v1/me", json={"ward_code": 25459}, headers=citizen.headers).json[
            "ward_code"
        ]
        == 25459
    )
