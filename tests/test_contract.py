"""The API keeps its published contract: every route answers what ``/api/openapi.json``
says (schemathesis generates the requests), never a 5xx, and every error of every kind is the
one JSON envelope ``{"code", "status", "message", ("errors")}``."""

from __future__ import annotations

import base64
import json
import secrets
import tempfile
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from marshmallow import Schema, fields, validate
from schemathesis import checks

from smartapp import create_app
from smartapp.plugin import (
    Blueprint,
    CursorPageArgs,
    Page,
    Plugin,
    WardCodeField,
    abort,
    citizen_required,
    current_citizen,
    page_schema,
    paginate_sequence,
    staff_required,
)

# --- a small plugin, so that plugin routes are in the document too -------------------------


class ItemSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    ward_code = fields.Integer(allow_none=True, required=True)


class ItemQuerySchema(CursorPageArgs):
    q = fields.String(validate=validate.Length(min=1, max=100))


class ItemCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=80))
    ward_code = WardCodeField(required=True)
    copies = fields.Integer(load_default=1, validate=validate.Range(1, 100))


class ItemCreatedSchema(ItemCreateSchema):
    id = fields.Integer(required=True)
    owner = fields.Integer(required=True)


class CountSchema(Schema):
    items = fields.Integer(required=True)


ITEMS = [{"id": n, "title": f"Thủ tục số {n}", "ward_code": None} for n in range(1, 31)]

notebook = Blueprint("notebook", __name__, description="Test utility")


@notebook.route("/items")
@notebook.arguments(ItemQuerySchema, location="query")
@notebook.response(200, page_schema(ItemSchema))
def list_items(args: dict[str, Any]) -> Page[dict[str, Any]]:
    """Items, filtered by title."""
    needle = args.get("q", "").casefold()
    found = [item for item in ITEMS if needle in item["title"].casefold()]
    return paginate_sequence(found, lambda item: item["id"], int, args)


@notebook.route("/items/<int:item_id>")
@notebook.response(200, ItemSchema)
@notebook.alt_response(404, response="DEFAULT_ERROR")
def get_item(item_id: int) -> dict[str, Any]:
    """One item."""
    if not 1 <= item_id <= len(ITEMS):
        abort(404)
    return ITEMS[item_id - 1]


@notebook.route("/items", methods=["POST"])
@notebook.arguments(ItemCreateSchema)
@notebook.response(201, ItemCreatedSchema)
@citizen_required
def create_item(body: dict[str, Any]) -> dict[str, Any]:
    """A citizen's item (echoed, not stored)."""
    return {**body, "id": len(ITEMS) + 1, "owner": current_citizen().id}


@notebook.route("/stats")
@notebook.response(200, CountSchema)
@staff_required(permission="notebook:read")
def stats() -> dict[str, int]:
    """How many items there are (staff)."""
    return {"items": len(ITEMS)}


@notebook.route("/crash")
@notebook.response(200, CountSchema)
def crash() -> dict[str, int]:
    """Raises, as a plugin's bug would; excluded from the schemathesis run."""
    raise RuntimeError("secret internals: /srv/db password=hunter2")


class NotebookPlugin(Plugin):
    """Notebook (test plugin)"""

    slug = "notebook"
    version = "1.0.0"
    core_requires = ">=0.1"
    title = {"vi": "Sổ tay", "en": "Notebook"}
    blueprint = notebook
    permissions = {"read": {"vi": "Xem", "en": "Read"}}


@pytest.fixture
def smartapp_plugins():
    return [NotebookPlugin]


# --- schemathesis over the whole document ---------------------------------------------------

CONTRACT_CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def published_document() -> dict[str, Any]:
    """The OpenAPI document of an app with the test plugin, read once at collection time:
    schemathesis makes one test per operation from it. (Its lazy ``from_fixture`` loader
    breaks on pytest 9.2, which removed ``Item._nodeid``.)"""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SMARTAPP_ENV": "testing",
                "SMARTAPP_DATABASE_URL": f"sqlite:///{folder}/db",
                "SMARTAPP_SECRET_KEY": secrets.token_urlsafe(32),
                "SMARTAPP_REDIS_URL": "",
                "SMARTAPP_FIREBASE_PROJECT_ID": "",
            },
            plugins=[NotebookPlugin],
            instance_path=folder,
        )
        return app.test_client().get("/api/openapi.json").json


DOCUMENT = published_document()
contract = schemathesis.openapi.from_dict(DOCUMENT).exclude(path_regex="/crash$")


