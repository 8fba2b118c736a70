"""The citizen app's routes: ``/api/v1/devices`` and ``/api/v1/notifications``."""

from __future__ import annotations

from typing import Any

import smartapp.notifications.devices as devices
import smartapp.notifications.inbox as inbox
import smartapp.notifications.interests as interests
from smartapp.blueprint import Blueprint
from smartapp.extensions import limiter
from smartapp.i18n import current_language
from smartapp.identity.auth import citizen_required, current_citizen, current_staff
from smartapp.identity.models import Citizen
from smartapp.notifications.schemas import (
    DeviceSchema,
    InboxItemSchema,
    InboxPageSchema,
    PreferencesSchema,
    ReadAllSchema,
)
from smartapp.pagination import CursorPageArgs

blp = Blueprint(
    "notifications",
    __name__,
    url_prefix="/api/v1",
    description="Push devices and the citizen's inbox",
)
#: inbox ids are 64-bit
_ID = "<int(max=9223372036854775807):item_id>"


@blp.route("/devices", methods=["POST"])
@limiter.limit("30/minute")
@blp.arguments(DeviceSchema)
@blp.response(200, DeviceSchema)
@blp.alt_response(201, schema=DeviceSchema, description="a new device")
def register_device(fields: dict[str, Any]) -> tuple[Any, int]:
    """Register this installation's FCM token, signed in or anonymous (give ``ward_code``).

    201 for a new device; 200 when the token or the ``installation_id`` is known (a new
    token for a known installation replaces its old one). Register again at every app start
    and on every token refresh: a device not seen for 30 days is not sent to.
    """
    registration = devices.register(fields, current_citizen(), current_staff())
    return registration.device, 201 if registration.created else 200


@blp.route("/devices/<token>", methods=["DELETE"])
@limiter.limit("30/minute")
@blp.response(204)
def delete_device(token: str) -> None:
    """Stop pushes to this token (at sign-out); it leaves its FCM topics too."""
    devices.sign_out(token, current_citizen())


def _citizen() -> Citizen:
    citizen = current_citizen()
    assert citizen is not None  # citizen_required
    return citizen


@blp.route("/notifications")
@citizen_required
@blp.arguments(CursorPageArgs, location="query")
@blp.response(200, InboxPageSchema)
def list_notifications(args: dict[str, Any]) -> dict[str, Any]:
    """The inbox, newest first, in the ``Accept-Language`` language, with ``unread_count``."""
    citizen = _citizen()
    page = inbox.inbox_page(citizen, args)
    language = current_language()
    return {
        "items": [inbox.as_entry(item, language) for item in page.items],
        "next_cursor": page.next_cursor,
        "unread_count": inbox.unread_count(citizen),
    }


@blp.route(f"/notifications/{_ID}/read", methods=["POST"])
@citizen_required
@blp.response(200, InboxItemSchema)
def read_notification(item_id: int) -> dict[str, Any]:
    """Mark one notification read (again: no change)."""
    return inbox.as_entry(inbox.mark_read(_citizen(), item_id), current_language())


@blp.route(f"/notifications/{_ID}/opened", methods=["POST"])
@citizen_required
@blp.response(200, InboxItemSchema)
def open_notification(item_id: int) -> dict[str, Any]:
    """The citizen tapped this notification's push (read too); counted in ``opened``."""
    return inbox.as_entry(inbox.mark_read(_citizen(), item_id, opened=True), current_language())


@blp.route("/notifications/read-all", methods=["POST"])
@citizen_required
@blp.response(200, ReadAllSchema)
def read_all() -> dict[str, int]:
    """Mark every notification read."""
    citizen = _citizen()
    return {"marked": inbox.mark_all_read(citizen), "unread_count": inbox.unread_count(citizen)}


@blp.route("/notifications/preferences")
@citizen_required
@blp.response(200, PreferencesSchema)
def get_preferences() -> dict[str, Any]:
    """The interests the citizen follows, and every one they may follow."""
    return {"interests": interests.followed(_citizen()), "available": interests.interests()}


@blp.route("/notifications/preferences", methods=["PUT"])
@citizen_required
@blp.arguments(PreferencesSchema)
@blp.response(200, PreferencesSchema)
def put_preferences(body: dict[str, Any]) -> dict[str, Any]:
    """Follow exactly these interests; the citizen's devices follow their topics."""
    followed = interests.set_followed(_citizen(), body["interests"])
    return {"interests": followed, "available": interests.interests()}
