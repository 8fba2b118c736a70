"""Console fixtures: signing in through the real form, CSRF token and all."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import g
from flask.testing import FlaskClient

from smartapp.testing import TEST_PASSWORD, SignedIn

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/admin/") -> str:
    """The CSRF token a page's forms carry.

    The test's app context outlives each request, and Flask-WTF caches the token on ``g``
    (app-context scoped): drop it, so the page makes the token of the session it has now.
    """
    g.pop("csrf_token", None)
    page = client.get(path, headers={"Accept": "text/html"})
    match = CSRF_FIELD.search(page.get_data(as_text=True))
    assert match, page.get_data(as_text=True)[:500]
    return match.group(1)


@pytest.fixture
def sign_in(client: FlaskClient) -> Callable[[SignedIn], FlaskClient]:
    """Sign the test client into the console as a staff account (``make_staff``'s)."""

    def sign(staff: SignedIn) -> FlaskClient:
        response = client.post("/admin/", data={
            "email": staff.account.email, "password": TEST_PASSWORD,
            "csrf_token": csrf_token(client)})
        assert response.status_code == 303, response.get_data(as_text=True)
        return client

    return sign


@pytest.fixture
def post(client: FlaskClient) -> Callable[..., object]:
    """POST a console form with the page's CSRF token, as a browser would."""

    def send(path: str, data: dict[str, object] | None = None, **kwargs: object) -> object:
        return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client)},
                           headers={"Accept": "text/html"}, **kwargs)

    return send
