"""Request and response shapes of photos and reports."""

from __future__ import annotations

import math
from typing import Any

from flask import g, url_for
from marshmallow import Schema, ValidationError, fields, validate

from smartapp.plugin import (
    CursorPageArgs,
    WardCodeField,
    current_staff,
    localize,
    record_personal_data_read,
    utcnow,
)

from .access import is_own, reporter_visible
from .deadlines import overdue
from .models import Photo, Privacy, Report, Status
from .workflow import Action

_PLACEHOLDER = "PHOTO-ID"


def photo_url(photo_id: str, thumbnail: bool = False) -> str:
    """The URL of a photo's file: ``url_for`` once per request and kind, then a string join
    (a list of reports would otherwise build the route dozens of times)."""
    templates = g.setdefault("feedback_photo_urls", {})
    if thumbnail not in templates:
        endpoint = "photo_thumbnail" if thumbnail else "photo_file"
        url = url_for(f"smartapp_feedback.{endpoint}", photo_id=_PLACEHOLDER)
        templates[thumbnail] = url.split(_PLACEHOLDER)
    prefix, suffix = templates[thumbnail]
    return f"{prefix}{photo_id}{suffix}"


def stored_photo_url(photo: Photo, thumbnail: bool = False) -> str | None:
    """Where the photo's file is served; ``None`` once retention purged it."""
    return None if photo.purged_at is not None else photo_url(photo.id, thumbnail)


class PhotoSchema(Schema):
    """A stored photo: fetch its files with the same credentials."""

    id = fields.String()
    url = fields.Function(stored_photo_url)
    thumbnail_url = fields.Function(lambda photo: stored_photo_url(photo, thumbnail=True))
    width = fields.Integer()
    height = fields.Integer()
    purged_at = fields.DateTime(
        metadata={"description": "when retention deleted its files (no URLs since)"}
    )


class PhotoFileArgs(Schema):
    original = fields.Boolean(
        load_default=False, metadata={"description": "staff: the photo before moderation"}
    )


# -- reports -----------------------------------------------------------------------------------

TITLE = validate.Length(1, 200)
TEXT = validate.Length(1, 5000)
PHOTO_ID = fields.String(validate=validate.Regexp(r"^[0-9a-f]{32}$", error="Not a photo id."))


class SubmitSchema(Schema):
    """A citizen's report; photos are uploaded first and named by id."""

    category = fields.String(
        required=True, validate=validate.Length(1, 64), metadata={"description": "a category code"}
    )
    title = fields.String(required=True, validate=TITLE)
    description = fields.String(required=True, validate=TEXT)
    latitude = fields.Float(required=True, validate=validate.Range(-90, 90))
    longitude = fields.Float(required=True, validate=validate.Range(-180, 180))
    ward_code = WardCodeField(required=True)
    address = fields.String(validate=validate.Length(1, 300))
    answers = fields.Dict(
        keys=fields.String(validate=validate.Length(1, 40)),
        load_default=dict,
        metadata={"description": "answers to the category's questions"},
    )
    photo_ids = fields.List(PHOTO_ID, load_default=list, validate=validate.Length(max=10))
    public = fields.Boolean(
        required=True, metadata={"description": "shown on the public map, without personal data"}
    )
    privacy = fields.String(
        load_default=Privacy.HIDDEN,
        validate=validate.OneOf([p.value for p in Privacy]),
        metadata={
            "description": "who may know who reported: public, hidden (default) or confidential"
        },
    )


def reporter(report: Report) -> dict[str, Any] | None:
    """Who reported, to whom may know: the name alone to the public when the reporter chose
    so; contact details to the reporter and the handling staff (coordinators only, when
    confidential)."""
    if not reporter_visible(report):
        return None
    shown = {"name": report.reporter_name}
    if current_staff() is not None or is_own(report):
        shown.update(phone=report.reporter_phone, email=report.reporter_email)
        # staff reading who reported is in the audit log (a no-op for the reporter)
        record_personal_data_read(
            report.citizen_id,
            [name for name, value in shown.items() if value],
            "feedback.report",
            report.id,
            {"privacy": report.privacy},
        )
    return shown


class EventSchema(Schema):
    """A step of the timeline: staff are named by their agency, never by their account."""

    action = fields.String()
    status = fields.String()
    actor = fields.String(attribute="actor_kind")
    agency_code = fields.String()
    note = fields.String()
    photos = fields.List(fields.Nested(PhotoSchema))
    created_at = fields.DateTime()


class ReportSchema(Schema):
    id = fields.Integer()
    category = fields.Function(lambda report: report.category.code)
    category_name = fields.Function(
        lambda report: localize(
            {"vi": report.category.name_vi, "en": report.category.name_en or ""}
        )
    )
    title = fields.String()
    description = fields.String()
    latitude = fields.Float()
    longitude = fields.Float()
    ward_code = fields.Integer()
    address = fields.String()
    answers = fields.Raw()
    public = fields.Boolean()
    privacy = fields.String()
    status = fields.String()
    agency_code = fields.String()
    priority = fields.String()
    photos = fields.List(fields.Nested(PhotoSchema))
    reporter = fields.Function(reporter)
    answer = fields.String(metadata={"description": "the agency's answer when resolved"})
    rating = fields.Integer()
    followers_count = fields.Integer()
    needs_location = fields.Function(
        lambda report: report.latitude is None,
        metadata={"description": "filed by address alone: staff have yet to place it"},
    )
    duplicate_of = fields.Integer(attribute="duplicate_of_id")
    overdue = fields.Function(lambda report: overdue(report, utcnow()))
    acknowledge_due_at = fields.DateTime()
    resolve_due_at = fields.DateTime()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    resolved_at = fields.DateTime()


