"""The feedback plugin's tests: a real app with only this plugin loaded, on every database
given by ``--smartapp-databases``; photos are real image files made by Pillow here."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from PIL import Image
from smartapp_feedback import FeedbackPlugin
from smartapp_feedback.categories import seed_demo_categories

from smartapp.plugin import db
from smartapp.testing import SignedIn

API = "/api/v1/u/feedback"
#: Phường Tân Ninh, Tây Ninh's centre
TAN_NINH = {"latitude": 11.3101, "longitude": 106.0983, "ward_code": 25459}


@pytest.fixture
def smartapp_plugins() -> list[type]:
    return [FeedbackPlugin]


@pytest.fixture
def demo_categories(app) -> None:
    seed_demo_categories()
    db.session.commit()


@pytest.fixture
def generous_limits(client, admin) -> None:
    """For tests that submit more than a citizen may in an hour."""
    response = client.put(
        "/api/v1/admin/plugins/feedback/settings",
        headers=admin.headers,
        json={"reports_per_citizen": "1000/hour"},
    )
    assert response.status_code == 200


@pytest.fixture
def api_key(client, admin, demo_categories) -> str:
    """An Open311 API key issued by an administrator."""
    answer = client.post(
        f"{API}/admin/open311-keys", json={"name": "Tây Ninh 1022"}, headers=admin.headers
    )
    assert answer.status_code == 201
    key: str = answer.json["api_key"]
    return key


@pytest.fixture
def sxd_staff(make_staff) -> SignedIn:
    """Staff of the construction department, which handles roads and flooding."""
    return make_staff("agency_staff", agency_code="SXD")


@pytest.fixture
def other_agency_staff(make_staff) -> SignedIn:
    return make_staff("agency_staff", agency_code="SNNMT")


@pytest.fixture
def upload(client) -> Callable[..., Any]:
    """Upload a photo as ``who``: ``upload(citizen)`` (a small JPEG) or with other bytes."""

    def run(
        who: SignedIn, data: bytes | None = None, name: str = "photo.jpg", path: str = "/photos"
    ) -> Any:
        if data is None:
            buffer = io.BytesIO()
            Image.new("RGB", (64, 48), "orange").save(buffer, "JPEG")
            data = buffer.getvalue()
        body = {"file": (io.BytesIO(data), name)}
        return client.post(
            API + path, data=body, headers=who.headers, content_type="multipart/form-data"
        )

    return run


@pytest.fixture
def submit(client, upload, demo_categories) -> Callable[..., Any]:
    """Submit a report as ``who`` with one uploaded photo; ``**changes`` override the body."""

    def run(who: SignedIn, photos: int = 1, **changes: Any) -> Any:
        photo_ids = [upload(who).get_json()["id"] for _ in range(photos)]
        body = {
            "category": "road-damage",
            "title": "Ổ gà lớn trước chợ",
            "description": "Ổ gà sâu, xe máy dễ té.",
            **TAN_NINH,
            "answers": {"size": "large"},
            "photo_ids": photo_ids,
            "public": True,
            **changes,
        }
        return client.post(f"{API}/reports", json=body, headers=who.headers)

    return run


#: The GeoReport v2 answers' JSON Schemas, after open311/schema-validation's
#: ``schema/georeport-v2/*.json`` (service, services, service-definition, request, requests):
#: the same required fields, types and enums, restated here (that repository is no package),
#: plus the spec's error list.

_TEXT = {"anyOf": [{"type": "string"}, {"type": "null"}]}
_MOMENT = {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]}
_NUMBER = {"anyOf": [{"type": "number"}, {"type": "null"}]}

SERVICE: dict[str, Any] = {
    "type": "object",
    "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {
        "service_code": {"type": "string"},
        "service_name": {"type": "string"},
        "description": _TEXT,
        "metadata": {"type": "boolean"},
        "type": {"enum": ["realtime", "batch", "blackbox"]},
        "keywords": _TEXT,
        "group": _TEXT,
    },
}
SERVICES = {"type": "array", "items": SERVICE}

SERVICE_DEFINITION: dict[str, Any] = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {
        "service_code": {"type": "string"},
        "attributes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["variable", "code", "datatype", "required"],
                "properties": {
                    "variable": {"type": "boolean"},
                    "code": {"type": "string"},
                    "datatype": {
                        "enum": [
                            "string",
                            "number",
                            "datetime",
                            "text",
                            "singlevaluelist",
                            "multivaluelist",
                        ]
                    },
                    "required": {"type": "boolean"},
                    "datatype_description": _TEXT,
                    "order": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                    "description": _TEXT,
                    "values": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["key", "name"],
                            "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
                        },
                    },
                },
            },
        },
    },
}

REQUEST: dict[str, Any] = {
    "type": "object",
    "required": ["service_request_id", "status", "service_code", "requested_datetime"],
    "properties": {
        "service_request_id": {"type": "string"},
        "status": {"enum": ["open", "closed"]},
        "status_notes": _TEXT,
        "service_name": _TEXT,
        "service_code": {"type": "string"},
        "description": {"anyOf": [{"type": "string", "maxLength": 4000}, {"type": "null"}]},
        "agency_responsible": _TEXT,
        "service_notice": _TEXT,
        "requested_datetime": {"type": "string", "format": "date-time"},
        "updated_datetime": _MOMENT,
        "expected_datetime": _MOMENT,
        "address": _TEXT,
        "address_id": _TEXT,
        "zipcode": _TEXT,
        "lat": _NUMBER,
        "long": _NUMBER,
        "media_url": {"anyOf": [{"type": "string", "format": "uri"}, {"type": "null"}]},
    },
}
REQUESTS = {"type": "array", "items": REQUEST}

ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}

GEOREPORT = {
    "services": SERVICES,
    "service-definition": SERVICE_DEFINITION,
    "requests": REQUESTS,
    "errors": ERRORS,
}


@pytest.fixture
def georeport() -> Callable[[str, Any], Any]:
    """``georeport("requests", answer)``: the answer, once it fits that GeoReport schema."""

    def check(name: str, value: Any) -> Any:
        checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
        jsonschema.validate(value, GEOREPORT[name], format_checker=checker)
        return value

    return check


@pytest.fixture
def staff_step(client) -> Callable[..., Any]:
    """Take a workflow step as staff that must succeed: ``staff_step(sxd_staff, 12, "accept")``."""

    def run(who: SignedIn, report_id: int, action: str, **body: Any) -> Any:
        response = client.post(
            f"{API}/admin/reports/{report_id}/actions",
            json={"action": action, **body},
            headers=who.headers,
        )
        assert response.status_code == 200, response.get_json()
        return response

    return run
