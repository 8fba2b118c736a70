"""Signing in to the console: the session cookie, CSRF, expiry, lock-out, security headers."""

from __future__ import annotations

import re
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest

from smartapp.config import Settings
from smartapp.extensions import db, utcnow
from smartapp.identity.models import Role
from smartapp.identity.services import deactivate_staff, set_staff_password
from smartapp.identity.signin import SESSION_IDLE, SESSION_MAX_AGE
from smartapp.testing import TEST_PASSWORD
from tests.console.conftest import csrf_token

HTML = {"Accept": "text/html"}


def test_sign_in_form_has_the_binding_fields(client):
    page = client.get("/admin/", headers=HTML)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for name in ('name="email"', 'name="password"', 'type="hidden" name="csrf_token"'):
        assert name in text
    assert '<html lang="vi">' in text  # Vietnamese first


def test_sign_in_sets_a_strict_session_cookie_and_opens_the_dashboard(client, admin):
    response = client.post(
        "/admin/",
        data={
            "email": admin.account.email.upper(),
            "password": TEST_PASSWORD,
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 303 and response.headers["Location"] == "/admin/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # only in production (SMARTAPP_ENV=production)
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    assert expires - utcnow() <= SESSION_MAX_AGE  # the browser drops it when it would lapse
    dashboard = client.get("/admin/", headers=HTML).get_data(as_text=True)
    assert admin.account.email in dashboard and 'name="password"' not in dashboard


def test_wrong_password_is_refused_without_saying_which_part(client, admin):
    for email in (admin.account.email, "nobody@staff.test"):
        response = client.post(
            "/admin/",
            data={"email": email, "password": "wrong password", "csrf_token": csrf_token(client)},
        )
        assert response.status_code == 401
        assert "Email hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def test_malformed_input_names_the_field(client):
    response = client.post(
        "/admin/", data={"email": "not-an-email", "password": "", "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 422
    assert 'id="email-error"' in response.get_data(as_text=True)


def test_sign_in_without_csrf_token_is_refused(client, admin):
    response = client.post(
        "/admin/", data={"email": admin.account.email, "password": TEST_PASSWORD}, headers=HTML
    )
    assert response.status_code == 400
    assert client.get("/admin/staff").status_code == 303  # still signed out


def test_csrf_token_is_accepted_as_the_htmx_header(sign_in, client, admin):
    sign_in(admin)
    token = csrf_token(client)
    response = client.post(
        "/admin/language",
        data={"language": "en"},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    assert '<html lang="en">' in client.get("/admin/").get_data(as_text=True)


def test_a_token_of_another_session_is_refused(app, client, admin, sign_in):
    other = app.test_client()
    stolen = csrf_token(other)
    sign_in(admin)
    response = client.post("/admin/logout", data={"csrf_token": stolen}, headers=HTML)
    assert response.status_code == 400


def test_errors_are_pages_for_browsers_and_the_envelope_for_others(client, error_envelope):
    assert client.post("/admin/logout", headers=HTML).mimetype == "text/html"
    error_envelope(client.post("/admin/logout", headers={"Accept": "application/json"}), 400)


def test_logout_ends_the_session(sign_in, client, admin, post):
    sign_in(admin)
    assert client.get("/admin/staff").status_code == 200
    assert post("/admin/logout").status_code == 303
    response = client.get("/admin/staff")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/admin/?next=/admin/staff")


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(app, admin):
    for target, expected in (
        ("/admin/audit", "/admin/audit"),
        ("https://evil.example/", "/admin/"),
        ("//evil.example", "/admin/"),
    ):
        client = app.test_client()
        response = client.post(
            "/admin/",
            data={
                "email": admin.account.email,
                "password": TEST_PASSWORD,
                "next": target,
                "csrf_token": csrf_token(client),
            },
        )
        assert response.headers["Location"] == expected


@pytest.mark.parametrize("key, age", [("seen_at", SESSION_IDLE), ("signed_in_at", SESSION_MAX_AGE)])
def test_session_lapses_when_idle_or_too_old(sign_in, client, admin, key, age):
    sign_in(admin)
    with client.session_transaction() as session:
        session[key] = (utcnow() - age - timedelta(seconds=1)).timestamp()
    assert client.get("/admin/staff").status_code == 303


@pytest.mark.parametrize(
    "revoke", [deactivate_staff, lambda staff: set_staff_password(staff, "another long one")]
)
def test_deactivation_or_new_password_ends_console_sessions(
    sign_in, client, admin, make_staff, revoke
):
    make_staff(Role.ADMIN)  # the last active admin cannot be deactivated
    sign_in(admin)
    revoke(admin.account)
    db.session.commit()
    assert client.get("/admin/staff").status_code == 303


def test_lock_out_is_shared_with_the_token_route(client, admin):
    for _ in range(5):
        client.post(
            "/api/v1/auth/staff/token",
            json={"email": admin.account.email, "password": "wrong password"},
        )
    response = client.post(
        "/admin/",
        data={
            "email": admin.account.email,
            "password": TEST_PASSWORD,
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 429
    assert "Quá nhiều yêu cầu" in response.get_data(as_text=True)


def test_console_lock_out_after_five_tries(client, admin):
    for _ in range(5):
        assert (
            client.post(
                "/admin/",
                data={
                    "email": admin.account.email,
                    "password": "nope",
                    "csrf_token": csrf_token(client),
                },
            ).status_code
            == 401
        )
    response = client.post(
        "/api/v1/auth/staff/token", json={"email": admin.account.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 429


def test_the_session_cookie_does_not_authenticate_the_api(sign_in, client, admin):
    sign_in(admin)
    assert client.get("/api/v1/admin/staff").status_code == 401
    assert client.post("/api/v1/admin/staff", json={"email": "x@staff.test"}).status_code == 401


def test_pages_carry_a_strict_content_security_policy(client):
    headers = client.get("/admin/").headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert headers["Cache-Control"] == "no-store"


def test_production_cookie_is_secure(tmp_path):
    production = Settings.from_env({"SMARTAPP_ENV": "production"}, tmp_path).to_flask()
    assert production["SESSION_COOKIE_SECURE"] is True


def test_pages_by_role(make_staff, sign_in, client):
    sign_in(make_staff(Role.COMMUNICATOR))
    assert client.get("/admin/staff", headers=HTML).status_code == 403
    assert client.get("/admin/plugins", headers=HTML).status_code == 403
    assert client.get("/admin/audit", headers=HTML).status_code == 403
    home = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/staff"' not in home and "Xin chào" in home


def test_ioc_permission_opens_the_dashboard(make_staff, sign_in, client):
    sign_in(make_staff(Role.COMMUNICATOR, permissions=["ioc:read"]))
    assert "Hôm nay và tháng này" in client.get("/admin/").get_data(as_text=True)
