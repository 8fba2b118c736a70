"""The versioned privacy notice and the citizens' consent to it."""

from __future__ import annotations

import json

from sqlalchemy import select

import smartapp.notifications.audience as audience
from smartapp.consent.models import ConsentRecord
from smartapp.consent.services import consent_allows
from smartapp.extensions import db
from smartapp.identity.models import AuditEntry
from smartapp.notifications.models import SubscriptionState, TopicSubscription
from tests.privacy.conftest import PHONE, WARD

NOTICE = "/api/v1/privacy/notice"
CONSENT = "/api/v1/privacy/consent"
NOTICES = "/api/v1/admin/privacy/notices"
NEW_NOTICE = {
    "title": {"vi": "Thông báo mới", "en": "New notice"},
    "body": {"vi": "Nội dung mới.", "en": "New text."},
    "purposes": [
        {"slug": "service", "title": {"vi": "Dịch vụ"}, "required": True},
        {"slug": "location_notifications", "title": {"vi": "Thông báo theo phường"}},
        {"slug": "surveys", "title": {"vi": "Khảo sát"}},
    ],
}


def test_notice_is_public_in_both_languages(client):
    notice = client.get(NOTICE).json
    assert notice["version"] == 1
    assert notice["title"]["vi"] and notice["title"]["en"]
    assert {p["slug"]: p["required"] for p in notice["purposes"]} == {
        "service": True,
        "location_notifications": False,
    }


def test_consent_is_recorded_with_version_time_and_app_version(client, signed_in, consent):
    headers = signed_in("+84912000001")
    assert client.get(CONSENT, headers=headers).json["current"] is False

    state = consent(headers, ["service"])

    assert state == {
        "notice_version": 1,
        "accepted_version": 1,
        "current": True,
        "granted": ["service"],
        "required": ["service"],
    }
    record = db.session.scalars(select(ConsentRecord)).one()
    assert (record.notice_version, record.app_version, record.action) == (1, "3.2.0", "consent")
    assert record.created_at is not None


def test_a_device_with_a_ward_needs_location_consent(client, signed_in, consent, error_envelope):
    headers = signed_in("+84912000001")
    device = {"token": "t-ward", "ward_code": WARD, **PHONE}

    refused = error_envelope(
        client.post("/api/v1/devices", headers=headers, json=device),
        403,
        fields={"consent", "notice_version", "purpose"},
    )
    assert refused["errors"]["consent"] == ["consent_required"]
    assert refused["errors"]["notice_version"] == ["1"]
    assert refused["errors"]["purpose"] == ["location_notifications"]

    consent(headers, ["service"])  # without location: still refused
    assert client.post("/api/v1/devices", headers=headers, json=device).status_code == 403
    consent(headers)
    assert client.post("/api/v1/devices", headers=headers, json=device).status_code == 201


def test_withdrawing_location_leaves_the_ward_topic_at_once(client, signed_in, consent, fcm):
    headers = signed_in("+84912000001")
    consent(headers)
    device = {"token": "t-ward", "ward_code": WARD, **PHONE}
    assert client.post("/api/v1/devices", headers=headers, json=device).status_code == 201
    topic = f"ward-{WARD}"
    assert _state(topic) == SubscriptionState.SUBSCRIBED

    response = client.post(
        f"{CONSENT}/withdraw", headers=headers, json={"purposes": ["location_notifications"]}
    )

    assert response.status_code == 200, response.json
    assert response.json["granted"] == ["service"]
    assert _state(topic) is None  # unsubscribed at FCM, then the mirror row went
    removed = [r.body for r in fcm.requests if r.path.endswith("batchRemove")]
    assert removed == [{"to": f"/topics/{topic}", "registration_tokens": ["t-ward"]}]
    history = db.session.scalars(select(ConsentRecord).order_by(ConsentRecord.id)).all()
    assert [(r.action, r.changed) for r in history][-1] == ("withdraw", ["location_notifications"])


def _state(topic: str) -> str | None:
    db.session.rollback()
    return db.session.scalar(
        select(TopicSubscription.state).where(TopicSubscription.topic == topic)
    )


def test_a_new_version_asks_again(client, signed_in, consent, admin):
    headers = signed_in("+84912000001")
    consent(headers)

    published = client.post(NOTICES, headers=admin.headers, json=NEW_NOTICE)

    assert published.status_code == 201, published.json
    assert published.json["version"] == 2
    assert client.get(NOTICE).json["version"] == 2
    state = client.get(CONSENT, headers=headers).json
    assert (state["current"], state["accepted_version"]) == (False, 1)
    stale = client.post(CONSENT, headers=headers, json={"version": 1, "purposes": ["service"]})
    assert stale.status_code == 422 and set(stale.json["errors"]) == {"version"}
    assert consent(headers)["current"] is True
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "privacy.notice.publish")
    ).one()
    assert entry.object_id == "2"


def test_bad_consent_names_the_field(client, signed_in, error_envelope):
    headers = signed_in("+84912000001")
    cases = [
        ({"purposes": ["service"]}, "version"),
        ({"version": "one", "purposes": ["service"]}, "version"),
        ({"version": 1, "purposes": ["service", "spying"]}, "purposes"),
        ({"version": 1, "purposes": ["location_notifications"]}, "purposes"),
        ({"version": 1, "purposes": ["service"], "app_version": "x"}, "app_version"),
    ]
    for body, field in cases:
        error_envelope(client.post(CONSENT, headers=headers, json=body), 422, fields={field})
    error_envelope(
        client.post(f"{CONSENT}/withdraw", headers=headers, json={"purposes": ["service"]}),
        422,
        fields={"purposes"},
    )


