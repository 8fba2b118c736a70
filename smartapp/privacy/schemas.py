"""Request and response bodies of the privacy routes, and the export document's parts."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from smartapp.i18n import LANGUAGES
from smartapp.identity.schemas import CitizenSchema
from smartapp.notifications.schemas import DeviceSchema, InboxItemSchema

PURPOSE = fields.String(validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,47}$"))
APP_VERSION = fields.String(
    validate=validate.Regexp(r"^\d+(\.\d+){0,3}$", error="must be a version such as 3.2.0"),
    load_default=None,
    metadata={"description": "the app's version, recorded with the consent"},
)


def _localized(required: bool = True, length: int = 200) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=validate.OneOf(LANGUAGES)),
        values=fields.String(validate=validate.Length(min=1, max=length)),
        required=required,
    )


class PurposeSchema(Schema):
    slug = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,47}$"))
    title = _localized()
    required = fields.Boolean(load_default=False)


class NoticeSchema(Schema):
    """One version of the privacy notice, every language."""

    version = fields.Integer(dump_only=True)
    title = _localized()
    body = _localized(length=20_000)
    purposes = fields.List(
        fields.Nested(PurposeSchema), required=True, validate=validate.Length(min=1, max=20)
    )
    published_at = fields.DateTime(dump_only=True)


class ConsentSchema(Schema):
    """Accepting a version of the notice, with the purposes granted."""

    version = fields.Integer(required=True, strict=True)
    purposes = fields.List(PURPOSE, required=True, validate=validate.Length(min=1, max=20))
    app_version = APP_VERSION


class WithdrawalSchema(Schema):
    purposes = fields.List(PURPOSE, required=True, validate=validate.Length(min=1, max=20))
    app_version = APP_VERSION


class ConsentRecordSchema(Schema):
    notice_version = fields.Integer()
    action = fields.String()
    changed = fields.List(fields.String())
    granted = fields.List(fields.String())
    app_version = fields.String(allow_none=True)
    created_at = fields.DateTime()


class ConsentStateSchema(Schema):
    """Where the citizen stands: ``current`` false means show the notice and ask again."""

    notice_version = fields.Integer(required=True)
    accepted_version = fields.Integer(allow_none=True, required=True)
    current = fields.Boolean(required=True)
    granted = fields.List(fields.String(), required=True)
    required = fields.List(fields.String(), required=True)


class DataArgsSchema(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "zip"]))


class DownloadArgsSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=300))


class EraseArgsSchema(Schema):
    confirm = fields.Boolean(
        load_default=False, metadata={"description": "true erases; without it, a 409 summary"}
    )


class ExportSchema(Schema):
    """A ``?format=zip`` export: its progress, then a download link that expires."""

    id = fields.String(required=True)
    status = fields.String(required=True)
    progress = fields.Integer(required=True, metadata={"description": "percent done"})
    size = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    finished_at = fields.DateTime(allow_none=True)
    status_url = fields.String(required=True)
    download_url = fields.String(allow_none=True, required=True)
    #: the link's own expiry (a new one comes with every status read, until the archive's)
    download_expires_at = fields.DateTime(allow_none=True, required=True)


class ExportSummarySchema(Schema):
    id = fields.String()
    status = fields.String()
    created_at = fields.DateTime()


class ExportedDeviceSchema(DeviceSchema):
    active = fields.Boolean()
    created_at = fields.DateTime()


class DataDocumentSchema(Schema):
    """Everything the server holds about the citizen (``GET /api/v1/me/data``)."""

    generated_at = fields.DateTime(required=True)
    profile = fields.Nested(CitizenSchema, required=True)
    #: the Firebase account's id the citizen signs in with
    sign_in_id = fields.String(required=True)
    consents = fields.List(fields.Nested(ConsentRecordSchema), required=True)
    devices = fields.List(fields.Nested(ExportedDeviceSchema), required=True)
    interests = fields.List(fields.String(), required=True)
    inbox = fields.List(fields.Nested(InboxItemSchema), required=True)
    exports = fields.List(fields.Nested(ExportSummarySchema))
    #: each plugin's part, by slug, as the plugin gives it
    utilities = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)
    #: plugins whose part is missing, with why (an operator is told too)
    unavailable = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
