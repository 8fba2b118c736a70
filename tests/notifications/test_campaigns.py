"""``/api/v1/admin/notifications``: compose, approve, preview, cancel, test, figures, CLI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from smartapp.extensions import db, utcnow
from smartapp.identity.models import AuditEntry
from smartapp.notifications.models import Device, InboxItem, Interest

WARD, OTHER_WARD = 25459, 25462
URL = "/api/v1/admin/notifications"


@pytest.fixture
def smartapp_config(fcm_config, request):
    marker = request.node.get_closest_marker("smartapp_config")
    return {**fcm_config, **(marker.kwargs if marker else {})}


@pytest.fixture
def communicator(make_staff):
    return make_staff("communicator")


@pytest.fixture
def people(app, make_citizen):
    """Three citizens with a phone each (two in WARD), and an anonymous phone in WARD."""
    citizens = [
        make_citizen(f"+8491200000{n}", ward_code=ward).account
        for n, ward in ((1, WARD), (2, WARD), (3, OTHER_WARD))
    ]
    client = app.test_client()
    for number, citizen in enumerate(citizens):
        db.session.add(
            Device(
                token=f"phone-{number}",
                citizen_id=citizen.id,
                platform="android",
                app_version="3.2.0",
                ward_code=citizen.ward_code,
            )
        )
    db.session.commit()
    client.post(
        "/api/v1/devices",
        json={
            "token": "anonymous-phone",
            "ward_code": WARD,
            "platform": "ios",
            "app_version": "3.2.0",
        },
    )
    from smartapp.notifications import topics

    for device in db.session.scalars(select(Device)):
        topics.plan(device)
    db.session.commit()
    topics.sync_subscriptions()
    return citizens


def body(**extra):
    return {
        "title": {"vi": "Lịch cắt điện", "en": "Power cut"},
        "body": {"vi": "Thứ Bảy 7:00–11:00", "en": "Saturday 7–11"},
        "link": "smartapp://u/power",
        "audience": {"kind": "wards", "wards": [WARD]},
        **extra,
    }


def test_a_ward_campaign_is_one_topic_request_and_reaches_the_inbox(
    client, fcm, people, communicator
):
    before = len(fcm.sends())
    response = client.post(URL, json=body(), headers=communicator.headers)
    assert response.status_code == 201, response.json
    campaign = client.get(f"{URL}/{response.json['id']}", headers=communicator.headers).json
    assert campaign["status"] == "sent" and campaign["needs_approval"] is False
    sends = fcm.sends()[before:]
    assert [s.get("topic") for s in sends] == [f"ward-{WARD}"]
    assert campaign["figures"]["sent"] == 1 and campaign["figures"]["inbox"] == 2
    inboxes = set(db.session.scalars(select(InboxItem.citizen_id)))
    assert inboxes == {people[0].id, people[1].id}


def test_province_campaigns_need_another_staff_members_approval(
    client, fcm, people, communicator, make_staff, error_envelope
):
    response = client.post(
        URL, json=body(audience={"kind": "province"}), headers=communicator.headers
    )
    campaign_id = response.json["id"]
    assert response.json["status"] == "pending_approval"
    assert not [s for s in fcm.sends() if s.get("topic") == "province-80"]
    error_envelope(client.post(f"{URL}/{campaign_id}/approve", headers=communicator.headers), 403)
    approver = make_staff("communicator")
    approved = client.post(f"{URL}/{campaign_id}/approve", headers=approver.headers)
    assert approved.status_code == 200 and approved.json["approved_by_id"] == approver.account.id
    assert approved.json["status"] == "sent"
    province = [s for s in fcm.sends() if s.get("topic") == "province-80"]
    assert len(province) == 1  # a whole-province broadcast is one FCM request
    error_envelope(client.post(f"{URL}/{campaign_id}/approve", headers=approver.headers), 409)
    assert approved.json["figures"]["inbox"] == 3
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"notifications.campaign.create", "notifications.campaign.approve"} <= actions


def test_a_second_staff_member_rejects_with_a_reason(
    client, fcm, communicator, make_staff, error_envelope
):
    created = client.post(
        URL, json=body(audience={"kind": "province"}), headers=communicator.headers
    )
    reject = f"{URL}/{created.json['id']}/reject"
    own = client.post(reject, json={"reason": "no"}, headers=communicator.headers)
    error_envelope(own, 403)
    reviewer = make_staff("communicator")
    error_envelope(
        client.post(reject, json={"reason": " "}, headers=reviewer.headers), 422, {"reason"}
    )
    error_envelope(client.post(reject, json={}, headers=reviewer.headers), 422, {"reason"})
    rejected = client.post(reject, json={"reason": "Sai giờ"}, headers=reviewer.headers)
    assert rejected.status_code == 200, rejected.json
    assert rejected.json["status"] == "cancelled"
    assert rejected.json["rejected_by_id"] == reviewer.account.id
    assert rejected.json["rejection_reason"] == "Sai giờ"
    error_envelope(client.post(reject, json={"reason": "again"}, headers=reviewer.headers), 409)
    approve = f"{URL}/{created.json['id']}/approve"
    error_envelope(client.post(approve, headers=reviewer.headers), 409)
    assert fcm.sends() == []
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "notifications.campaign.reject")
    ).one()
    assert entry.details == {"by": reviewer.account.email, "reason": "Sai giờ"}


@pytest.mark.smartapp_config(SMARTAPP_CAMPAIGN_APPROVAL="all")
def test_a_test_send_goes_to_the_authors_own_devices(client, fcm, people, communicator):
    registered = client.post(
        "/api/v1/devices",
        headers=communicator.headers,
        json={"token": "staff-phone", "platform": "android", "app_version": "3.2.0"},
    )
    assert registered.status_code == 201
    campaign_id = client.post(URL, json=body(), headers=communicator.headers).json["id"]
    test = client.post(f"{URL}/{campaign_id}/test", headers=communicator.headers)
    assert test.status_code == 201 and test.json["origin"] == "test"
    assert [s.get("token") for s in fcm.sends()] == ["staff-phone"]
    source = client.get(f"{URL}/{campaign_id}", headers=communicator.headers).json
    assert source["status"] == "pending_approval"


def test_idempotency_key(client, people, communicator, error_envelope):
    headers = {**communicator.headers, "Idempotency-Key": "compose-2026-12-02-1"}
    first = client.post(URL, json=body(), headers=headers)
    again = client.post(URL, json=body(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["id"] == again.json["id"]
    error_envelope(
        client.post(URL, json=body(link="smartapp://u/other"), headers=headers),
        422,
        fields={"Idempotency-Key"},
    )
    assert client.get(URL, headers=communicator.headers).json["items"][0]["id"] == first.json["id"]


def test_cancel_before_sending_and_local_time(client, people, communicator, error_envelope):
    later = (utcnow() + timedelta(hours=3)).replace(microsecond=0)
    created = client.post(
        URL, json=body(send_at=later.isoformat()), headers=communicator.headers
    ).json
    assert created["status"] == "scheduled"
    assert created["send_at_local"].endswith("+07:00")
    cancelled = client.post(f"{URL}/{created['id']}/cancel", headers=communicator.headers)
    assert cancelled.json["status"] == "cancelled"
    error_envelope(client.post(f"{URL}/{created['id']}/cancel", headers=communicator.headers), 409)
    error_envelope(client.post(f"{URL}/999999/cancel", headers=communicator.headers), 404)


def test_preview(client, people, communicator):
    preview = client.post(f"{URL}/preview", json=body(), headers=communicator.headers).json
    assert preview == {
        "devices": 3,
        "stale_devices": 0,
        "citizens": 2,
        "fcm_requests": 1,
        "needs_approval": False,
    }
    listed = client.post(
        f"{URL}/preview",
        json=body(audience={"kind": "citizens", "citizens": [people[0].id, people[2].id]}),
        headers=communicator.headers,
    ).json
    assert listed["devices"] == 2 and listed["fcm_requests"] == 2 and listed["citizens"] == 2


def test_a_citizen_campaign_goes_to_their_tokens(client, fcm, people, communicator):
    created = client.post(
        URL,
        json=body(audience={"kind": "citizens", "citizens": [people[0].id, people[2].id]}),
        headers=communicator.headers,
    ).json
    campaign = client.get(f"{URL}/{created['id']}", headers=communicator.headers).json
    assert campaign["status"] == "sent"
    assert campaign["figures"]["sent"] == 2 and campaign["figures"]["targeted"] == 2
    assert sorted(s["token"] for s in fcm.sends() if "token" in s) == ["phone-0", "phone-2"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"audience": {"kind": "wards"}}, "audience"),
        ({"audience": {"kind": "province", "wards": [WARD]}}, "audience"),
        (
            {"audience": {"kind": "interests", "interests": ["a", "b", "c", "d", "e", "f"]}},
            "audience",
        ),
        ({"audience": {"kind": "interests", "interests": ["no-such"]}}, "audience"),
        ({"body": {"vi": "ư" * 990}, "title": {"vi": "ơ" * 990}}, "body"),
        ({"title": {"en": "no Vietnamese"}}, "title"),
        ({"ttl_seconds": 29 * 86400}, "ttl_seconds"),
        ({"send_at": "2020-01-01T00:00:00+07:00"}, "send_at"),
        ({"send_at": "2030-01-01T00:00:00"}, "send_at"),
        ({"image_url": "http://insecure.example/a.png"}, "image_url"),
        ({"data": {"from": "x"}}, "data"),
    ],
)
def test_bad_campaigns_name_the_field_and_create_nothing(
    client, communicator, error_envelope, change, field
):
    error_envelope(
        client.post(URL, json=body(**change), headers=communicator.headers), 422, fields={field}
    )
    assert client.get(URL, headers=communicator.headers).json["items"] == []


def test_who_may_compose(client, make_staff, citizen, error_envelope):
    error_envelope(client.post(URL, json=body()), 401)
    error_envelope(client.post(URL, json=body(), headers=citizen.headers), 403)
    agency = make_staff("agency_staff", agency_code="SXD")
    error_envelope(client.post(URL, json=body(), headers=agency.headers), 403)


def test_interests_are_managed_by_admins(client, admin, communicator, error_envelope, people):
    interest = {"slug": "nuoc-sach", "title": {"vi": "Nước sạch", "en": "Clean water"}}
    error_envelope(
        client.post(f"{URL}/interests", json=interest, headers=communicator.headers), 403
    )
    assert client.post(f"{URL}/interests", json=interest, headers=admin.headers).status_code == 201
    error_envelope(
        client.post(f"{URL}/interests", json=interest, headers=admin.headers), 422, fields={"slug"}
    )
    error_envelope(
        client.post(f"{URL}/interests", json={**interest, "slug": "Nước"}, headers=admin.headers),
        422,
        fields={"slug"},
    )
    assert db.session.get(Interest, "nuoc-sach").active
    retired = client.patch(
        f"{URL}/interests/nuoc-sach", json={"active": False}, headers=admin.headers
    )
    assert retired.status_code == 200 and retired.json["active"] is False
    error_envelope(
        client.patch(f"{URL}/interests/none", json={"active": False}, headers=admin.headers), 404
    )


def test_the_command_line(app, people, make_staff):
    author, approver = make_staff("communicator"), make_staff("admin")
    runner = app.test_cli_runner()
    sent = runner.invoke(
        args=[
            "notify",
            "send",
            "--title",
            "Bão số 5",
            "--body",
            "Sơ tán",
            "--province",
            "--as",
            author.account.email,
        ]
    )
    assert sent.exit_code == 0, sent.output
    campaign_id, status = sent.output.split("\t")[:2]
    assert status == "pending_approval"
    own = runner.invoke(args=["notify", "approve", campaign_id, "--as", author.account.email])
    assert own.exit_code == 1 and "other than its author" in own.output
    approved = runner.invoke(
        args=["notify", "approve", campaign_id, "--as", approver.account.email]
    )
    assert approved.exit_code == 0 and "\tsent\t" in approved.output
    listed = runner.invoke(args=["notify", "list", "--json"])
    assert f'"id": {campaign_id}' in listed.output
    bad = runner.invoke(
        args=[
            "notify",
            "send",
            "--title",
            "x",
            "--body",
            "y",
            "--ward",
            "1",
            "--as",
            author.account.email,
        ]
    )
    assert bad.exit_code == 1 and "wards" in bad.output
    cancel = runner.invoke(args=["notify", "cancel", campaign_id, "--as", author.account.email])
    assert cancel.exit_code == 1 and "cannot be cancelled" in cancel.output
