"""Request and response bodies of the notification routes (citizen and staff)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaError

from smartapp.i18n import LANGUAGES
from smartapp.locations.services import WardCodeField
from smartapp.notifications.content import DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS
from smartapp.notifications.models import CampaignStatus, Platform
from smartapp.pagination import CursorPageArgs

#: FCM registration tokens are URL-safe base64 with ``:`` ``-`` ``_``; ~160 characters today
TOKEN = validate.Regexp(
    r"^[A-Za-z0-9:_\-.]{1,512}$",
    error="must be the FCM registration token (letters, digits, : _ - .)",
)
SLUG = validate.Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", error="lower-case ASCII words joined by -")


class DeviceSchema(Schema):
    token = fields.String(required=True, validate=TOKEN)
    platform = fields.String(required=True, validate=validate.OneOf([p.value for p in Platform]))
    app_version = fields.String(
        required=True,
        validate=validate.Regexp(r"^\d+(\.\d+){0,3}$", error="must be a version such as 3.2.0"),
    )
    language = fields.String(validate=validate.OneOf(LANGUAGES))
    installation_id = fields.String(
        validate=validate.Regexp(
            r"^[A-Za-z0-9:_\-.]{8,128}$", error="8 to 128 letters, digits or : _ - ."
        )
    )
    ward_code = WardCodeField(
        allow_none=True,
        metadata={
            "description": "anonymous devices give their ward; signed-in ones default to the "
            "citizen's"
        },
    )
    last_seen_at = fields.DateTime(dump_only=True)
    signed_in = fields.Method("_signed_in", dump_only=True)

    def _signed_in(self, device: Any) -> bool:
        return device.citizen_id is not None


class InboxItemSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    link = fields.String(allow_none=True)
    image_url = fields.String(allow_none=True)
    data = fields.Dict(keys=fields.String(), values=fields.String())
    created_at = fields.DateTime(required=True)
    read = fields.Boolean(required=True)
    read_at = fields.DateTime(allow_none=True)
    opened_at = fields.DateTime(allow_none=True)


class InboxPageSchema(Schema):
    items = fields.List(fields.Nested(InboxItemSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
    unread_count = fields.Integer(required=True)


class ReadAllSchema(Schema):
    marked = fields.Integer(required=True)
    unread_count = fields.Integer(required=True)


class InterestSchema(Schema):
    slug = fields.String(required=True, validate=[validate.Length(max=48), SLUG])
    title = fields.Dict(
        keys=fields.String(validate=validate.OneOf(LANGUAGES)),
        values=fields.String(validate=validate.Length(min=1, max=120)),
        required=True,
    )
    active = fields.Boolean(load_default=True)
    position = fields.Integer(strict=True, load_default=100, validate=validate.Range(0, 10_000))

    @validates_schema
    def _vietnamese_title(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "title" in data and "vi" not in data["title"]:
            raise SchemaError("the Vietnamese title (vi) is required", field_name="title")


class InterestChangeSchema(InterestSchema):
    class Meta:
        exclude = ("slug",)


class PreferencesSchema(Schema):
    interests = fields.List(
        fields.String(validate=validate.Length(max=48)),
        required=True,
        validate=validate.Length(max=100),
    )
    available = fields.List(fields.Nested(InterestSchema), dump_only=True)


class LocalizedTextSchema(Schema):
    vi = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    en = fields.String(validate=validate.Length(min=1, max=1000))


class AudienceSchema(Schema):
    kind = fields.String(
        required=True, validate=validate.OneOf(["province", "wards", "interests", "citizens"])
    )
    wards = fields.List(WardCodeField(), validate=validate.Length(min=1, max=200))
    interests = fields.List(
        fields.String(validate=[validate.Length(max=48), SLUG]),
        validate=validate.Length(min=1, max=5),
    )
    citizens = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, 2**31 - 1)),
        validate=validate.Length(min=1, max=100_000),
    )

    @validates_schema
    def _members(self, data: dict[str, Any], **kwargs: Any) -> None:
        kind = data.get("kind")
        for name in ("wards", "interests", "citizens"):
            if kind == name and not data.get(name):
                raise SchemaError(f"a {name} audience lists its {name}", field_name=name)
            if kind != name and name in data:
                raise SchemaError(f"only a {name} audience lists {name}", field_name=name)


class CampaignCreateSchema(Schema):
    title = fields.Nested(LocalizedTextSchema, required=True)
    body = fields.Nested(LocalizedTextSchema, required=True)
    link = fields.String(validate=validate.Length(min=1, max=1024), allow_none=True)
    image_url = fields.Url(schemes={"https"}, validate=validate.Length(max=1024), allow_none=True)
    data = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=64)),
        values=fields.String(validate=validate.Length(max=1024)),
        validate=validate.Length(max=20),
    )
    audience = fields.Nested(AudienceSchema, required=True)
    send_at = fields.AwareDateTime(
        allow_none=True,
        metadata={"description": "when to send (any offset; stored in UTC); absent: at once"},
    )
    ttl_seconds = fields.Integer(
        strict=True, load_default=DEFAULT_TTL_SECONDS, validate=validate.Range(0, MAX_TTL_SECONDS)
    )


class FiguresSchema(Schema):
    targeted = fields.Integer(required=True)
    sent = fields.Integer(required=True)
    failed = fields.Integer(required=True)
    failed_by_reason = fields.Dict(keys=fields.String(), values=fields.Integer())
    tokens_removed = fields.Integer(required=True)
    stale = fields.Integer(required=True)
    cancelled = fields.Integer(required=True)
    opened = fields.Integer(required=True)
    inbox = fields.Integer(required=True)


class CampaignSchema(Schema):
    id = fields.Integer(required=True)
    origin = fields.String(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf([s.value for s in CampaignStatus])
    )
    title = fields.Dict(keys=fields.String(), values=fields.String())
    body = fields.Dict(keys=fields.String(), values=fields.String())
    link = fields.String(allow_none=True)
    image_url = fields.String(allow_none=True)
    data = fields.Dict(keys=fields.String(), values=fields.String())
    audience = fields.Dict()
    ttl_seconds = fields.Integer()
    send_at = fields.DateTime(allow_none=True)
    send_at_local = fields.String(
        allow_none=True, metadata={"description": "send_at in Asia/Ho_Chi_Minh, for display"}
    )
    author_id = fields.Integer(allow_none=True)
    approved_by_id = fields.Integer(allow_none=True)
    rejected_by_id = fields.Integer(allow_none=True)
    rejection_reason = fields.String(allow_none=True)
    needs_approval = fields.Boolean()
    paused_reason = fields.String(allow_none=True)
    failure_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    figures = fields.Nested(FiguresSchema)


class RejectSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class CampaignListArgs(CursorPageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in CampaignStatus]))
    origin = fields.String(validate=validate.OneOf(["staff", "plugin", "test"]))


class PreviewSchema(Schema):
    devices = fields.Integer(required=True)
    stale_devices = fields.Integer(required=True)
    citizens = fields.Integer(required=True)
    fcm_requests = fields.Integer(
        required=True,
        metadata={"description": "1 per topic or condition for broadcasts, per device otherwise"},
    )
    needs_approval = fields.Boolean(required=True)
