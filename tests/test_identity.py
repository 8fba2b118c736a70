"""Who is calling: citizens signed in on the real Firebase Auth emulator, the development
sign-in, staff accounts (command line, bearer tokens, rate limit, revocation) and role checks."""

from __future__ import annotations

import base64
import json
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select
from vietnam_provinces import ProvinceCode, Ward

from smartapp.extensions import db
from smartapp.identity.models import Citizen, Role, Staff
from smartapp.identity.tokens import (
    DEVELOPMENT_PREFIX,
    DEVELOPMENT_TOKEN_MAX_AGE,
    STAFF_PREFIX,
    STAFF_TOKEN_MAX_AGE,
    DevelopmentVerifier,
)
from smartapp.locations.services import wards
from smartapp.plugin import Blueprint, Plugin, staff_required
from smartapp.testing import TEST_PASSWORD, with_plugins

PHONE = "+84912345678"
TOKEN_ROUTE = "/api/v1/auth/staff/token"
DEV_SIGN_IN = "/api/v1/auth/dev/sign-in"
ADMIN_ROUTE = "/api/v1/admin/plugins"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def citizen_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Citizen))


#: A real ward code of another province (Hà Nội's first ward).
WARD_OF_ANOTHER_PROVINCE = int(
    next(w for w in Ward.iter_all() if w.province_code != ProvinceCode(80)).code
)


