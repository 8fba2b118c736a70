"""Fixtures of the notification tests: citizens signed in through the Firebase emulator."""

from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.fixture
def smartapp_config(firebase_config):
    return firebase_config


@pytest.fixture
def signed_in(phone_sign_in) -> Callable[[str], dict[str, str]]:
    """``signed_in("+84912000001")``: the headers of a citizen signed in with the emulator."""

    def headers(phone: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {phone_sign_in(phone)}"}

    return headers
