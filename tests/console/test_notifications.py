"""``/admin/notifications``: compose with preview, approve or reject by a second officer,
schedule, cancel, the live status part, test devices — over the notifications services, with
the API's rules (pages by role, never the author's approval, CSRF on every form)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from smartapp_example import ExamplePlugin
from sqlalchemy import select

from smartapp.extensions import db
from smartapp.identity.models import AuditEntry, Role
from smartapp.notifications.models import (
    Campaign,
    CampaignStatus,
    Device,
    Interest,
)
from smartapp.testing import TEST_PASSWORD, with_plugins
from tests.console.conftest import csrf_token
from tests.console.notification_data import WARD, a_campaign, subscribed_phones
from tests.support.fcm_server import FcmServer

HTML = {"Accept": "text/html"}
pytestmark = with_plugins(ExamplePlugin)


@pytest.fixture
def fcm() -> Iterator[FcmServer]:
    with FcmServer() as server:
        yield server


@pytest.fixture
def smartapp_config(fcm):
    return {"SMARTAPP_FCM_EMULATOR_HOST": fcm.host}


@pytest.fixture
def officer_a(make_staff):
    return make_staff(Role.COMMUNICATOR, "a@truyenthong.test")


@pytest.fixture
def officer_b(make_staff):
    return make_staff(Role.COMMUNICATOR, "b@truyenthong.test")


@pytest.fixture
def as_staff(app):
    """A console client of its own for each staff member (``as_staff(officer)``)."""

    def sign(staff):
        client = app.test_client()
        response = client.post(
            "/admin/",
            data={
                "email": staff.account.email,
                "password": TEST_PASSWORD,
                "csrf_token": csrf_token(client),
            },
        )
        assert response.status_code == 303
        return client

    return sign


def send(client, path, data=None, **kwargs):
    """POST a console form with its CSRF token, as a browser does."""
    return client.post(
        path, data={**(data or {}), "csrf_token": csrf_token(client)}, headers=HTML, **kwargs
    )


def form(**extra):
    return {
        "title.vi": "Lịch cắt điện",
        "body.vi": "Thứ Bảy 7:00–11:00 tại phường Tân Ninh",
        "audience.kind": "province",
        "when": "now",
        **extra,
    }


@pytest.fixture
def phones(make_citizen):
    subscribed_phones(make_citizen)


def campaigns():
    db.session.rollback()  # a fresh snapshot
    return list(db.session.scalars(select(Campaign).order_by(Campaign.id)))


def created_id(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def actions():
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_compose_approve_by_a_second_officer_and_it_is_sent(
    as_staff, officer_a, officer_b, phones, fcm
):
    a = as_staff(officer_a)
    page = a.get("/admin/notifications/new").get_data(as_text=True)
    assert 'value="smartapp://u/example"' in page  # the deep link picker: enabled utilities
    campaign_id = created_id(send(a, "/admin/notifications/new", form(link="smartapp://u/example")))
    (campaign,) = campaigns()
    assert campaign.status == CampaignStatus.PENDING_APPROVAL  # the whole province
    assert campaign.link == "smartapp://u/example" and campaign.author_id == officer_a.account.id
    own = a.get(f"/admin/notifications/{campaign_id}").get_data(as_text=True)
    assert "Chờ duyệt" in own and "Duyệt</button>" not in own and "Từ chối" not in own
    assert send(a, f"/admin/notifications/{campaign_id}/approve").status_code == 403
    assert campaigns()[0].status == CampaignStatus.PENDING_APPROVAL

    b = as_staff(officer_b)
    theirs = b.get(f"/admin/notifications/{campaign_id}").get_data(as_text=True)
    assert "Duyệt</button>" in theirs and "a@truyenthong.test" in theirs
    approved = send(b, f"/admin/notifications/{campaign_id}/approve")
    assert approved.status_code == 303
    # no Redis in this app: the dispatch ran in-process once the approval committed
    assert campaigns()[0].status == CampaignStatus.SENT
    assert fcm.sent_to("province-80") == 1
    status = b.get(f"/admin/notifications/{campaign_id}/status").get_data(as_text=True)
    assert "Đã gửi" in status and "hx-trigger" not in status
    assert re.search(r"Đã gửi \(FCM nhận\)</dt><dd>1<", status)
    listed = b.get("/admin/notifications").get_data(as_text=True)
    assert "Lịch cắt điện" in listed and "a@truyenthong.test" in listed and "1 / 1" in listed
    assert actions() == ["notifications.campaign.create", "notifications.campaign.approve"]


def test_the_deep_link_picker_lists_enabled_utilities_only(as_staff, make_staff, officer_a):
    admin = as_staff(make_staff(Role.ADMIN))
    assert send(admin, "/admin/plugins/example/enabled", {"enabled": "false"}).status_code == 303
    a = as_staff(officer_a)
    assert "smartapp://u/example" not in a.get("/admin/notifications/new").get_data(as_text=True)
    refused = send(a, "/admin/notifications/new", form(link="smartapp://u/example"))
    assert refused.status_code == 422 and "is not an enabled utility" in refused.get_data(
        as_text=True
    )


def test_reject_needs_a_reason_and_another_officer(as_staff, officer_a, officer_b):
    a, b = as_staff(officer_a), as_staff(officer_b)
    campaign_id = created_id(send(a, "/admin/notifications/new", form()))
    assert send(a, f"/admin/notifications/{campaign_id}/reject", {"reason": "x"}).status_code == 403
    blank = send(b, f"/admin/notifications/{campaign_id}/reject", {"reason": "  "})
    assert blank.status_code == 422 and 'id="reject-reason-error"' in blank.get_data(as_text=True)
    assert campaigns()[0].status == CampaignStatus.PENDING_APPROVAL
    send(b, f"/admin/notifications/{campaign_id}/reject", {"reason": "Sai giờ cắt điện"})
    (campaign,) = campaigns()
    assert campaign.status == CampaignStatus.CANCELLED
    assert campaign.rejected_by_id == officer_b.account.id
    page = a.get(f"/admin/notifications/{campaign_id}").get_data(as_text=True)
    assert "Bị từ chối: Sai giờ cắt điện" in page and "b@truyenthong.test" in page
    again = send(b, f"/admin/notifications/{campaign_id}/approve")
    assert again.status_code == 409
    assert actions()[-1] == "notifications.campaign.reject"


def test_schedule_in_vietnam_time_is_stored_in_utc_and_cancelled(as_staff, officer_a, officer_b):
    a = as_staff(officer_a)
    scheduled = form(**{"audience.kind": "wards", "audience.wards": [str(WARD)]})
    scheduled.update(when="later", send_at="2031-01-15T08:30")
    campaign_id = created_id(send(a, "/admin/notifications/new", scheduled))
    (campaign,) = campaigns()
    assert campaign.status == CampaignStatus.SCHEDULED  # a ward: no approval by default
    assert campaign.send_at == datetime(2031, 1, 15, 1, 30, tzinfo=UTC)
    assert campaign.audience == {"kind": "wards", "wards": [WARD]}
    assert "15/01/2031 08:30" in a.get("/admin/notifications").get_data(as_text=True)
    page = a.get(f"/admin/notifications/{campaign_id}").get_data(as_text=True)
    assert "không thể thu hồi" in page  # what FCM accepted cannot be recalled
    assert "hx-trigger" not in page  # due in years: nothing to poll yet
    assert send(a, f"/admin/notifications/{campaign_id}/cancel").status_code == 303
    assert campaigns()[0].status == CampaignStatus.CANCELLED
    assert send(a, f"/admin/notifications/{campaign_id}/cancel").status_code == 409


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"body.vi": "ễ" * 700}, "body-vi"),  # FCM's 2,048 bytes for a topic message
        ({"title.vi": ""}, "title-vi"),
        ({"audience.kind": "wards"}, "audience-wards"),
        ({"audience.kind": "citizens", "audience.citizens": "12, abc"}, "audience-citizens"),
        ({"audience.kind": "interests", "audience.interests": ["nope"]}, "audience-interests"),
        ({"when": "later", "send_at": "2020-01-01T08:00"}, "send_at"),
        ({"when": "later", "send_at": ""}, "send_at"),
        ({"link": "https://evil.example"}, "link"),
        ({"link_path": "reports/7"}, "link_path"),
        ({"image_url": "http://not-https.example/a.png"}, "image_url"),
    ],
)
def test_errors_are_shown_at_their_field_and_nothing_is_stored(as_staff, officer_a, changes, field):
    a = as_staff(officer_a)
    refused = send(a, "/admin/notifications/new", form(**changes))
    assert refused.status_code == 422
    slot = re.search(
        rf'id="errors-{field}">(.*?)</div>', refused.get_data(as_text=True), re.DOTALL
    ).group(1)
    assert 'class="error"' in slot, slot
    assert campaigns() == [] and actions() == []


def test_the_preview_button_works_without_javascript(as_staff, officer_a, phones):
    a = as_staff(officer_a)
    shown = send(a, "/admin/notifications/new", form(action="preview", **{"title.en": "Power"}))
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and campaigns() == []
    assert "Lịch cắt điện" in page and "Power" in page  # both phones
    assert re.search(r"Điện thoại nhận</dt><dd>2<", page)
    assert "Cần một cán bộ khác duyệt" in page
    assert re.search(r"Dung lượng \(vi\): \d+ / 2048 byte", page)


def test_the_live_preview_answers_htmx_with_the_csrf_header(as_staff, officer_a, phones):
    a = as_staff(officer_a)
    token = csrf_token(a, "/admin/notifications/new")
    headers = {"HX-Request": "true", "X-CSRFToken": token}
    wards = form(**{"audience.kind": "wards", "audience.wards": [str(WARD)]})
    fragment = a.post("/admin/notifications/preview", data=wards, headers=headers)
    assert fragment.status_code == 200
    text = fragment.get_data(as_text=True)
    assert "<h1" not in text and re.search(r"Điện thoại nhận</dt><dd>1<", text)
    assert 'id="errors-body-vi" hx-swap-oob="true"' in text
    too_big = a.post(
        "/admin/notifications/preview", data=form(**{"body.vi": "ễ" * 700}), headers=headers
    ).get_data(as_text=True)
    slot = re.search(r'id="errors-body-vi" hx-swap-oob="true">(.*?)</div>', too_big, re.DOTALL)
    assert "FCM takes at most 2048" in slot.group(1)
    assert "Điện thoại nhận" not in too_big
    unfilled = a.post(
        "/admin/notifications/preview", data=form(**{"title.vi": ""}), headers=headers
    ).get_data(as_text=True)
    slot = re.search(r'id="errors-title-vi" hx-swap-oob="true">(.*?)</div>', unfilled, re.DOTALL)
    assert "error" not in slot.group(1)  # not typed yet: listed in the panel, not at the field
    assert "Chưa đếm được người nhận" in unfilled
    refused = a.post("/admin/notifications/preview", data=wards, headers={"HX-Request": "true"})
    assert refused.status_code == 400  # no CSRF token


def test_a_double_submit_is_one_campaign(as_staff, officer_a):
    a = as_staff(officer_a)
    submitted = form(idempotency_key="compose-form-1")
    first = created_id(send(a, "/admin/notifications/new", submitted))
    assert created_id(send(a, "/admin/notifications/new", submitted)) == first
    assert len(campaigns()) == 1
    changed = send(a, "/admin/notifications/new", {**submitted, "body.vi": "Đã đổi giờ"})
    page = changed.get_data(as_text=True)
    assert changed.status_code == 409 and "Biểu mẫu này đã tạo một thông báo" in page
    fresh = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    assert fresh != "compose-form-1"
    again = send(a, "/admin/notifications/new", {**submitted, "idempotency_key": fresh})
    assert created_id(again) != first and len(campaigns()) == 2


def test_interests_and_listed_citizens(as_staff, officer_a, make_citizen):
    db.session.add(Interest(slug="nuoc-sach", title={"vi": "Nước sạch", "en": "Clean water"}))
    db.session.commit()
    one, two = make_citizen("+84912000011").account, make_citizen("+84912000012").account
    a = as_staff(officer_a)
    assert "Nước sạch" in a.get("/admin/notifications/new").get_data(as_text=True)
    followers = form(**{"audience.kind": "interests", "audience.interests": ["nuoc-sach"]})
    first = created_id(send(a, "/admin/notifications/new", followers))
    listed = form(**{"audience.kind": "citizens", "audience.citizens": f"{one.id},\n{two.id}"})
    second = created_id(send(a, "/admin/notifications/new", listed))
    by_id = {c.id: c for c in campaigns()}
    assert by_id[first].audience == {"kind": "interests", "interests": ["nuoc-sach"]}
    assert by_id[second].audience == {"kind": "citizens", "citizens": [one.id, two.id]}
    assert "Quan tâm: Nước sạch" in a.get(f"/admin/notifications/{first}").get_data(as_text=True)
    assert "2 công dân" in a.get(f"/admin/notifications/{second}").get_data(as_text=True)


def test_the_status_part_polls_while_sending_and_stops_when_finished(as_staff, officer_a):
    a = as_staff(officer_a)
    campaign_id = created_id(send(a, "/admin/notifications/new", form()))
    campaign = campaigns()[0]
    campaign.status = CampaignStatus.SENDING
    db.session.commit()
    polling = a.get(f"/admin/notifications/{campaign_id}/status").get_data(as_text=True)
    assert 'hx-trigger="every 2s"' in polling and "Đang gửi" in polling
    assert f'hx-get="/admin/notifications/{campaign_id}/status"' in polling
    campaign = campaigns()[0]
    campaign.status = CampaignStatus.PARTIALLY_FAILED
    db.session.commit()
    finished = a.get(f"/admin/notifications/{campaign_id}/status").get_data(as_text=True)
    assert "hx-trigger" not in finished and "Gửi lỗi một phần" in finished


def test_a_test_send_reaches_the_inbox_of_my_test_device(app, as_staff, officer_a, officer_b, fcm):
    registered = app.test_client().post(
        "/api/v1/devices",
        headers=officer_a.headers,
        json={"token": "officer-a-phone", "platform": "android", "app_version": "3.2.0"},
    )
    assert registered.status_code == 201
    a = as_staff(officer_a)
    campaign_id = created_id(send(a, "/admin/notifications/new", form()))
    tested = send(a, f"/admin/notifications/{campaign_id}/test", follow_redirects=True)
    assert "Đã gửi thử đến máy thử của bạn" in tested.get_data(as_text=True)
    assert fcm.sent_to("officer-a-phone") == 1
    devices = a.get("/admin/notifications/devices").get_data(as_text=True)
    (device_id,) = db.session.scalars(select(Device.id).where(Device.token == "officer-a-phone"))
    assert f'href="/admin/notifications/devices/{device_id}"' in devices
    inbox = a.get(f"/admin/notifications/devices/{device_id}").get_data(as_text=True)
    assert "Lịch cắt điện" in inbox and "Đã gửi" in inbox
    b = as_staff(officer_b)
    assert b.get(f"/admin/notifications/devices/{device_id}", headers=HTML).status_code == 404
    assert "chưa có máy thử" in b.get("/admin/notifications/devices").get_data(as_text=True)
    nobody = send(b, f"/admin/notifications/{campaign_id}/test", follow_redirects=True)
    assert "Bạn chưa có máy thử nào nhận được" in nobody.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/notifications",
        "/admin/notifications/new",
        "/admin/notifications/1",
        "/admin/notifications/1/status",
        "/admin/notifications/devices",
    ],
)
def test_pages_by_role(as_staff, client, make_staff, officer_a, path):
    a = as_staff(officer_a)
    a_campaign()
    assert a.get(path, headers=HTML).status_code == 200
    assert as_staff(make_staff(Role.ADMIN)).get(path, headers=HTML).status_code == 200
    agency = as_staff(make_staff(Role.AGENCY_STAFF, agency_code="SXD"))
    assert agency.get(path, headers=HTML).status_code == 403
    assert "Thông báo" not in agency.get("/admin/", headers=HTML).get_data(as_text=True)
    assert "Thông báo" in a.get("/admin/", headers=HTML).get_data(as_text=True)
    anonymous = client.get(path, headers=HTML)
    assert anonymous.status_code == 303 and "/admin/?next=" in anonymous.headers["Location"]


def test_unknown_campaign_is_a_404_page(as_staff, officer_a):
    a = as_staff(officer_a)
    assert a.get("/admin/notifications/999", headers=HTML).status_code == 404
    assert send(a, "/admin/notifications/999/approve").status_code == 404