@contract.parametrize()
@settings(max_examples=25, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_route_keeps_the_contract(case, app, admin, citizen):
    # as each kind of caller: anonymous, a citizen, staff (each gets 401 or 403 where the
    # route is not theirs, and those answers must be documented too)
    for headers in ({}, citizen.headers, admin.headers):
        case.call_and_validate(app=app, headers=headers, checks=CONTRACT_CHECKS)


def test_the_tested_app_publishes_the_same_document(client):
    assert client.get("/api/openapi.json").json == DOCUMENT


def test_the_document_lists_core_and_plugin_routes(client):
    document = client.get("/api/openapi.json").json
    assert document["openapi"].startswith("3.")
    for path in (
        "/api/v1/me",
        "/api/v1/auth/staff/token",
        "/api/v1/admin/plugins",
        "/api/v1/u/notebook/items",
        "/api/v1/u/notebook/items/{item_id}",
    ):
        assert path in document["paths"], path
    assert document["paths"]["/api/v1/u/notebook/stats"]["get"]["security"] == [{"bearerAuth": []}]


# --- every kind of error is the envelope (checked by hand) ------------------------------------


def test_404_unknown_url(client, error_envelope):
    error_envelope(client.get("/api/v1/no-such-thing"), 404)
    error_envelope(client.get("/api/v1/u/no-such-plugin/items"), 404)
    error_envelope(client.get("/api/v1/u/notebook/items/999"), 404)


def test_405_wrong_method(client, error_envelope):
    response = client.delete("/api/v1/auth/staff/token")
    error_envelope(response, 405)
    assert "POST" in response.headers["Allow"]


@pytest.mark.smartapp_config(SMARTAPP_MAX_CONTENT_LENGTH="1024")
@pytest.mark.parametrize(
    "path", ["/api/v1/auth/dev/sign-in", "/api/v1/auth/staff/token", "/api/v1/u/notebook/items"]
)
def test_413_body_over_the_limit(client, citizen, error_envelope, path):
    body = {"phone_number": "+84912345678", "title": "x" * 2048, "email": "a@b.vn"}
    error_envelope(client.post(path, json=body, headers=citizen.headers), 413)


def test_400_malformed_json(client, error_envelope):
    response = client.post(
        "/api/v1/auth/staff/token", data="{not json", content_type="application/json"
    )
    error_envelope(response, 400, fields={"json"})  # the body as a whole is the bad field


def test_422_names_every_bad_field(client, citizen, error_envelope):
    response = client.post(
        "/api/v1/u/notebook/items",
        headers=citizen.headers,
        json={"title": "", "ward_code": 70, "copies": 0, "colour": "red"},
    )
    error_envelope(response, 422, fields={"title", "ward_code", "copies", "colour"})

    query = client.get("/api/v1/u/notebook/items?limit=0&cursor=not-a-cursor")
    error_envelope(query, 422, fields={"limit"})
    cursor = client.get("/api/v1/u/notebook/items?cursor=not-a-cursor")
    error_envelope(cursor, 422, fields={"cursor"})


def cursor_of(*values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode()


@pytest.mark.parametrize("position", [10**30, -(10**30), 2**31])
def test_forged_cursor_out_of_the_database_range_is_422(client, admin, error_envelope, position):
    response = client.get(
        "/api/v1/admin/staff", query_string={"cursor": cursor_of(position)}, headers=admin.headers
    )
    error_envelope(response, 422, fields={"cursor"})


def test_429_after_too_many_attempts(client, error_envelope):
    for _ in range(5):
        client.post("/api/v1/auth/staff/token", json={"email": "a@b.vn", "password": "guess"})
    limited = client.post("/api/v1/auth/staff/token", json={"email": "a@b.vn", "password": "guess"})
    error_envelope(limited, 429)


def test_500_is_the_envelope_without_internals(app, client, error_envelope, caplog):
    app.testing = False  # answer as in production instead of re-raising into the test
    response = client.get("/api/v1/u/notebook/crash")
    body = error_envelope(response, 500)
    assert "hunter2" not in response.get_data(as_text=True)
    assert body["message"] == "Lỗi hệ thống, chúng tôi đã ghi nhận."
    assert "hunter2" in caplog.text  # logged for the operators instead


def test_errors_speak_english_when_asked(client, error_envelope):
    body = error_envelope(client.get("/api/v1/me", headers={"Accept-Language": "en"}), 401)
    assert body["message"] == "Sign-in is required."


def test_unstorable_text_is_refused_naming_the_field(client, citizen):
    query = client.get("/api/v1/locations/wards", query_string={"q": "tan\x00ninh"})
    assert query.status_code == 422 and query.json["errors"] == {
        "q": ["must be valid text: no NUL character, no lone surrogate"]
    }
    body = client.patch("/api/v1/me", json={"display_name": "An\x00"}, headers=citizen.headers)
    assert body.status_code == 422 and list(body.json["errors"]) == ["display_name"]
    # a lone surrogate is valid JSON but no database stores it; anonymous routes too
    raw = b'{"email": "a@b.vn", "password": "\\ud800"}'
    token = client.post("/api/v1/auth/staff/token", data=raw, content_type="application/json")
    assert token.status_code == 422 and list(token.json["errors"]) == ["password"]
    named = client.patch(
        "/api/v1/me",
        data=b'{"display_name": "\\udfff"}',
        content_type="application/json",
        headers=citizen.headers,
    )
    assert named.status_code == 422 and list(named.json["errors"]) == ["display_name"]
    assert client.get("/api/v1/me", headers=citizen.headers).json["display_name"] is None


def test_anonymous_callers_get_401_before_their_body_is_read(client):
    response = client.post("/api/v1/admin/staff", json={"bogus": 1})
    assert response.status_code == 401 and "errors" not in response.json
    assert client.patch("/api/v1/me", json={"bogus": 1}).status_code == 401


def test_a_json_body_under_another_content_type_is_a_415(client, citizen):
    response = client.patch(
        "/api/v1/me", data='{"language": "en"}', content_type="text/plain", headers=citizen.headers
    )
    assert response.status_code == 415
    assert response.json["errors"] == {"Content-Type": ["must be application/json"]}
    assert client.get("/api/v1/me", headers=citizen.headers).json["language"] == "vi"


def test_ids_beyond_an_integer_column_are_404_not_500(client, admin):
    response = client.patch(
        f"/api/v1/admin/staff/{2**40}", json={"active": False}, headers=admin.headers
    )
    assert response.status_code == 404 and response.json["code"] == 404
