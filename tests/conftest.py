"""Fixtures shared by the core's tests: the real Firebase Auth emulator and the error envelope.

The app, database, citizen and staff fixtures come from ``smartapp.testing`` (the pytest
plugin every plugin author uses too); this file adds what only the core's own suite needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from werkzeug.test import TestResponse

from tests.support.fcm_server import FcmServer
from tests.support.firebase_emulator import (
    DEFAULT_PROJECT_ID,
    AuthEmulator,
    clear_accounts,
    set_display_name,
    sign_in_with_phone,
)
from tests.support.workers import private_redis, start_smartapp_worker  # noqa: F401 (fixtures)

ENVELOPE_KEYS = {"code", "status", "message"}


@pytest.fixture(scope="session")
def firebase_emulator() -> Iterator[AuthEmulator]:
    """The Auth emulator, started once for the session (it takes seconds to start).

    ``FIREBASE_AUTH_EMULATOR_HOST`` goes into ``os.environ`` because firebase-admin reads it
    from there, not from the app's configuration, and it must be set before any app's
    firebase-admin client is first used.
    """
    with AuthEmulator(DEFAULT_PROJECT_ID) as emulator, pytest.MonkeyPatch.context() as patch:
        patch.setenv("FIREBASE_AUTH_EMULATOR_HOST", emulator.host)
        yield emulator


@pytest.fixture
def firebase_config(firebase_emulator: AuthEmulator) -> dict[str, str]:
    """``smartapp_config`` of an app verifying citizens' tokens with the emulator's project.

    Use it by overriding ``smartapp_config`` in a module or class:
    ``def smartapp_config(firebase_config): return firebase_config``.
    """
    return {"SMARTAPP_FIREBASE_PROJECT_ID": firebase_emulator.project_id}


@pytest.fixture
def phone_sign_in(firebase_emulator: AuthEmulator) -> Iterator[Callable[..., str]]:
    """Sign in through the emulator as the phone app does: ``phone_sign_in("+84912000001",
    name="Lê Thị B")`` returns a Firebase ID token. The emulator's accounts are deleted after
    the test, so every test starts with no Firebase users."""

    def sign_in(phone_number: str, name: str | None = None) -> str:
        token = sign_in_with_phone(firebase_emulator.host, phone_number)
        if name is None:
            return token
        set_display_name(firebase_emulator.host, token, name)
        # The name claim appears only in tokens issued after the profile changed.
        return sign_in_with_phone(firebase_emulator.host, phone_number)

    yield sign_in
    clear_accounts(firebase_emulator.host)


@pytest.fixture
def signed_in(phone_sign_in) -> Callable[[str], dict[str, str]]:
    """``signed_in("+84912000001")``: the headers of a citizen signed in with the emulator."""

    def headers(phone: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {phone_sign_in(phone)}"}

    return headers


@pytest.fixture
def consent(client) -> Callable[..., dict]:
    """Accept the current notice as ``headers``' citizen, every purpose by default."""

    def accept(headers: dict[str, str], purposes: list[str] | None = None) -> dict:
        notice = client.get("/api/v1/privacy/notice").json
        response = client.post(
            "/api/v1/privacy/consent",
            headers=headers,
            json={
                "version": notice["version"],
                "purposes": purposes or [p["slug"] for p in notice["purposes"]],
                "app_version": "3.2.0",
            },
        )
        assert response.status_code == 201, response.json
        return response.json

    return accept


@pytest.fixture
def fcm() -> Iterator[FcmServer]:
    """A fresh local FCM-compatible server; point the app at it with
    ``SMARTAPP_FCM_EMULATOR_HOST`` (``fcm.host``)."""
    with FcmServer() as server:
        yield server


@pytest.fixture
def error_envelope() -> Callable[..., dict[str, Any]]:
    """Check that a response is the API's JSON error envelope with ``code``; return its body.

    ``error_envelope(response, 422, fields={"ward_code"})`` also checks which fields the
    ``errors`` member names.
    """

    def check(response: TestResponse, code: int, fields: set[str] | None = None) -> dict[str, Any]:
        assert response.status_code == code, response.get_data(as_text=True)
        assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
        body = response.get_json()
        assert isinstance(body, dict)
        assert ENVELOPE_KEYS <= body.keys() <= ENVELOPE_KEYS | {"errors"}, body
        assert body["code"] == code
        assert isinstance(body["status"], str) and body["status"]
        assert isinstance(body["message"], str) and body["message"]
        if fields is not None:
            assert set(body.get("errors", {})) == fields, body
        return body

    return check
