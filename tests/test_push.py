"""Push gateways: the log without a Firebase project; FCM through the real firebase-admin,
with only Google's network replaced at the HTTP layer (responses)."""

from __future__ import annotations

import json
import logging

import pytest
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from smartapp.notifications.gateway import (
    FirebasePushGateway,
    LoggingPushGateway,
    PushMessage,
    push_gateway,
)

PROJECT = "demo-push-test"
FCM_URL = f"https://fcm.googleapis.com/v1/projects/{PROJECT}/messages:send"
TOKEN_URL = "https://oauth2.googleapis.com/token"


def test_without_a_firebase_project_pushes_are_logged(app, caplog):
    gateway = push_gateway()
    assert isinstance(gateway, LoggingPushGateway)
    with caplog.at_level(logging.INFO, logger="smartapp.notifications.gateway"):
        results = gateway.send([PushMessage("Lịch cắt điện", "Thứ Bảy 7:00–11:00",
                                            topic="ward-25459")])
    assert results[0].sent and results[0].message_id == "logged-1"
    assert "topic:ward-25459: Lịch cắt điện — Thứ Bảy 7:00–11:00" in caplog.text


def test_a_message_needs_exactly_one_destination():
    with pytest.raises(ValueError, match="exactly one"):
        PushMessage("a", "b")
    with pytest.raises(ValueError, match="exactly one"):
        PushMessage("a", "b", token="t", topic="x")


@pytest.fixture
def service_account(tmp_path, monkeypatch):
    """A service account file with a real key, as Google issues them."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps({
        "type": "service_account", "project_id": PROJECT, "private_key_id": "test",
        "private_key": pem, "client_email": f"push@{PROJECT}.iam.gserviceaccount.com",
        "client_id": "1", "token_uri": TOKEN_URL,
    }))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))


@pytest.mark.smartapp_config(SMARTAPP_FIREBASE_PROJECT_ID=PROJECT)
@responses.activate
def test_fcm_gateway_sends_through_firebase_admin(service_account, app):
    sent = []

    def fcm(request):
        assert request.headers["Authorization"] == "Bearer ya29.test-token"
        message = json.loads(request.body)["message"]
        sent.append(message)
        if message.get("token") == "dead-device":
            return 404, {}, json.dumps({"error": {
                "code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND",
                "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                             "errorCode": "UNREGISTERED"}]}})
        return 200, {}, json.dumps({"name": f"projects/{PROJECT}/messages/{len(sent)}"})

    responses.add(responses.POST, TOKEN_URL, json={
        "access_token": "ya29.test-token", "expires_in": 3600, "token_type": "Bearer"})
    responses.add_callback(responses.POST, FCM_URL, callback=fcm)

    gateway = push_gateway()
    assert isinstance(gateway, FirebasePushGateway)
    results = gateway.send([
        PushMessage("Thông báo", "Nước sạch", token="live-device", data={"kind": "water"}),
        PushMessage("Thông báo", "Nước sạch", token="dead-device"),
        PushMessage("Bão số 5", "Sơ tán", topic="province-80"),
    ])
    assert [r.sent for r in results] == [True, False, True]
    assert results[1].unregistered and "UnregisteredError" in results[1].error
    assert results[0].message_id.startswith(f"projects/{PROJECT}/messages/")
    by_destination = {m.get("token") or m.get("topic"): m for m in sent}
    assert by_destination["live-device"]["notification"] == {"title": "Thông báo",
                                                             "body": "Nước sạch"}
    assert by_destination["live-device"]["data"] == {"kind": "water"}
    assert by_destination["province-80"]["topic"] == "province-80"