class ReportSummarySchema(Schema):
    """A line of the citizen's list of reports: what a list shows, read in one query
    (``reports.own_reports``); ``GET reports/<id>`` has the rest."""

    id = fields.Integer()
    category = fields.String(metadata={"description": "the category's code"})
    category_name = fields.Function(
        lambda row: localize({"vi": row.category_name_vi, "en": row.category_name_en or ""})
    )
    title = fields.String()
    status = fields.String()
    ward_code = fields.Integer()
    address = fields.String()
    public = fields.Boolean()
    privacy = fields.String()
    followers_count = fields.Integer()
    rating = fields.Integer()
    overdue = fields.Function(lambda row: overdue(row, utcnow()))
    photo_count = fields.Integer()
    thumbnail_url = fields.Function(
        lambda row: row.thumbnail_photo_id and photo_url(row.thumbnail_photo_id, thumbnail=True),
        metadata={"description": "the first photo's thumbnail; null without photos"},
    )
    resolve_due_at = fields.DateTime()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ReportDetailSchema(ReportSchema):
    timeline = fields.List(fields.Nested(EventSchema), attribute="events")


class StaffReportSchema(ReportSchema):
    hidden = fields.Boolean()
    rating_comment = fields.String()


class StaffReportDetailSchema(StaffReportSchema):
    timeline = fields.List(fields.Nested(EventSchema), attribute="events")


class ReportListArgs(CursorPageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in Status]))


class StaffReportListArgs(ReportListArgs):
    agency_code = fields.String(validate=validate.Length(1, 32))
    category = fields.String(validate=validate.Length(1, 64))
    ward_code = WardCodeField()
    overdue = fields.Boolean(metadata={"description": "only reports past a deadline"})
    needs_location = fields.Boolean(
        metadata={"description": "only reports filed by address alone, to place on the map"}
    )


class ActionSchema(Schema):
    """A staff step; ``note`` is the reason of a rejection and the answer of a resolution."""

    action = fields.String(required=True, validate=validate.OneOf([a.value for a in Action]))
    note = fields.String(validate=TEXT)
    agency_code = fields.String(
        validate=validate.Length(1, 32), metadata={"description": "assign / move: the agency"}
    )
    photo_ids = fields.List(
        PHOTO_ID,
        load_default=list,
        validate=validate.Length(max=10),
        metadata={"description": "photos of the step (the result)"},
    )
    duplicate_of = fields.Integer(
        validate=validate.Range(1, 2**31 - 1),
        metadata={"description": "merge: the original report"},
    )
    latitude = fields.Float(
        validate=validate.Range(-90, 90), metadata={"description": "place: where it is"}
    )
    longitude = fields.Float(
        validate=validate.Range(-180, 180), metadata={"description": "place: where it is"}
    )
    ward_code = WardCodeField(metadata={"description": "place: its ward, if another"})


class RatingSchema(Schema):
    rating = fields.Integer(required=True, validate=validate.Range(1, 5))
    comment = fields.String(validate=TEXT)


class ReopenSchema(Schema):
    note = fields.String(
        required=True, validate=TEXT, metadata={"description": "why the problem is not solved"}
    )


# -- the map and duplicates --------------------------------------------------------------------


class BoundingBox(fields.String):
    """``minlon,minlat,maxlon,maxlat`` in degrees."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> tuple[float, ...]:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            box = tuple(float(part) for part in text.split(","))
        except ValueError:
            raise ValidationError("Four numbers: minlon,minlat,maxlon,maxlat.") from None
        if len(box) != 4 or not all(math.isfinite(v) for v in box):
            raise ValidationError("Four numbers: minlon,minlat,maxlon,maxlat.")
        min_lon, min_lat, max_lon, max_lat = box
        if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
            raise ValidationError("Minimums first, within -180..180 and -90..90.")
        return box


class MapArgs(Schema):
    bbox = BoundingBox(metadata={"description": "minlon,minlat,maxlon,maxlat"})
    limit = fields.Integer(load_default=500, validate=validate.Range(1, 2000))


class NearbyArgs(Schema):
    category = fields.String(required=True, validate=validate.Length(1, 64))
    latitude = fields.Float(required=True, validate=validate.Range(-90, 90))
    longitude = fields.Float(required=True, validate=validate.Range(-180, 180))


class NearbySchema(Schema):
    report = fields.Nested(ReportSchema)
    distance_m = fields.Integer()


# -- moderation --------------------------------------------------------------------------------


class ModerationSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(["hide", "unhide", "redact"]))
    reason = fields.String(validate=TEXT)
    title = fields.String(validate=TITLE, metadata={"description": "redact: the new title"})
    description = fields.String(
        validate=TEXT, metadata={"description": "redact: the new description"}
    )


class BoxSchema(Schema):
    left = fields.Integer(required=True, validate=validate.Range(0, 10_000))
    top = fields.Integer(required=True, validate=validate.Range(0, 10_000))
    right = fields.Integer(required=True, validate=validate.Range(1, 10_000))
    bottom = fields.Integer(required=True, validate=validate.Range(1, 10_000))


class BlackoutSchema(Schema):
    box = fields.Nested(
        BoxSchema, required=True, metadata={"description": "pixels of the served photo"}
    )
    reason = fields.String(validate=TEXT)


class ModerationEntrySchema(Schema):
    """A moderator's change, with what was there before (staff only)."""

    id = fields.Integer()
    action = fields.String()
    photo_id = fields.String()
    staff_id = fields.Integer()
    reason = fields.String()
    before = fields.Raw()
    created_at = fields.DateTime()
