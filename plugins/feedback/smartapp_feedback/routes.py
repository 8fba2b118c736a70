"""Citizens' routes under ``/api/v1/u/feedback/``: categories, photos, reports, the map."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from marshmallow import ValidationError

from smartapp.plugin import Blueprint, abort, citizen_required, staff_required

from . import categories, photos
from .category_schemas import CategorySchema
from .models import Category, Photo
from .schemas import PhotoFileArgs, PhotoSchema

blp = Blueprint("smartapp_feedback", __name__,
                description="Citizen feedback: reports with photos, routed to an agency")


@blp.route("/categories")
@blp.response(200, CategorySchema(many=True))
def list_categories() -> list[Category]:
    """The categories a citizen can report under, in the request's language. One with a
    ``hotline`` is an emergency: the app shows the number to call instead of a form."""
    return categories.active_categories()


# -- photos ------------------------------------------------------------------------------------

UPLOAD = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary"}}}}}}


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
@citizen_required
@blp.doc(requestBody=UPLOAD)
@blp.response(201, PhotoSchema)
def upload_photo() -> Photo:
    """Upload one photo (JPEG, PNG, WebP or HEIC, judged by its bytes) before the report
    that uses it. It is turned upright and re-encoded as JPEG without EXIF, GPS or XMP,
    long edge at most 2,048 px, with a thumbnail."""
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
    response = Response(photos.photo_bytes(photo, thumbnail, args["original"]),
                        mimetype="image/jpeg")
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
