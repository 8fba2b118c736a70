"""Fixtures of the notification tests: citizens signed in through the Firebase emulator
(``signed_in`` and ``fcm`` are in ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import insert, select

from smartapp.extensions import db
from smartapp.identity.models import Citizen
from smartapp.notifications.models import Device


@pytest.fixture
def smartapp_config(firebase_config):
    return firebase_config


@pytest.fixture
def fcm_config(fcm) -> dict[str, str]:
    """``smartapp_config`` of an app sending to the local FCM-compatible server (citizens
    sign in with the development sign-in: add ``firebase_config`` for the Auth emulator)."""
    return {"SMARTAPP_FCM_EMULATOR_HOST": fcm.host}


@pytest.fixture
def citizens_with_devices(app) -> Callable[[int], list[int]]:
    """``make(count)``: that many citizens with an Android device each (tokens ``t-0``…),
    written in bulk; returns the citizens' ids."""

    def make(count: int) -> list[int]:
        db.session.execute(insert(Citizen), [{"firebase_uid": f"uid-{n}"} for n in range(count)])
        ids = list(db.session.scalars(select(Citizen.id)))
        db.session.execute(
            insert(Device),
            [
                {"token": f"t-{n}", "citizen_id": c, "platform": "android", "app_version": "3.2.0"}
                for n, c in enumerate(ids)
            ],
        )
        db.session.commit()
        return ids

    return make
