"""``/admin/notifications``: campaigns with their status, schedule and figures; one
campaign's page (approve, reject, cancel, test send) whose status part polls while it sends;
the inbox of the staff member's own test devices. Everything goes through the notifications
services, so the API's rules (a second person approves, nothing is recalled) hold here too."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import abort, flash, render_template, request
from marshmallow import ValidationError
from sqlalchemy import select
from werkzeug.wrappers import Response

import smartapp.notifications.campaigns as campaigns
from smartapp.console.blueprint import back_to, blp, console_language, page, t
from smartapp.console.campaign_form import field_errors
from smartapp.errors import DomainError
from smartapp.extensions import db, utcnow
from smartapp.i18n import Localized, localize
from smartapp.identity.auth import current_staff
from smartapp.identity.models import Role, Staff
from smartapp.ioc.services import PROVINCE_TIME
from smartapp.locations.services import wards
from smartapp.notifications.figures import figures
from smartapp.notifications.inbox import OwnDeviceNotFound, own_device_inbox, own_devices
from smartapp.notifications.interests import interests
from smartapp.notifications.models import Campaign, CampaignStatus
from smartapp.notifications.schemas import CampaignListArgs

LIST_ARGS = CampaignListArgs()
STATUS_NAMES: dict[str, Localized] = {
    CampaignStatus.PENDING_APPROVAL: {"vi": "Chờ duyệt", "en": "Pending approval"},
    CampaignStatus.SCHEDULED: {"vi": "Đã lên lịch", "en": "Scheduled"},
    CampaignStatus.SENDING: {"vi": "Đang gửi", "en": "Sending"},
    CampaignStatus.SENT: {"vi": "Đã gửi", "en": "Sent"},
    CampaignStatus.PARTIALLY_FAILED: {"vi": "Gửi lỗi một phần", "en": "Partially failed"},
    CampaignStatus.FAILED: {"vi": "Gửi lỗi", "en": "Failed"},
    CampaignStatus.CANCELLED: {"vi": "Đã huỷ", "en": "Cancelled"},
}
ORIGIN_NAMES = {
    "staff": {"vi": "Cán bộ soạn", "en": "Composed by staff"},
    "plugin": {"vi": "Từ tiện ích", "en": "From a utility"},
    "test": {"vi": "Gửi thử", "en": "Test send"},
}
#: a campaign due this soon is about to send: its page starts polling
POLL_AHEAD = timedelta(minutes=1)


def signed_in_staff() -> Staff:
    staff = current_staff()
    assert staff is not None  # @page
    return staff


def status_name(status: str) -> str:
    return localize(STATUS_NAMES.get(status, {"vi": status}), console_language())


@blp.context_processor
def _names() -> dict[str, Any]:
    return {"status_name": status_name, "origin_names": ORIGIN_NAMES}


@blp.app_template_filter("province_time")
def province_time(moment: datetime) -> str:
    """A moment as officers read it: the province's time, day first."""
    return moment.astimezone(PROVINCE_TIME).strftime("%d/%m/%Y %H:%M")


def _emails(ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(select(Staff.id, Staff.email).where(Staff.id.in_(wanted))).all())


@blp.get("/notifications")
@page(Role.COMMUNICATOR)
def notifications() -> tuple[str, int]:
    """Campaigns, newest first, with their status, author, schedule and figures."""
    submitted = {key: value for key, value in request.args.items() if value.strip()}
    try:
        listed = campaigns.listing(LIST_ARGS.load(submitted))
    except ValidationError as error:
        return render_template(
            "console/notifications.html",
            listed=None,
            filters=submitted,
            errors=error.normalized_messages(),
        ), 422
    return render_template(
        "console/notifications.html",
        listed=listed,
        figures={c.id: figures(c.id) for c in listed.items},
        emails=_emails({c.author_id for c in listed.items}),
        filters=submitted,
        following={k: v for k, v in submitted.items() if k != "cursor"},
        errors={},
    ), 200


def _campaign(campaign_id: int) -> Campaign:
    try:
        return campaigns.get(campaign_id)
    except campaigns.CampaignNotFound:
        abort(404)


def _audience_text(audience: dict[str, Any]) -> str:
    kind = audience.get("kind")
    if kind == "wards":
        names = {ward.code: ward.name for ward in wards()}
        return ", ".join(names.get(code, str(code)) for code in audience["wards"])
    if kind == "interests":
        titles = {i.slug: localize(i.title, console_language()) for i in interests(False)}
        return t("Quan tâm: ", "Following: ") + ", ".join(
            titles.get(slug, slug) for slug in audience["interests"]
        )
    if kind == "citizens":
        count = len(audience["citizens"])
        return t(f"{count} công dân được liệt kê", f"{count} listed citizens")
    if kind == "test":
        return t("Máy thử của người gửi", "The sender's test devices")
    return t("Toàn tỉnh", "The whole province")


def _polls(campaign: Campaign) -> bool:
    """Whether the status part of the page keeps asking: while it sends or is about to."""
    if campaign.status == CampaignStatus.SENDING:
        return True
    return campaign.status == CampaignStatus.SCHEDULED and (
        campaign.send_at is None or campaign.send_at <= utcnow() + POLL_AHEAD
    )


