"""Staff routes: ``/api/v1/admin/notifications`` (campaigns) and its interests."""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any

from flask import request
from marshmallow import ValidationError

import smartapp.notifications.campaigns as campaigns
import smartapp.notifications.interests as interests
from smartapp.blueprint import Blueprint
from smartapp.identity.auth import current_staff, staff_required
from smartapp.identity.models import Role, Staff
from smartapp.notifications.figures import figures
from smartapp.notifications.models import Campaign
from smartapp.notifications.schemas import (
    CampaignCreateSchema,
    CampaignListArgs,
    CampaignSchema,
    InterestChangeSchema,
    InterestSchema,
    PreviewSchema,
    RejectSchema,
)
from smartapp.pagination import page_schema

blp = Blueprint(
    "notification_admin",
    __name__,
    url_prefix="/api/v1/admin/notifications",
    description="Campaigns: compose, preview, approve, cancel, figures",
)
#: Asia/Ho_Chi_Minh has kept UTC+7 without daylight saving since 1975
VIETNAM = timezone(timedelta(hours=7), "ICT")
IDEMPOTENCY_KEY = "Idempotency-Key"


def _staff() -> Staff:
    staff = current_staff()
    assert staff is not None  # staff_required
    return staff


def describe(campaign: Campaign) -> dict[str, Any]:
    """The campaign as staff see it: status, figures from its delivery rows, local time."""
    return {
        **{
            name: getattr(campaign, name)
            for name in (
                "id",
                "origin",
                "status",
                "title",
                "body",
                "link",
                "image_url",
                "data",
                "audience",
                "ttl_seconds",
                "send_at",
                "author_id",
                "approved_by_id",
                "rejected_by_id",
                "rejection_reason",
                "paused_reason",
                "failure_reason",
                "created_at",
                "started_at",
                "completed_at",
            )
        },
        "send_at_local": campaign.send_at.astimezone(VIETNAM).isoformat()
        if campaign.send_at
        else None,
        "needs_approval": campaigns.needs_approval(campaign.audience)
        if campaign.audience.get("kind") != "test"
        else False,
        "figures": figures(campaign.id),
    }


def _idempotency_key() -> str | None:
    key = request.headers.get(IDEMPOTENCY_KEY)
    if key is not None and not (0 < len(key) <= 128 and key.isascii() and key.isprintable()):
        raise ValidationError(
            "must be 1 to 128 printable ASCII characters", field_name=IDEMPOTENCY_KEY
        )
    return key


@blp.route("", methods=["POST"])
@staff_required(Role.COMMUNICATOR)
@blp.arguments(CampaignCreateSchema)
@blp.response(201, CampaignSchema)
@blp.alt_response(
    200, schema=CampaignSchema, description="the campaign this Idempotency-Key created before"
)
def create_campaign(fields: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Compose a campaign. With ``Idempotency-Key``, a retry answers the same campaign (200);
    the same key with another body is a 422."""
    campaign, created = campaigns.create(fields, _staff(), _idempotency_key())
    return describe(campaign), 201 if created else 200


@blp.route("/preview", methods=["POST"])
@staff_required(Role.COMMUNICATOR)
@blp.arguments(CampaignCreateSchema)
@blp.response(200, PreviewSchema)
def preview_campaign(fields: dict[str, Any]) -> dict[str, Any]:
    """How many devices and citizens this campaign would reach, and in how many requests."""
    return campaigns.preview(fields)


@blp.route("")
@staff_required(Role.COMMUNICATOR)
@blp.arguments(CampaignListArgs, location="query")
@blp.response(200, page_schema(CampaignSchema))
def list_campaigns(args: dict[str, Any]) -> dict[str, Any]:
    """Campaigns, newest first (``origin``: staff, plugin, test)."""
    page = campaigns.listing(args)
    return {"items": [describe(c) for c in page.items], "next_cursor": page.next_cursor}


@blp.route("/<int:campaign_id>")
@staff_required(Role.COMMUNICATOR)
@blp.response(200, CampaignSchema)
def get_campaign(campaign_id: int) -> dict[str, Any]:
    """One campaign with its ``status`` and ``figures``."""
    return describe(campaigns.get(campaign_id))


@blp.route("/<int:campaign_id>/approve", methods=["POST"])
@staff_required(Role.COMMUNICATOR)
@blp.response(200, CampaignSchema)
def approve_campaign(campaign_id: int) -> dict[str, Any]:
    """Approve a campaign pending approval (403 for its author)."""
    return describe(campaigns.approve(campaign_id, _staff()))


@blp.route("/<int:campaign_id>/reject", methods=["POST"])
@staff_required(Role.COMMUNICATOR)
@blp.arguments(RejectSchema)
@blp.response(200, CampaignSchema)
def reject_campaign(fields: dict[str, Any], campaign_id: int) -> dict[str, Any]:
    """Turn down a campaign pending approval, with the reason (403 for its author)."""
    return describe(campaigns.reject(campaign_id, _staff(), fields["reason"]))


@blp.route("/<int:campaign_id>/cancel", methods=["POST"])
@staff_required(Role.COMMUNICATOR)
@blp.response(200, CampaignSchema)
def cancel_campaign(campaign_id: int) -> dict[str, Any]:
    """Cancel until sending completes. Messages FCM already accepted — a topic broadcast
    above all — cannot be recalled; they stay counted as sent."""
    return describe(campaigns.cancel(campaign_id, _staff()))


@blp.route("/<int:campaign_id>/resume", methods=["POST"])
@staff_required(Role.COMMUNICATOR)
@blp.response(200, CampaignSchema)
def resume_campaign(campaign_id: int) -> dict[str, Any]:
    """Go on sending a campaign paused by FCM (``paused_reason``) once that is fixed."""
    return describe(campaigns.resume(campaign_id, _staff()))


@blp.route("/<int:campaign_id>/test", methods=["POST"])
@staff_required(Role.COMMUNICATOR)
@blp.response(201, CampaignSchema)
def test_campaign(campaign_id: int) -> dict[str, Any]:
    """Send the message to your own devices (registered with your staff token) first."""
    return describe(campaigns.send_test(campaign_id, _staff()))


@blp.route("/interests")
@staff_required(Role.COMMUNICATOR)
@blp.response(200, page_schema(InterestSchema))
def list_interests() -> dict[str, Any]:
    """Every interest, retired ones too."""
    return {"items": interests.interests(active_only=False), "next_cursor": None}


@blp.route("/interests", methods=["POST"])
@staff_required(Role.ADMIN)
@blp.arguments(InterestSchema)
@blp.response(201, InterestSchema)
def create_interest(fields: dict[str, Any]) -> Any:
    """Add an interest citizens may follow (its slug names its FCM topic)."""
    return interests.create_interest(fields)


@blp.route("/interests/<slug>", methods=["PATCH"])
@staff_required(Role.ADMIN)
@blp.arguments(InterestChangeSchema(partial=True))
@blp.response(200, InterestSchema)
def change_interest(changes: dict[str, Any], slug: str) -> Any:
    """Rename, reorder or retire (``active: false``: its followers are unsubscribed)."""
    return interests.change_interest(slug, changes)
