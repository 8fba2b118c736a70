"""``/admin/notifications/new``: compose a campaign, with a live preview of the phone
notification and of whom it reaches (htmx posts the form to ``/admin/notifications/preview``
as it is typed; without JavaScript the Preview button shows the same on the page)."""

from __future__ import annotations

import secrets
from typing import Any

from flask import flash, render_template, request
from marshmallow import ValidationError

import smartapp.notifications.campaigns as campaigns
from smartapp.catalog.services import enabled_tiles
from smartapp.console.blueprint import back_to, blp, console_language, page, t
from smartapp.console.campaign_form import LABELS, Composed, blank, message_sizes, read
from smartapp.console.routes.notifications import signed_in_staff
from smartapp.identity.models import Role
from smartapp.locations.services import wards
from smartapp.notifications.interests import interests
from smartapp.notifications.models import CampaignStatus

#: one compose form, one campaign: a double click or a re-sent form finds the first
IDEMPOTENCY_FIELD = "idempotency_key"
#: what the service says when a key comes back with another body
IDEMPOTENCY_ERROR = "Idempotency-Key"


def _valid_key(key: str) -> str | None:
    """The form's own key; anything else (a tampered field) just goes without one."""
    return key if 0 < len(key) <= 128 and key.isascii() and key.isprintable() else None


def _deep_links() -> list[str]:
    return [tile.deep_link for tile in enabled_tiles(console_language())]


def _preview(composed: Composed) -> dict[str, Any]:
    """What the preview shows: the phone notification, each message's size, and (once the
    form is complete) how many devices and citizens it reaches now."""
    reach = None
    if composed.fields is not None:
        try:
            reach = campaigns.preview(composed.fields)
        except ValidationError as error:
            composed.refused(error)
    return {"composed": composed, "sizes": message_sizes(composed), "reach": reach}


def _compose_page(composed: Composed, status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault(
        "idempotency_key", request.form.get(IDEMPOTENCY_FIELD) or secrets.token_urlsafe(16)
    )
    return render_template(
        "console/notification_compose.html",
        composed=composed,
        utilities=enabled_tiles(console_language()),
        wards=wards(),
        interests=interests(),
        labels=LABELS,
        **context,
    ), status


@blp.get("/notifications/new")
@page(Role.COMMUNICATOR)
def compose() -> tuple[str, int]:
    """An empty compose form."""
    return _compose_page(blank())


@blp.post("/notifications/new")
@page(Role.COMMUNICATOR)
def submit_campaign() -> Any:
    """Create the campaign (``action=preview``: show the preview on the page instead)."""
    composed = read(request.form, _deep_links())
    if request.form.get("action") == "preview":
        preview = _preview(composed)
        return _compose_page(composed, 422 if composed.errors else 200, preview=preview)
    if composed.fields is None:
        return _compose_page(composed, 422)
    key = request.form.get(IDEMPOTENCY_FIELD, "")
    try:
        campaign, _ = campaigns.create(composed.fields, signed_in_staff(), _valid_key(key))
    except ValidationError as error:
        refused = composed.refused(error)
        if IDEMPOTENCY_ERROR in refused.errors:  # this form created one already, then changed
            refused.errors = {
                "": [
                    t(
                        "Biểu mẫu này đã tạo một thông báo. Bấm Tạo thông báo lần nữa để tạo "
                        "thêm một thông báo mới.",
                        "This form created a campaign already. Press Create again to create "
                        "another one.",
                    )
                ]
            }
            return _compose_page(refused, 409, idempotency_key=secrets.token_urlsafe(16))
        return _compose_page(refused, 422)
    if campaign.status == CampaignStatus.PENDING_APPROVAL:
        flash(
            t(
                "Đã tạo thông báo. Một cán bộ khác cần duyệt trước khi gửi.",
                "Campaign created. Another officer must approve it before it is sent.",
            ),
            "success",
        )
    else:
        flash(t("Đã tạo thông báo.", "Campaign created."), "success")
    return back_to("console.campaign", campaign_id=campaign.id)


@blp.post("/notifications/preview")
@page(Role.COMMUNICATOR)
def preview_campaign() -> str:
    """The preview panel for htmx, and each input's errors (swapped out of band)."""
    composed = read(request.form, _deep_links())
    return render_template(
        "console/notification_preview.html", live=True, preview=_preview(composed), labels=LABELS
    )
