"""Fixtures of the notification tests: citizens signed in through the Firebase emulator
(``signed_in`` and ``fcm`` are in ``tests/conftest.py``)."""

from __future__ import annotations

import pytest


@pytest.fixture
def smartapp_config(firebase_config):
    return firebase_config


@pytest.fixture
def fcm_config(fcm) -> dict[str, str]:
    """``smartapp_config`` of an app sending to the local FCM-compatible server (citizens
    sign in with the development sign-in: add ``firebase_config`` for the Auth emulator)."""
    return {"SMARTAPP_FCM_EMULATOR_HOST": fcm.host}