def _segment(claims: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def expired(serializer: URLSafeTimedSerializer, payload: dict, max_age: int) -> str:
    """``payload`` signed exactly like the app's tokens, but issued ``max_age`` + 1 minute ago."""

    class IssuedLongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - max_age - 60

    old = URLSafeTimedSerializer(
        serializer.secret_keys[-1], salt=serializer.salt, signer=IssuedLongAgo
    )
    return old.dumps(payload)


# --- citizens signed in on the Firebase Auth emulator -------------------------------------


class TestFirebaseCitizens:
    @pytest.fixture
    def smartapp_config(self, firebase_config):
        return firebase_config

    def test_first_valid_token_creates_the_citizen_once(self, client, phone_sign_in):
        token = phone_sign_in(PHONE, name="Nguyễn Văn An")

        first = client.get("/api/v1/me", headers=bearer(token))
        assert first.status_code == 200, first.json
        assert first.json["phone_number"] == PHONE
        assert first.json["display_name"] == "Nguyễn Văn An"
        assert first.json["language"] == "vi"
        assert first.json["ward_code"] is None

        again = client.get("/api/v1/me", headers=bearer(phone_sign_in(PHONE)))
        assert again.json["id"] == first.json["id"]
        assert citizen_count() == 1

    def test_a_name_longer_than_the_profile_holds_never_locks_the_citizen_out(
        self, client, phone_sign_in
    ):
        # the device sets its own display name (client SDK), to anything
        token = phone_sign_in(PHONE, name="N" * 300)
        profile = client.get("/api/v1/me", headers=bearer(token))
        assert profile.status_code == 200 and profile.json["display_name"] == "N" * 120
        assert client.get("/api/v1/utilities", headers=bearer(token)).status_code == 200

    def test_patch_me_changes_the_profile(self, client, phone_sign_in, consent):
        headers = bearer(phone_sign_in(PHONE))
        consent(headers)
        ward = wards()[0].code

        response = client.patch(
            "/api/v1/me",
            headers=headers,
            json={"language": "en", "ward_code": ward, "display_name": "Lê Thị Bình"},
        )
        assert response.status_code == 200, response.json
        profile = client.get("/api/v1/me", headers=headers).json
        assert (profile["language"], profile["ward_code"], profile["display_name"]) == (
            "en",
            ward,
            "Lê Thị Bình",
        )

        cleared = client.patch("/api/v1/me", headers=headers, json={"ward_code": None})
        assert cleared.json["ward_code"] is None

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"ward_code": WARD_OF_ANOTHER_PROVINCE}, "ward_code"),
            ({"ward_code": 999_999_999}, "ward_code"),
            ({"language": "fr"}, "language"),
            ({"display_name": ""}, "display_name"),
            ({"nickname": "An"}, "nickname"),
        ],
    )
    def test_patch_me_names_the_bad_field_and_changes_nothing(
        self, client, phone_sign_in, error_envelope, body, field
    ):
        headers = bearer(phone_sign_in(PHONE, name="An"))
        before = client.get("/api/v1/me", headers=headers).json

        error_envelope(client.patch("/api/v1/me", headers=headers, json=body), 422, fields={field})
        assert client.get("/api/v1/me", headers=headers).json == before

    def test_invalid_tokens_get_401_and_create_nobody(self, client, phone_sign_in, error_envelope):
        token = phone_sign_in(PHONE)
        header, _, _ = token.split(".")
        other_project = {
            **_claims(token),
            "aud": "another-project",
            "iss": "https://securetoken.google.com/another-project",
        }
        for bad in (
            "garbage",
            token[: len(token) // 2],
            f"{header}.{_segment(other_project)}.",
            f"{header}.{_segment([1, 2])}.",
            "ü-not-ascii",
        ):
            response = client.get("/api/v1/me", headers=bearer(bad))
            body = error_envelope(response, 401)
            assert body["message"] == "Phiên đăng nhập không hợp lệ hoặc đã hết hạn.", bad
        assert citizen_count() == 0

    @pytest.mark.parametrize(
        "headers", [{}, {"Authorization": "Bearer "}, {"Authorization": "Basic dXNlcjpwYXNz"}]
    )
    def test_no_token_is_401(self, client, error_envelope, headers):
        error_envelope(client.get("/api/v1/me", headers=headers), 401)

    def test_staff_token_is_not_a_citizen(self, client, admin, error_envelope):
        error_envelope(client.get("/api/v1/me", headers=admin.headers), 403)  # valid, wrong kind

    def test_development_sign_in_is_absent(self, app, client, error_envelope):
        error_envelope(client.post(DEV_SIGN_IN, json={"phone_number": PHONE}), 404)
        assert DEV_SIGN_IN not in client.get("/api/openapi.json").json["paths"]

        # Even correctly signed with this app's secret, a development token is refused.
        development_token = DevelopmentVerifier(app.secret_key).issue(PHONE)
        error_envelope(client.get("/api/v1/me", headers=bearer(development_token)), 401)
        assert citizen_count() == 0


# --- the development sign-in (no Firebase project) ----------------------------------------


def test_development_sign_in_end_to_end(client):
    response = client.post(DEV_SIGN_IN, json={"phone_number": PHONE, "display_name": "Trần Cúc"})
    assert response.status_code == 200, response.json
    assert response.json["expires_in"] == DEVELOPMENT_TOKEN_MAX_AGE

    me = client.get("/api/v1/me", headers=bearer(response.json["id_token"]))
    assert me.status_code == 200, me.json
    assert (me.json["phone_number"], me.json["display_name"], me.json["language"]) == (
        PHONE,
        "Trần Cúc",
        "vi",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "phone_number"),
        ({"phone_number": "0912345678"}, "phone_number"),
        ({"phone_number": PHONE, "display_name": ""}, "display_name"),
    ],
)
def test_development_sign_in_names_the_bad_field(client, error_envelope, body, field):
    error_envelope(client.post(DEV_SIGN_IN, json=body), 422, fields={field})


def test_expired_development_token_is_401(app, client, error_envelope):
    serializer = app.extensions["smartapp.verifiers"]["development"].serializer
    token = DEVELOPMENT_PREFIX + expired(
        serializer,
        {"uid": "dev-84912345678", "phone_number": PHONE, "name": None},
        DEVELOPMENT_TOKEN_MAX_AGE,
    )
    error_envelope(client.get("/api/v1/me", headers=bearer(token)), 401)
    assert citizen_count() == 0


def test_firebase_like_token_without_a_project_is_401(client, error_envelope):
    error_envelope(client.get("/api/v1/me", headers=bearer("eyJhbGciOiJub25lIn0.e30.")), 401)


# --- staff accounts on the command line ----------------------------------------------------


def staff_named(email: str) -> Staff | None:
    return db.session.scalar(select(Staff).where(Staff.email == email))


