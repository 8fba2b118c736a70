"""Open311 ``POST requests``: administrators' API keys, the plugin's own submit checks,
and ``media_url`` photos fetched without SSRF."""

from __future__ import annotations

from typing import Any

import pytest
from smartapp_feedback.open311 import ApiKey

from smartapp.plugin import db

V2 = "/open311/v2"
KEYS = "/api/v1/u/feedback/admin/open311-keys"
PLACE = {"lat": "11.3101", "long": "106.0983"}


def post(client: Any, fmt: str = "json", **form: Any) -> Any:
    return client.post(f"{V2}/requests.{fmt}", data=form)


def test_keys_are_issued_by_admins_stored_hashed_and_audited(
    client, admin, make_staff, app, api_key
):
    with app.app_context():
        stored = db.session.scalars(db.select(ApiKey)).one()
        assert stored.digest != api_key and api_key not in stored.digest
    listed = client.get(KEYS, headers=admin.headers).json
    assert [k["name"] for k in listed] == ["Tây Ninh 1022"] and "api_key" not in listed[0]
    staff = make_staff("agency_staff", agency_code="SXD")
    assert client.post(KEYS, json={"name": "x"}, headers=staff.headers).status_code == 403
    audit = client.get("/api/v1/admin/audit", headers=admin.headers).json["items"]
    assert audit[0]["action"] == "feedback.open311_key.issue"


def test_a_report_through_open311_goes_through_the_plugins_checks(client, admin, api_key):
    answer = post(
        client,
        api_key=api_key,
        service_code="road-damage",
        description="Ổ gà lớn\nTrước chợ",
        **PLACE,
        **{"attribute[size]": "large"},
        address_string="Chợ Tây Ninh",
        first_name="Lê",
        last_name="Văn C",
        phone="+84912345678",
    )
    assert answer.status_code == 201, answer.json
    [created] = answer.json
    assert created["expected_datetime"]
    report = client.get(f"{V2}/requests/{created['service_request_id']}.json").json[0]
    assert report["address"] == "Chợ Tây Ninh" and report["service_code"] == "road-damage"
    text = client.get(f"{V2}/requests.xml").get_data(as_text=True)
    assert "Văn C" not in text and "+84912345678" not in text
    staff_view = client.get(
        f"/api/v1/u/feedback/admin/reports/{created['service_request_id']}", headers=admin.headers
    ).json
    assert staff_view["privacy"] == "hidden" and staff_view["title"] == "Ổ gà lớn"
    token = client.get(f"{V2}/tokens/{created['service_request_id']}.xml")
    assert token.status_code == 200 and b"<token>" in token.data


def test_list_attributes(client, admin, api_key):
    response = client.post(
        "/api/v1/u/feedback/admin/categories",
        headers=admin.headers,
        json={
            "code": "lights",
            "name": {"vi": "Đèn"},
            "agency_code": "SXD",
            "priority": "normal",
            "resolve_hours": 8,
            "questions": [
                {
                    "code": "kinds",
                    "datatype": "multivaluelist",
                    "required": True,
                    "order": 1,
                    "description": {"vi": "Loại"},
                    "values": [
                        {"key": "a", "name": {"vi": "A"}},
                        {"key": "b", "name": {"vi": "B"}},
                    ],
                }
            ],
        },
    )
    assert response.status_code == 201, response.json
    answer = client.post(
        f"{V2}/requests.json",
        data={
            "api_key": api_key,
            "service_code": "lights",
            **PLACE,
            "description": "Tắt đèn",
            "attribute[kinds][]": ["a", "b"],
        },
    )
    assert answer.status_code == 201, answer.json


@pytest.mark.parametrize(
    ("form", "status", "names"),
    [
        ({"api_key": "wrong"}, 403, "api_key"),
        ({}, 403, "api_key"),
        ({"service_code": "nope"}, 404, "nope"),
        ({"service_code": ""}, 400, "service_code"),
        ({"lat": ""}, 400, "lat"),
        ({"lat": "10.0"}, 400, "lat"),
        ({"attribute[size]": "huge"}, 400, "attribute[size]"),
        ({"attribute[other]": "x"}, 400, "attribute[other]"),
        ({"media_url": "file:///etc/passwd"}, 400, "media_url"),
        ({"phone": "9" * 30}, 400, "phone"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_submissions_save_nothing(client, api_key, form, status, names, fmt):
    body = {
        "api_key": api_key,
        "service_code": "road-damage",
        "description": "Ổ gà",
        **PLACE,
        "attribute[size]": "large",
        **form,
    }
    body = {
        k: v
        for k, v in body.items()
        if not (k == "api_key" and "api_key" not in form and form == {})
    }
    answer = post(client, fmt, **body)
    assert answer.status_code == status
    assert names in answer.get_data(as_text=True)
    assert client.get(f"{V2}/requests.json").json == []


def test_posting_is_rate_limited_per_address_in_the_specs_format(client, admin, api_key):
    client.put(
        "/api/v1/admin/plugins/feedback/settings",
        headers=admin.headers,
        json={"writes_per_address": "1/hour"},
    )
    fields = {
        "api_key": api_key,
        "service_code": "road-damage",
        "description": "Ổ gà",
        **PLACE,
        "attribute[size]": "large",
    }
    assert post(client, **fields).status_code == 201
    limited = post(client, "xml", **fields)
    assert limited.status_code == 429 and limited.headers.get("Retry-After")
    assert b"<code>429</code>" in limited.data
