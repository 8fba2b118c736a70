"""The gateway's own FCM transport: firebase-admin's encoding, FCM's answers, every error."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from firebase_admin import messaging

from smartapp.config import ConfigurationError, load_settings
from smartapp.firebase import firebase_app
from smartapp.notifications.encoding import encode_message
from smartapp.notifications.fcm import FcmGateway
from smartapp.notifications.gateway import PushMessage, push_gateway
from tests.support.fcm_server import SEND_ERRORS, TOPIC_ERRORS

PROJECT = "demo-push-test"
TOKEN_URL = "https://oauth2.googleapis.com/token"
MESSAGE = PushMessage(
    title="Lịch cắt điện",
    body="Thứ Bảy 7:00–11:00, phường 1",
    token="device-token-1",
    data={"notification_id": "42", "link": "smartapp://u/power"},
    image_url="https://tayninh.gov.vn/a.png",
    ttl_seconds=3600,
    collapse_key="n42",
)


@pytest.fixture
def smartapp_config(fcm_config):
    return fcm_config


@pytest.fixture
def service_account(tmp_path, monkeypatch):
    """A service account file with a real key, as Google issues them."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    path = tmp_path / "service-account.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": PROJECT,
                "private_key_id": "test",
                "private_key": pem,
                "client_email": f"push@{PROJECT}.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": TOKEN_URL,
            }
        )
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))


def _firebase_admin_message(message: PushMessage, expiration: str) -> messaging.Message:
    return messaging.Message(
        notification=messaging.Notification(message.title, message.body, message.image_url),
        data=dict(message.data),
        android=messaging.AndroidConfig(
            collapse_key=message.collapse_key,
            ttl=timedelta(seconds=message.ttl_seconds),
            notification=messaging.AndroidNotification(tag=message.collapse_key),
        ),
        apns=messaging.APNSConfig(
            headers={"apns-expiration": expiration, "apns-collapse-id": message.collapse_key}
        ),
        webpush=messaging.WebpushConfig(
            headers={"TTL": str(message.ttl_seconds), "Topic": message.collapse_key},
            notification=messaging.WebpushNotification(tag=message.collapse_key),
        ),
        token=message.token,
        topic=message.topic,
        condition=message.condition,
    )


@pytest.mark.parametrize(
    "target",
    [
        {"token": "device-token-1"},
        {"topic": "province-80"},
        {"condition": "'ward-1' in topics || 'ward-2' in topics"},
    ],
)
@responses.activate
def test_request_bodies_equal_firebase_admins_encoding(service_account, target):
    """firebase-admin sends its own encoding (public ``messaging.send``, its HTTP captured by
    ``responses``); ours must be the same JSON."""
    captured = []
    responses.add(
        responses.POST,
        TOKEN_URL,
        json={"access_token": "ya29.test", "expires_in": 3600, "token_type": "Bearer"},
    )
    responses.add_callback(
        responses.POST,
        f"https://fcm.googleapis.com/v1/projects/{PROJECT}/messages:send",
        callback=lambda request: (
            captured.append(json.loads(request.body))
            or (200, {}, json.dumps({"name": "projects/x/messages/1"}))
        ),
    )
    message = PushMessage(**{**MESSAGE.__dict__, "token": None, **target})
    now = 1_800_000_000
    ours = encode_message(message, now=now)
    expiration = ours["apns"]["headers"]["apns-expiration"]
    messaging.send(_firebase_admin_message(message, expiration), app=firebase_app(PROJECT))
    assert captured[0]["message"] == ours


def test_sends_go_to_the_emulator_host_over_plain_http(app, fcm):
    results = push_gateway().send([MESSAGE])
    assert results[0].sent and results[0].message_id.startswith("projects/")
    (request,) = fcm.requests
    assert request.path == "/v1/projects/smartapp-emulator/messages:send"
    assert "Authorization" not in request.headers  # no Google credentials to an emulator
    assert request.body == {"message": encode_message(MESSAGE, now=_expiry_base(request.body))}


def test_a_body_templated_for_many_tokens_is_each_messages_own_encoding(app, fcm):
    """``send_to_tokens`` encodes once and splices each token in: each body received must
    be what ``encode_message`` writes for that token (a text equal to the splice mark too)."""
    tokens = ["device-a", 'odd"token\\é', "smartapp-token-mark"]
    message = dataclasses.replace(MESSAGE, title="smartapp-token-mark")
    answers = {}
    push_gateway().send_to_tokens(message, tokens, answers.__setitem__).result(10)
    assert sorted(answers) == [0, 1, 2] and all(result.sent for result in answers.values())
    received = {r.body["message"]["token"]: r.body for r in fcm.requests}
    for token in tokens:
        body = received[token]
        expected = encode_message(dataclasses.replace(message, token=token), _expiry_base(body))
        assert body == {"message": expected}


def _expiry_base(body):
    return int(body["message"]["apns"]["headers"]["apns-expiration"]) - 3600


@pytest.mark.parametrize("code", sorted(SEND_ERRORS))
def test_every_send_error_is_read_from_the_v1_body(app, fcm, code):
    fcm.fail("device-token-1", code, message=f"told: {code}", retry_after="7")
    (result,) = push_gateway().send([MESSAGE])
    assert (result.error_code, result.error_message, result.retry_after) == (
        code,
        f"told: {code}",
        7.0,
    )


def test_an_unreachable_host_is_a_network_error():
    gateway = FcmGateway("p", emulator_host="127.0.0.1:9")  # discard port: refused
    (result,) = gateway.send([MESSAGE])
    assert result.error_code == "NETWORK"


@pytest.mark.parametrize("error", TOPIC_ERRORS)
def test_every_topic_management_error_is_per_token(app, fcm, error):
    fcm.fail_topic_management("bad-token", error)
    results = push_gateway().manage_topic("ward-25459", ["good-token", "bad-token"], True)
    assert [r.error for r in results] == [None, error]
    request = fcm.requests[-1]
    assert request.path == "/iid/v1:batchAdd"
    assert request.body == {
        "to": "/topics/ward-25459",
        "registration_tokens": ["good-token", "bad-token"],
    }
    push_gateway().manage_topic("ward-25459", ["good-token"], False)
    assert fcm.requests[-1].path == "/iid/v1:batchRemove"


def test_production_refuses_the_emulator_host(tmp_path):
    with pytest.raises(ConfigurationError, match="SMARTAPP_FCM_EMULATOR_HOST"):
        load_settings(
            tmp_path,
            {
                "SMARTAPP_ENV": "production",
                "SMARTAPP_SECRET_KEY": "s" * 40,
                "SMARTAPP_FIREBASE_PROJECT_ID": "p",
                "SMARTAPP_FCM_EMULATOR_HOST": "127.0.0.1:1",
                "FIREBASE_AUTH_EMULATOR_HOST": "",
            },
        )


def test_fcm_settings_are_checked(tmp_path):
    with pytest.raises(ConfigurationError, match="SMARTAPP_CAMPAIGN_APPROVAL"):
        load_settings(tmp_path, {"SMARTAPP_CAMPAIGN_APPROVAL": "sometimes"})
    with pytest.raises(ConfigurationError, match="SMARTAPP_FCM_CONCURRENCY"):
        load_settings(tmp_path, {"SMARTAPP_FCM_CONCURRENCY": "0"})
