"""Fixtures of the privacy tests: citizens signed in through the Firebase Auth emulator
(``signed_in``), pushes through the local FCM-compatible server (``fcm``)."""

from __future__ import annotations

import pytest

PHONE = {"platform": "android", "app_version": "3.2.0"}
WARD = 25459


@pytest.fixture
def smartapp_config(firebase_config, fcm):
    return {**firebase_config, "SMARTAPP_FCM_EMULATOR_HOST": fcm.host}
