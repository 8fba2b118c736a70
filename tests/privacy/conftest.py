"""Fixtures of the privacy tests: citizens signed in through the Firebase Auth emulator
(``signed_in``), pushes through the local FCM-compatible server (``fcm``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

PHONE = {"platform": "android", "app_version": "3.2.0"}
WARD = 25459


@pytest.fixture
def smartapp_config(firebase_config, fcm):
    return {**firebase_config, "SMARTAPP_FCM_EMULATOR_HOST": fcm.host}


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
