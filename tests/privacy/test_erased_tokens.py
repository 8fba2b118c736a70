"""A token issued before its account was erased is refused (401 ``token_of_erased_account``)
instead of creating the citizen again; a new sign-in after the erasure works."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from smartapp.extensions import db
from smartapp.identity.citizens import uid_digest
from smartapp.identity.models import Citizen
from smartapp.privacy.models import Erasure

PHONE_NUMBER = "+84912000002"


def _citizens() -> list[Citizen]:
    db.session.rollback()
    return list(db.session.scalars(select(Citizen)))


def _erase(client, headers: dict[str, str]) -> None:
    response = client.delete("/api/v1/me", headers=headers, query_string={"confirm": "true"})
    assert response.status_code == 204, response.json


def _refused(client, headers: dict[str, str], error_envelope) -> None:
    """Every way in refuses the old token, and none of them brings a citizen back."""
    for method, url in (
        ("get", "/api/v1/me"),
        ("patch", "/api/v1/me"),
        ("get", "/api/v1/privacy/consent"),
        ("get", "/api/v1/utilities"),
    ):
        body = {"display_name": "X"} if method == "patch" else None
        response = getattr(client, method)(url, headers=headers, json=body)
        envelope = error_envelope(response, 401, fields={"token"})
        assert envelope["errors"]["token"] == ["token_of_erased_account"], (method, url)
    assert _citizens() == []


def test_the_old_firebase_token_cannot_bring_the_citizen_back(client, signed_in, error_envelope):
    headers = signed_in(PHONE_NUMBER)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    (erased,) = _citizens()
    uid = erased.firebase_uid

    _erase(client, headers)

    # the token is still valid at Firebase's end (revocation is not checked): refused here
    _refused(client, headers, error_envelope)
    erasure = db.session.scalars(select(Erasure)).one()
    assert erasure.firebase_uid is None and erasure.firebase_uid_digest == uid_digest(uid)
    assert uid not in erasure.firebase_uid_digest

    again = signed_in(PHONE_NUMBER)  # the Firebase account was deleted: a new uid
    me = client.get("/api/v1/me", headers=again)
    assert me.status_code == 200, me.json
    assert me.json["phone_number"] == PHONE_NUMBER
    (citizen,) = _citizens()
    assert citizen.firebase_uid != uid
    # the old token stays refused, the new citizen notwithstanding
    old = client.get("/api/v1/me", headers=headers)
    assert error_envelope(old, 401)["errors"]["token"] == ["token_of_erased_account"]


def test_an_existing_citizen_is_never_asked_about(app, client, signed_in, monkeypatch):
    headers = signed_in(PHONE_NUMBER)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    asked: list[str] = []
    check = app.extensions["smartapp.erased_accounts"]
    monkeypatch.setitem(
        app.extensions,
        "smartapp.erased_accounts",
        lambda digest, issued_at: asked.append(digest) or check(digest, issued_at),
    )

    assert client.get("/api/v1/me", headers=headers).status_code == 200

    assert asked == []


class TestDevelopmentSignIn:
    @pytest.fixture
    def smartapp_config(self, fcm):  # no Firebase project: the development sign-in
        return {"SMARTAPP_FCM_EMULATOR_HOST": fcm.host}

    def _sign_in(self, client) -> dict[str, str]:
        response = client.post("/api/v1/auth/dev/sign-in", json={"phone_number": PHONE_NUMBER})
        assert response.status_code == 200, response.json
        return {"Authorization": f"Bearer {response.json['id_token']}"}

    def test_same_rule(self, client, error_envelope):
        headers = self._sign_in(client)
        assert client.get("/api/v1/me", headers=headers).status_code == 200

        _erase(client, headers)
        _refused(client, headers, error_envelope)

        # a development uid comes from the phone number, so it is the same after the erasure:
        # what tells a new sign-in from the old token is when it was issued (whole seconds,
        # and a token of the erasure's own second counts as older)
        erased_at = db.session.scalar(select(func.max(Erasure.created_at)))
        time.sleep(max(0.0, int(erased_at.timestamp()) + 1 - time.time()))
        again = self._sign_in(client)
        me = client.get("/api/v1/me", headers=again)
        assert me.status_code == 200, me.json
        assert len(_citizens()) == 1
        # the old token now has a citizen of its uid again, the hot path serves it: fine for
        # development, where anyone may sign in with any phone number anyway
