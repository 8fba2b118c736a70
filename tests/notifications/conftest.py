"""Fixtures of the notification tests: citizens signed in through the Firebase emulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support.fcm_server import FcmServer


@pytest.fixture
def smartapp_config(firebase_config):
    return firebase_config


@pytest.fixture
def signed_in(phone_sign_in) -> Callable[[str], dict[str, str]]:
    """``signed_in("+84912000001")``: the headers of a citizen signed in with the emulator."""

    def headers(phone: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {phone_sign_in(phone)}"}

    return headers


@pytest.fixture
def fcm() -> Iterator[FcmServer]:
    """A fresh local FCM-compatible server; use ``fcm_config`` to point the app at it."""
    with FcmServer() as server:
        yield server


@pytest.fixture
def fcm_config(fcm) -> dict[str, str]:
    """``smartapp_config`` of an app sending to the local FCM-compatible server (citizens
    sign in with the development sign-in: add ``firebase_config`` for the Auth emulator)."""
    return {"SMARTAPP_FCM_EMULATOR_HOST": fcm.host}
