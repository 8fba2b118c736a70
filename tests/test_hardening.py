"""Issue 6: no 500 from any input, tokens that mean what they say, no lock-outs, headers."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select

from smartapp.config import ConfigurationError, Settings
from smartapp.extensions import db
from smartapp.identity.models import AuditEntry, Role
from smartapp.testing import TEST_PASSWORD
from tests.support.gunicorn import serve

TOKEN = "/api/v1/auth/staff/token"

# --- bodies Python's json cannot read, or too deep ---------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "[" * 600 + "]" * 600,  # json reads it; refused for its depth
        "[" * 100_000 + "]" * 100_000,  # RecursionError inside json
        '{"phone_number": ' + "9" * 5_000 + "}",  # over Python's 4,300-digit limit
        '{"a":' * 40 + "1" + "}" * 40,
    ],
)
def test_unreadable_or_too_deep_json_is_a_400_naming_the_body(client, error_envelope, body):
    response = client.post("/api/v1/auth/dev/sign-in", data=body, content_type="application/json")
    assert error_envelope(response, 400, fields={"json"})
    # a route that reads no body is not troubled by one
    assert client.get("/healthz", data=body, content_type="application/json").status_code == 200
    # nor is the sign-in rate limit key, which reads the body before the route does
    token = client.post(TOKEN, data=body, content_type="application/json")
    error_envelope(token, 400, fields={"json"})


def test_a_body_at_the_depth_limit_reaches_its_schema(client, citizen, error_envelope):
    nested: object = 1
    for _ in range(31):  # 32 levels under the top-level object
        nested = [nested]
    response = client.patch(
        "/api/v1/me", json={"display_name": "An", "x": nested}, headers=citizen.headers
    )
    error_envelope(response, 422, fields={"x"})  # read, then refused as an unknown field
    deeper = client.patch(
        "/api/v1/me", json={"display_name": "An", "x": [nested]}, headers=citizen.headers
    )
    error_envelope(deeper, 400, fields={"json"})


def test_unstorable_text_deep_in_a_body_names_its_field(client, citizen, error_envelope):
    raw = b'{"display_name": "An", "language": "vi", "x": [[{"y": "\\u0000"}]]}'
    response = client.patch(
        "/api/v1/me", data=raw, content_type="application/json", headers=citizen.headers
    )
    error_envelope(response, 422, fields={"y"})


@pytest.mark.parametrize("cursor", ["WyJcdTAwMDAiXQ==", "WyJcdWQ4MDAiXQ=="])
def test_cursors_holding_unstorable_text_are_a_422(client, admin, error_envelope, cursor):
    response = client.get(
        "/api/v1/admin/staff", query_string={"cursor": cursor}, headers=admin.headers
    )
    error_envelope(response, 422, fields={"cursor"})


# --- tokens ---------------------------------------------------------------------------------


def test_a_bad_token_is_401_even_on_a_public_route(client, error_envelope):
    for token in ("dev.garbage", "staff.garbage", "garbage"):
        response = client.get(
            "/api/v1/locations/wards",
            query_string={"limit": 1},
            headers={"Authorization": f"Bearer {token}"},
        )
        error_envelope(response, 401)
    assert client.get("/api/v1/locations/wards", query_string={"limit": 1}).status_code == 200


def test_a_valid_token_of_the_wrong_kind_is_403(client, citizen, admin, error_envelope):
    error_envelope(client.get("/api/v1/admin/staff", headers=citizen.headers), 403)
    error_envelope(client.get("/api/v1/me", headers=admin.headers), 403)
    error_envelope(client.get("/api/v1/admin/staff"), 401)


def test_authentication_comes_before_validation(client, error_envelope):
    body = client.patch("/api/v1/admin/staff/1", json={"role": "a\u0000"})
    assert "errors" not in error_envelope(body, 401)


def test_closing_an_account_through_the_api_revokes_its_tokens(client, admin, make_staff):
    clerk = make_staff(Role.COMMUNICATOR)
    url = f"/api/v1/admin/staff/{clerk.account.id}"
    assert client.patch(url, json={"active": False}, headers=admin.headers).status_code == 200
    assert client.patch(url, json={"active": True}, headers=admin.headers).status_code == 200
    # reopened, but the token issued before the closing stays dead
    assert client.get("/api/v1/admin/plugins", headers=clerk.headers).status_code == 401
    fresh = client.post(TOKEN, json={"email": clerk.account.email, "password": TEST_PASSWORD})
    assert fresh.status_code == 200


def test_the_last_active_admin_stays_one(app, client, admin, make_staff, error_envelope):
    url = f"/api/v1/admin/staff/{admin.account.id}"
    for change, field in (({"role": "communicator"}, "role"), ({"active": False}, "active")):
        body = error_envelope(
            client.patch(url, json=change, headers=admin.headers), 409, fields={field}
        )
        assert "last active admin" in body["message"]
    cli = app.test_cli_runner().invoke(args=["staff", "deactivate", admin.account.email])
    assert cli.exit_code == 2 and "last active admin" in cli.output
    other = make_staff(Role.ADMIN)
    assert (
        client.patch(url, json={"role": "communicator"}, headers=other.headers).status_code == 200
    )


def test_staff_changes_from_the_command_line_are_audited(app, client, admin, make_staff):
    runner = app.test_cli_runner()
    assert (
        runner.invoke(
            args=[
                "staff",
                "create",
                "so@tayninh.gov.vn",
                "--role",
                "communicator",
                "--password",
                TEST_PASSWORD,
            ]
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(
            args=["staff", "set-password", "so@tayninh.gov.vn", "--password", "another long one"]
        ).exit_code
        == 0
    )
    assert runner.invoke(args=["staff", "deactivate", "so@tayninh.gov.vn"]).exit_code == 0
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.actor, e.action) for e in entries] == [
        ("system", "staff.create"),
        ("system", "staff.password"),
        ("system", "staff.change"),
    ]


def test_post_staff_is_audited(client, admin):
    created = client.post(
        "/api/v1/admin/staff",
        headers=admin.headers,
        json={"email": "new@tayninh.gov.vn", "password": TEST_PASSWORD, "role": "communicator"},
    )
    assert created.status_code == 201
    audit = client.get("/api/v1/admin/audit", headers=admin.headers).json["items"]
    assert [(e["actor"], e["action"], e["object_id"]) for e in audit] == [
        (admin.account.email, "staff.create", str(created.json["id"]))
    ]


# --- no lock-outs ---------------------------------------------------------------------------


@pytest.mark.smartapp_config(SMARTAPP_PROXY_HOPS="1")
def test_a_stranger_cannot_lock_staff_out(client, admin, error_envelope):
    email = admin.account.email
    stranger = {"X-Forwarded-For": "203.0.113.9"}
    desk = {"X-Forwarded-For": "198.51.100.7"}
    wrong = {"email": email, "password": "guessing wrong"}
    statuses = [client.post(TOKEN, json=wrong, headers=stranger).status_code for _ in range(7)]
    assert statuses == [401] * 5 + [429] * 2  # from the 5th failure on, it must wait
    limited = client.post(TOKEN, json={"email": email, "password": TEST_PASSWORD}, headers=stranger)
    error_envelope(limited, 429)
    assert int(limited.headers["Retry-After"]) >= 1
    # the staff member at their own desk signs in at once, and failures there start at 0
    right = client.post(TOKEN, json={"email": email, "password": TEST_PASSWORD}, headers=desk)
    assert right.status_code == 200
    assert client.post(TOKEN, json=wrong, headers=desk).status_code == 401


def test_the_delays_grow_and_a_success_resets_them(app, client, admin, monkeypatch):
    from smartapp.identity import throttle

    assert [throttle.delay_after(n) for n in range(1, 9)] == [0, 0, 0, 0, 2, 4, 8, 16]
    assert throttle.delay_after(100) == throttle.MAX_DELAY_SECONDS
    email = admin.account.email
    for _ in range(3):
        client.post(TOKEN, json={"email": email, "password": "wrong password"})
    assert client.post(TOKEN, json={"email": email, "password": TEST_PASSWORD}).status_code == 200
    statuses = [
        client.post(TOKEN, json={"email": email, "password": "wrong password"}).status_code
        for _ in range(5)
    ]
    assert statuses == [401] * 5  # counted from zero again after the success


def test_the_per_address_limit_still_holds_spraying(client):
    statuses = [
        client.post(TOKEN, json={"email": f"u{n}@x.vn", "password": "wrong"}).status_code
        for n in range(22)
    ]
    assert statuses == [401] * 20 + [429] * 2


def test_the_development_sign_in_is_rate_limited(client):
    statuses = [
        client.post("/api/v1/auth/dev/sign-in", json={"phone_number": "+84912000001"}).status_code
        for _ in range(31)
    ]
    assert statuses == [200] * 30 + [429]


# --- headers --------------------------------------------------------------------------------


def test_security_headers(client, citizen):
    me = client.get("/api/v1/me", headers=citizen.headers)
    assert me.headers["X-Content-Type-Options"] == "nosniff"
    assert me.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in me.headers["Content-Security-Policy"]
    token = client.post("/api/v1/auth/dev/sign-in", json={"phone_number": "+84912000002"})
    assert token.headers["Cache-Control"] == "no-store"
    wards = client.get("/api/v1/locations/wards", query_string={"limit": 1})
    assert wards.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in wards.headers.get("Cache-Control", "")
    docs = client.get("/api/docs")
    assert docs.mimetype == "text/html"
    assert "frame-ancestors 'none'" in docs.headers["Content-Security-Policy"]
    assert "default-src 'self'" in docs.headers["Content-Security-Policy"]
    assert docs.headers["X-Frame-Options"] == "DENY"
    assert client.get("/api/v1/utilities").headers["X-Content-Type-Options"] == "nosniff"
    # the same anonymous request again is replayed before Flask, with the same headers
    assert client.get("/api/v1/utilities").headers["X-Content-Type-Options"] == "nosniff"


def test_options_is_answered_properly_and_cors_is_off_by_default(client):
    response = client.options(
        "/api/v1/me",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "PATCH"},
    )
    assert response.status_code == 204 and response.data == b""
    assert "PATCH" in response.headers["Allow"]
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.smartapp_config(SMARTAPP_CORS_ORIGINS="https://dichvu.tayninh.gov.vn")
def test_cors_for_the_allowed_origins_only(client):
    allowed = client.options(
        "/api/v1/me",
        headers={
            "Origin": "https://dichvu.tayninh.gov.vn",
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "Authorization",
        },
    )
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://dichvu.tayninh.gov.vn"
    assert "PATCH" in allowed.headers["Access-Control-Allow-Methods"]
    other = client.get("/api/v1/locations/wards", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_cors_origins_must_be_origins(tmp_path):
    with pytest.raises(ConfigurationError, match="SMARTAPP_CORS_ORIGINS"):
        Settings.from_env({"SMARTAPP_CORS_ORIGINS": "https://ok.vn, *"}, tmp_path)


def test_the_secret_key_must_have_32_characters(tmp_path):
    production = {
        "SMARTAPP_ENV": "production",
        "SMARTAPP_FIREBASE_PROJECT_ID": "p",
        "SMARTAPP_DATABASE_URL": "postgresql+psycopg://x/y",
    }
    with pytest.raises(ConfigurationError, match="32 characters"):
        Settings.from_env({**production, "SMARTAPP_SECRET_KEY": "k" * 31}, tmp_path).check()
    Settings.from_env({**production, "SMARTAPP_SECRET_KEY": "k" * 32}, tmp_path).check()


# --- gunicorn's own answers -----------------------------------------------------------------

WSGI = """
from smartapp import create_app
app = create_app()
"""


@pytest.fixture
def gunicorn(app, smartapp_database, tmp_path):
    env = {
        "SMARTAPP_DATABASE_URL": smartapp_database.url,
        "SMARTAPP_REDIS_URL": "",
        "SMARTAPP_ENV": "testing",
        "SMARTAPP_SECRET_KEY": app.config["SECRET_KEY"],
        "SMARTAPP_MAX_CONTENT_LENGTH": "1024",
    }
    with serve(WSGI, tmp_path, env) as base:
        yield base


def _raw(base: str, request: bytes) -> tuple[str, bytes]:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.decode("latin-1"), body


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-%d: 1\r\n" % n for n in range(60))
            + b"\r\n",
            431,
        ),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 431),
        (b"NOT A REQUEST LINE\r\n\r\n", 400),
    ],
)
def test_gunicorn_answers_its_own_errors_with_the_envelope(gunicorn, request_bytes, status):
    import json

    head, body = _raw(gunicorn, request_bytes)
    assert head.startswith(f"HTTP/1.1 {status} "), head
    assert "Content-Type: application/json" in head
    envelope = json.loads(body)
    assert envelope["code"] == status and envelope["status"] and envelope["message"]


def test_a_chunked_body_over_the_limit_is_a_413(gunicorn):
    import json

    chunk = b"a" * 2000
    request = (
        b"POST /api/v1/auth/dev/sign-in HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n" + b"%x\r\n" % len(chunk) + chunk + b"\r\n0\r\n\r\n"
    )
    head, body = _raw(gunicorn, request)
    assert head.startswith("HTTP/1.1 413 "), head
    assert json.loads(body)["code"] == 413