def test_consent_needs_a_citizen(client, admin):
    assert client.get(CONSENT).status_code == 401
    assert client.get(CONSENT, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get(CONSENT, headers=admin.headers).status_code == 403


def test_only_admins_publish_and_bad_notices_name_the_field(
    client, make_staff, signed_in, error_envelope
):
    communicator = make_staff("communicator")
    admin = make_staff("admin")
    assert client.post(NOTICES, json=NEW_NOTICE).status_code == 401
    assert client.post(NOTICES, headers=communicator.headers, json=NEW_NOTICE).status_code == 403
    assert (
        client.post(NOTICES, headers=signed_in("+84912000001"), json=NEW_NOTICE).status_code == 403
    )
    no_service = {**NEW_NOTICE, "purposes": NEW_NOTICE["purposes"][1:]}
    error_envelope(
        client.post(NOTICES, headers=admin.headers, json=no_service), 422, fields={"purposes"}
    )
    no_vietnamese = {**NEW_NOTICE, "title": {"en": "English only"}}
    error_envelope(
        client.post(NOTICES, headers=admin.headers, json=no_vietnamese), 422, fields={"title"}
    )
    assert [n["version"] for n in client.get(NOTICES, headers=admin.headers).json] == [1]


def test_the_command_line_publishes_a_version(app, tmp_path):
    path = tmp_path / "notice.json"
    path.write_text(json.dumps(NEW_NOTICE), encoding="utf-8")
    runner = app.test_cli_runner()

    result = runner.invoke(args=["privacy", "publish", str(path)])

    assert result.exit_code == 0, result.output
    assert "version 2" in result.output
    shown = json.loads(runner.invoke(args=["privacy", "notice"]).output)
    assert shown["version"] == 2
    path.write_text(json.dumps({**NEW_NOTICE, "purposes": []}), encoding="utf-8")
    refused = runner.invoke(args=["privacy", "publish", str(path)])
    assert refused.exit_code != 0 and "purposes" in refused.output


def test_the_command_line_refuses_text_no_app_could_show(app, tmp_path):
    """The API refuses a NUL or a lone surrogate before its schema; a file must be refused too."""
    path = tmp_path / "notice.json"
    runner = app.test_cli_runner()
    purposes = NEW_NOTICE["purposes"]
    for field, notice in [
        ("body", {**NEW_NOTICE, "body": {"vi": "Nội dung\x00"}}),
        ("purposes", {**NEW_NOTICE, "purposes": [{**purposes[0], "title": {"vi": "\ud800"}}]}),
    ]:
        path.write_text(json.dumps(notice), encoding="utf-8")

        refused = runner.invoke(args=["privacy", "publish", str(path)])

        assert refused.exit_code != 0 and field in refused.output, refused.output
    assert json.loads(runner.invoke(args=["privacy", "notice"]).output)["version"] == 1


def test_a_wards_audience_is_those_who_grant_location(client, signed_in, consent):
    people = [signed_in(f"+8491200000{n}") for n in range(3)]
    consent(people[0])
    consent(people[1], ["service"])  # a ward in the profile, not its notifications
    consent(people[2])
    ids = []
    for headers in people:
        ids.append(client.patch("/api/v1/me", headers=headers, json={"ward_code": WARD}).json["id"])
    response = client.post(
        f"{CONSENT}/withdraw", headers=people[2], json={"purposes": ["location_notifications"]}
    )
    assert response.status_code == 200, response.json

    reached = db.session.scalars(audience.citizens({"kind": "wards", "wards": [WARD]})).all()

    assert reached == [ids[0]]


def test_a_name_or_a_ward_is_stored_only_after_consent(client, signed_in, consent, error_envelope):
    headers = signed_in("+84912000001")
    for change in ({"ward_code": WARD}, {"display_name": "Lê Thị Bình"}):
        body = error_envelope(client.patch("/api/v1/me", headers=headers, json=change), 403)
        assert body["errors"]["consent"] == ["consent_required"]
    refused = client.get("/api/v1/me", headers=headers).json
    assert (refused["display_name"], refused["ward_code"]) == (None, None)  # nothing stored
    # a setting of the app, and clearing what is stored, need no consent
    cleared = client.patch(
        "/api/v1/me", headers=headers, json={"language": "en", "display_name": None}
    )
    assert cleared.status_code == 200, cleared.json
    profile = client.get("/api/v1/me", headers=headers).json
    assert (profile["language"], profile["display_name"], profile["ward_code"]) == (
        "en",
        None,
        None,
    )

    consent(headers)
    stored = client.patch("/api/v1/me", headers=headers, json={"ward_code": WARD})
    assert stored.status_code == 200 and stored.json["ward_code"] == WARD


def test_a_purpose_the_new_notice_dropped_can_still_be_withdrawn(client, signed_in, consent, admin):
    """What was granted goes on until withdrawn, so it must stay withdrawable even when the
    current notice no longer lists it."""
    headers = signed_in("+84912000001")
    consent(headers)  # version 1: service and location_notifications
    only_service = {**NEW_NOTICE, "purposes": NEW_NOTICE["purposes"][:1]}
    assert client.post(NOTICES, headers=admin.headers, json=only_service).status_code == 201
    citizen_id = client.get("/api/v1/me", headers=headers).json["id"]
    assert consent_allows(citizen_id, "location_notifications")

    withdrawn = client.post(
        f"{CONSENT}/withdraw", headers=headers, json={"purposes": ["location_notifications"]}
    )

    assert withdrawn.status_code == 200, withdrawn.json
    assert withdrawn.json["granted"] == ["service"]
    assert not consent_allows(citizen_id, "location_notifications")
    unknown = client.post(f"{CONSENT}/withdraw", headers=headers, json={"purposes": ["surveys"]})
    assert unknown.status_code == 422 and set(unknown.json["errors"]) == {"purposes"}