def _status_context(campaign: Campaign) -> dict[str, Any]:
    staff = signed_in_staff()
    return {
        "campaign": campaign,
        "figures": figures(campaign.id),
        "polls": _polls(campaign),
        "may_review": campaign.status == CampaignStatus.PENDING_APPROVAL
        and campaign.author_id != staff.id,
        "may_cancel": campaign.status in campaigns.CANCELLABLE,
        "may_test": campaign.origin != "test"
        and campaign.status in (CampaignStatus.PENDING_APPROVAL, CampaignStatus.SCHEDULED),
    }


def _campaign_page(campaign: Campaign, status: int = 200, **context: Any) -> tuple[str, int]:
    people = _emails({campaign.author_id, campaign.approved_by_id, campaign.rejected_by_id})
    return render_template(
        "console/campaign.html",
        audience=_audience_text(campaign.audience),
        people=people,
        **_status_context(campaign),
        **context,
    ), status


@blp.get("/notifications/<int:campaign_id>")
@page(Role.COMMUNICATOR)
def campaign(campaign_id: int) -> tuple[str, int]:
    """One campaign: what it says, to whom, when, and how its sending goes."""
    return _campaign_page(_campaign(campaign_id))


@blp.get("/notifications/<int:campaign_id>/status")
@page(Role.COMMUNICATOR)
def campaign_status(campaign_id: int) -> str:
    """The status part of the campaign's page, for htmx to poll."""
    return render_template(
        "console/campaign_status.html", **_status_context(_campaign(campaign_id))
    )


def _act(campaign_id: int, action: Any, done: str, *args: Any) -> Response | tuple[str, int]:
    """Run a campaign service for the signed-in staff member; a refusal is shown on the
    campaign's page with the service's status (403, 409, 422)."""
    try:
        action(campaign_id, signed_in_staff(), *args)
    except ValidationError as error:
        db.session.rollback()
        return _campaign_page(_campaign(campaign_id), 422, errors=field_errors(error))
    except campaigns.CampaignNotFound:
        abort(404)
    except DomainError as error:
        return _campaign_page(_campaign(campaign_id), error.status, refusal=str(error))
    flash(done, "success")
    return back_to("console.campaign", campaign_id=campaign_id)


@blp.post("/notifications/<int:campaign_id>/approve")
@page(Role.COMMUNICATOR)
def approve_campaign(campaign_id: int) -> Any:
    """Approve another officer's campaign: it is sent (or waits for its time)."""
    return _act(campaign_id, campaigns.approve, t("Đã duyệt.", "Approved."))


@blp.post("/notifications/<int:campaign_id>/reject")
@page(Role.COMMUNICATOR)
def reject_campaign(campaign_id: int) -> Any:
    """Turn down another officer's campaign, with the reason."""
    reason = request.form.get("reason", "")
    return _act(campaign_id, campaigns.reject, t("Đã từ chối.", "Rejected."), reason)


@blp.post("/notifications/<int:campaign_id>/cancel")
@page(Role.COMMUNICATOR)
def cancel_campaign(campaign_id: int) -> Any:
    """Stop a campaign before sending completes (what FCM accepted stays sent)."""
    return _act(campaign_id, campaigns.cancel, t("Đã huỷ.", "Cancelled."))


@blp.post("/notifications/<int:campaign_id>/resume")
@page(Role.COMMUNICATOR)
def resume_campaign(campaign_id: int) -> Any:
    """Go on sending a campaign FCM paused, once the reason is fixed."""
    return _act(campaign_id, campaigns.resume, t("Tiếp tục gửi.", "Sending resumed."))


@blp.post("/notifications/<int:campaign_id>/test")
@page(Role.COMMUNICATOR)
def send_test(campaign_id: int) -> Any:
    """Send the message to the signed-in staff member's own test devices."""
    if any(device.active for device in own_devices(signed_in_staff())):
        done = t(
            "Đã gửi thử đến máy thử của bạn: xem Máy thử của tôi.",
            "Test sent to your test devices: see My test devices.",
        )
    else:  # the service sends to nobody then: say why nothing arrives
        done = t(
            "Bạn chưa có máy thử nào nhận được: đăng nhập ứng dụng bằng tài khoản cán bộ.",
            "None of your test devices can receive it: sign in to the app as staff.",
        )
    return _act(campaign_id, campaigns.send_test, done)


@blp.get("/notifications/devices")
@page(Role.COMMUNICATOR)
def devices() -> str:
    """The staff member's own test devices (registered with their staff token)."""
    return render_template("console/test_devices.html", devices=own_devices(signed_in_staff()))


@blp.get("/notifications/devices/<int:device_id>")
@page(Role.COMMUNICATOR)
def device_inbox(device_id: int) -> str:
    """What test sends delivered to one of the staff member's test devices."""
    try:
        device, deliveries = own_device_inbox(signed_in_staff(), device_id)
    except OwnDeviceNotFound:
        abort(404)
    return render_template("console/test_device.html", device=device, deliveries=deliveries)
