"""Citizens' routes under ``/api/v1/u/feedback/``: categories, photos, reports, the map."""

from __future__ import annotations

from typing import Any

from flask import Response, after_this_request, request
from marshmallow import ValidationError

from smartapp.plugin import (
    Blueprint,
    Page,
    abort,
    citizen_required,
    current_citizen,
    limiter,
    page_schema,
    require_consent,
    staff_required,
)

from . import categories, photos, reports, workflow
from .category_schemas import CategorySchema
from .models import Category, Event, Photo, Report
from .photos import Owner
from .schemas import (
    EventSchema,
    PhotoFileArgs,
    PhotoSchema,
    RatingSchema,
    ReopenSchema,
    ReportDetailSchema,
    ReportListArgs,
    ReportSummarySchema,
    SubmitSchema,
)
from .settings import settings

blp = Blueprint(
    "smartapp_feedback",
    __name__,
    description="Citizen feedback: reports with photos, routed to an agency",
)


@blp.route("/categories")
@blp.response(200, CategorySchema(many=True))
def list_categories() -> list[Category]:
    """The categories a citizen can report under, in the request's language. One with a
    ``hotline`` is an emergency: the app shows the number to call instead of a form."""
    return categories.active_categories()


def citizen_key() -> str:
    """Rate limits per citizen: the account, whichever address it comes from."""
    citizen = current_citizen()
    return f"feedback:citizen:{citizen.id}" if citizen else f"feedback:ip:{request.remote_addr}"


# -- photos ------------------------------------------------------------------------------------

UPLOAD = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        }
    },
}


def uploaded_photo() -> Photo:
    """Store the request's ``file`` as the caller's photo (a route's only job for uploads)."""
    # photos are bigger than the app's JSON bodies: this route alone reads more
    request.max_content_length = photos.MAX_UPLOAD_BYTES
    if request.mimetype != "multipart/form-data":
        abort(415, errors={"Content-Type": ["must be multipart/form-data"]})
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError("A photo is required.", "file")
    return photos.store_photo(upload.read(), photos.uploader())


@blp.route("/photos", methods=["POST"])
@limiter.shared_limit(lambda: settings()["writes_per_address"], scope="feedback-writes")
@limiter.limit(lambda: settings()["photos_per_citizen"], key_func=citizen_key)
@citizen_required
@blp.doc(requestBody=UPLOAD)
@blp.response(201, PhotoSchema)
def upload_photo() -> Photo:
    """Upload one photo (JPEG, PNG, WebP or HEIC, judged by its bytes) before the report
    that uses it. It is turned upright and re-encoded as JPEG without EXIF, GPS or XMP,
    long edge at most 2,048 px, with a thumbnail. Needs the citizen's consent to the current
    privacy notice (403 ``consent_required``), as a report does."""
    citizen = current_citizen()
    assert citizen is not None
    require_consent(citizen)
    return uploaded_photo()


@blp.route("/admin/photos", methods=["POST"])
@staff_required()
@blp.doc(requestBody=UPLOAD)
@blp.response(201, PhotoSchema)
def staff_upload_photo() -> Photo:
    """Upload a photo as staff, e.g. of the result before resolving a report."""
    return uploaded_photo()


def _photo_response(photo_id: str, args: dict[str, Any], thumbnail: bool) -> Response:
    photo = photos.viewable_photo(photo_id)
    response = Response(
        photos.photo_bytes(photo, thumbnail, args["original"]), mimetype="image/jpeg"
    )
    # private: who may see a photo depends on the caller, so no shared cache may keep it
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.route("/photos/<photo_id>")
@blp.arguments(PhotoFileArgs, location="query")
@blp.response(200, content_type="image/jpeg", description="The photo, as JPEG")
def photo_file(args: dict[str, Any], photo_id: str) -> Response:
    """A photo, for whom may see its report (its uploader until it is in one)."""
    return _photo_response(photo_id, args, thumbnail=False)


@blp.route("/photos/<photo_id>/thumbnail")
@blp.arguments(PhotoFileArgs, location="query")
@blp.response(200, content_type="image/jpeg", description="The thumbnail, as JPEG")
def photo_thumbnail(args: dict[str, Any], photo_id: str) -> Response:
    """A photo's thumbnail (long edge 320 px), for the same people."""
    return _photo_response(photo_id, args, thumbnail=True)


# -- reports -----------------------------------------------------------------------------------


@blp.route("/reports", methods=["POST"])
@limiter.shared_limit(lambda: settings()["writes_per_address"], scope="feedback-writes")
@limiter.limit(lambda: settings()["reports_per_citizen"], key_func=citizen_key)
@citizen_required
@blp.arguments(SubmitSchema)
@blp.response(201, ReportDetailSchema)
def submit_report(body: dict[str, Any]) -> Report:
    """File a report: a category, what and where (inside the province, a ward of it), the
    answers to the category's questions and up to 5 photos uploaded before."""
    citizen = current_citizen()
    assert citizen is not None
    require_consent(citizen)
    return reports.submit(
        body,
        Owner(citizen_id=citizen.id),
        {"name": citizen.display_name, "phone": citizen.phone_number},
    )


@blp.route("/reports")
@citizen_required
@blp.etag
@blp.arguments(ReportListArgs, location="query")
@blp.response(200, page_schema(ReportSummarySchema))
def my_reports(args: dict[str, Any]) -> Page[Any]:
    """The signed-in citizen's own reports, newest first, a line each (the first photo's
    thumbnail, the photo count); ``GET reports/<id>`` has the whole report. Send the
    ``ETag`` back as ``If-None-Match`` to get a 304 while nothing changed."""
    citizen = current_citizen()
    assert citizen is not None
    after_this_request(_revalidate)
    return reports.own_reports(citizen.id, args)


def _revalidate(response: Response) -> Response:
    """The app may keep a personal list, but must ask (with its ``ETag``) before showing it:
    ``no-store``, the app's default for personal answers, would make the ``ETag`` useless."""
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Authorization")
    return response


@blp.route("/reports/<int:report_id>")
@blp.response(200, ReportDetailSchema)
def report_detail(report_id: int) -> Report:
    """A report with its timeline: the reporter's own, or a public one."""
    return reports.visible_report(report_id)


@blp.route("/reports/<int:report_id>/timeline")
@blp.response(200, EventSchema(many=True))
def report_timeline(report_id: int) -> list[Event]:
    """Every step of a report, oldest first: who (citizen, an agency), when, a note, photos."""
    return list(reports.visible_report(report_id).events)


@blp.route("/reports/<int:report_id>/rating", methods=["POST"])
@citizen_required
@blp.arguments(RatingSchema)
@blp.response(200, ReportDetailSchema)
def rate_report(body: dict[str, Any], report_id: int) -> Report:
    """The reporter rates the result of a resolved report, 1 to 5."""
    citizen = current_citizen()
    assert citizen is not None
    return workflow.rate(report_id, citizen.id, body["rating"], body.get("comment"))


@blp.route("/reports/<int:report_id>/reopen", methods=["POST"])
@citizen_required
@blp.arguments(ReopenSchema)
@blp.response(200, ReportDetailSchema)
def reopen_report(body: dict[str, Any], report_id: int) -> Report:
    """The reporter reopens a resolved report that is not fixed, within the allowed days."""
    citizen = current_citizen()
    assert citizen is not None
    return workflow.citizen_reopen(report_id, citizen.id, body["note"])