def test_staff_create_with_password(app):
    result = app.test_cli_runner().invoke(
        args=[
            "staff",
            "create",
            "An.Admin@TayNinh.gov.vn",
            "--role",
            "admin",
            "--password",
            TEST_PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    account = staff_named("an.admin@tayninh.gov.vn")
    assert account is not None and account.role == Role.ADMIN
    assert f"id {account.id}" in result.output


def test_staff_create_prompts_for_the_password(app, client):
    result = app.test_cli_runner().invoke(
        args=["staff", "create", "so@tayninh.gov.vn", "--role", "agency_staff", "--agency", "SXD"],
        input=f"{TEST_PASSWORD}\n{TEST_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and TEST_PASSWORD not in result.output
    assert staff_named("so@tayninh.gov.vn").agency_code == "SXD"
    token = client.post(TOKEN_ROUTE, json={"email": "so@tayninh.gov.vn", "password": TEST_PASSWORD})
    assert token.status_code == 200, token.json


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["x@tayninh.gov.vn", "--role", "agency_staff"], "agency"),
        (["x@tayninh.gov.vn", "--role", "admin", "--agency", "SXD"], "agency"),
        (["x@tayninh.gov.vn", "--role", "admin", "--password", "short"], "password"),
        (["not-an-email", "--role", "admin"], "email"),
        (["x@tayninh.gov.vn", "--role", "mayor"], "--role"),
    ],
)
def test_staff_create_names_the_bad_input(app, args, field):
    if "--password" not in args:
        args = [*args, "--password", TEST_PASSWORD]
    result = app.test_cli_runner().invoke(args=["staff", "create", *args])
    assert result.exit_code == 2, result.output
    assert f"'{field}'" in result.output, result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(select(func.count()).select_from(Staff)) == 0


def test_staff_create_refuses_a_duplicate_email(app, make_staff):
    make_staff(Role.COMMUNICATOR, email="tt@tayninh.gov.vn")
    result = app.test_cli_runner().invoke(
        args=[
            "staff",
            "create",
            "TT@tayninh.gov.vn",
            "--role",
            "admin",
            "--password",
            TEST_PASSWORD,
        ]
    )
    assert result.exit_code == 2, result.output
    assert "'email'" in result.output and "exists" in result.output
    assert staff_named("tt@tayninh.gov.vn").role == Role.COMMUNICATOR


# --- staff bearer tokens ---------------------------------------------------------------------


def staff_token(client, email: str, password: str = TEST_PASSWORD):
    return client.post(TOKEN_ROUTE, json={"email": email, "password": password})


def test_staff_token_opens_admin_routes_by_role(client, make_staff, error_envelope):
    admin = make_staff(Role.ADMIN, email="admin@tayninh.gov.vn")
    make_staff(Role.COMMUNICATOR, email="comms@tayninh.gov.vn")

    response = staff_token(client, "Admin@TayNinh.gov.vn")
    assert response.status_code == 200, response.json
    assert response.json["token_type"] == "Bearer"
    assert response.json["expires_in"] == STAFF_TOKEN_MAX_AGE
    assert response.json["staff"]["id"] == admin.account.id
    assert "password" not in response.json["staff"]
    assert client.get(ADMIN_ROUTE, headers=bearer(response.json["access_token"])).status_code == 200

    communicator = staff_token(client, "comms@tayninh.gov.vn").json["access_token"]
    error_envelope(client.get(ADMIN_ROUTE, headers=bearer(communicator)), 403)


def test_wrong_password_and_unknown_email_answer_alike(client, make_staff, error_envelope):
    make_staff(Role.ADMIN, email="admin@tayninh.gov.vn")
    wrong = error_envelope(staff_token(client, "admin@tayninh.gov.vn", "wrong password"), 401)
    unknown = error_envelope(staff_token(client, "nobody@tayninh.gov.vn"), 401)
    assert wrong == unknown
    assert wrong["message"] == "Email hoặc mật khẩu không đúng."


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"email", "password"}),
        ({"email": "not-an-email", "password": "x"}, {"email"}),
        ({"email": "a@tayninh.gov.vn", "password": ""}, {"password"}),
    ],
)
def test_staff_token_names_the_bad_field(client, error_envelope, body, fields):
    error_envelope(client.post(TOKEN_ROUTE, json=body), 422, fields=fields)


def test_staff_token_is_rate_limited_per_account(client, make_staff, error_envelope):
    make_staff(Role.ADMIN, email="admin@tayninh.gov.vn")
    make_staff(Role.ADMIN, email="other@tayninh.gov.vn")
    # Changing the email's case must not buy more guesses.
    for email in (
        "admin@tayninh.gov.vn",
        "ADMIN@tayninh.gov.vn",
        "Admin@TayNinh.gov.vn",
        "admin@tayninh.gov.vn",
        "admin@TAYNINH.gov.vn",
    ):
        assert staff_token(client, email, "guess").status_code == 401

    limited = staff_token(client, "admin@tayninh.gov.vn")  # even the right password
    error_envelope(limited, 429)
    assert int(limited.headers["Retry-After"]) > 0
    assert staff_token(client, "other@tayninh.gov.vn").status_code == 200


def test_deactivated_staff_lose_their_tokens(client, make_staff, error_envelope):
    staff = make_staff(Role.ADMIN, email="admin@tayninh.gov.vn")
    assert client.get(ADMIN_ROUTE, headers=staff.headers).status_code == 200
    staff.account.active = False
    db.session.commit()

    error_envelope(client.get(ADMIN_ROUTE, headers=staff.headers), 401)
    error_envelope(staff_token(client, "admin@tayninh.gov.vn"), 401)


def test_bumping_the_token_generation_revokes_tokens(client, make_staff, error_envelope):
    staff = make_staff(Role.ADMIN, email="admin@tayninh.gov.vn")
    staff.account.token_generation += 1
    db.session.commit()

    error_envelope(client.get(ADMIN_ROUTE, headers=staff.headers), 401)
    fresh = staff_token(client, "admin@tayninh.gov.vn").json["access_token"]
    assert client.get(ADMIN_ROUTE, headers=bearer(fresh)).status_code == 200


def test_forged_and_expired_staff_tokens_are_401(app, client, make_staff, error_envelope):
    staff = make_staff(Role.ADMIN)
    serializer = app.extensions["smartapp.staff_tokens"].serializer
    old = STAFF_PREFIX + expired(
        serializer, {"sid": staff.account.id, "gen": 0}, STAFF_TOKEN_MAX_AGE
    )
    forged = STAFF_PREFIX + URLSafeTimedSerializer("not the secret", salt=serializer.salt).dumps(
        {"sid": staff.account.id, "gen": 0}
    )
    for token in (old, forged, staff.token + "x", "staff.garbage"):
        error_envelope(client.get(ADMIN_ROUTE, headers=bearer(token)), 401)


# --- role checks of staff_required -----------------------------------------------------------

desk = Blueprint("desk", __name__)


@desk.route("/any")
@staff_required()
def any_staff() -> dict[str, str]:
    return {"ok": "any"}


@desk.route("/communications")
@staff_required(Role.COMMUNICATOR)
def communications() -> dict[str, str]:
    return {"ok": "communications"}


@desk.route("/managed")
@staff_required(permission="desk:manage")
def managed() -> dict[str, str]:
    return {"ok": "managed"}


class DeskPlugin(Plugin):
    """Help desk (test plugin)"""

    slug = "desk"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Bàn trợ giúp", "en": "Help desk"}
    blueprint = desk
    permissions = {"manage": {"vi": "Quản lý", "en": "Manage"}}


@with_plugins(DeskPlugin)
class TestStaffRequired:
    @pytest.mark.parametrize(
        ("role", "extra", "allowed"),
        [
            (Role.ADMIN, {}, {"any", "communications", "managed"}),
            (Role.COMMUNICATOR, {}, {"any", "communications"}),
            (Role.AGENCY_STAFF, {"agency_code": "SXD"}, {"any"}),
            (
                Role.AGENCY_STAFF,
                {"agency_code": "SXD", "permissions": ["desk:manage"]},
                {"any", "managed"},
            ),
        ],
    )
    def test_roles_and_permissions(self, client, make_staff, error_envelope, role, extra, allowed):
        staff = make_staff(role, **extra)
        for route in ("any", "communications", "managed"):
            response = client.get(f"/api/v1/u/desk/{route}", headers=staff.headers)
            if route in allowed:
                assert response.json == {"ok": route}
            else:
                error_envelope(response, 403)

    def test_wants_a_staff_token(self, client, citizen, error_envelope):
        error_envelope(client.get("/api/v1/u/desk/any"), 401)
        # a valid token of the wrong kind: the app must not sign the citizen out
        error_envelope(client.get("/api/v1/u/desk/any", headers=citizen.headers), 403)
