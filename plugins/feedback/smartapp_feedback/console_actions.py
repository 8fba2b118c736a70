"""The console's forms for the workflow and moderation: each calls the very service the
staff API calls (``workflow.staff_act``, ``moderation``), and a step the service refuses —
a 409 for a transition the status does not allow, a 422 for missing input — comes back as
a message on the report's page, never as an error page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request, url_for
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from smartapp.plugin import abort, console_language, db, localize

from . import moderation, photos, workflow
from .access import require_staff_report
from .models import Photo, Report
from .schemas import ActionSchema, BlackoutSchema, ModerationSchema

SLUG = "feedback"
#: photos one step takes from the form (each up to ``photos.MAX_UPLOAD_BYTES``)
MAX_STEP_PHOTOS = 5
MAX_STEP_BYTES = MAX_STEP_PHOTOS * photos.MAX_UPLOAD_BYTES + 64 * 1024
REFUSED = {"vi": "Không thực hiện được", "en": "Not done"}
DONE = {"vi": "Đã lưu", "en": "Saved"}
UNKNOWN = {
    "vi": "không có phản ánh này trong phạm vi của bạn.",
    "en": "no such report within your reach.",
}


def _to_report(report_id: int) -> Response:
    return redirect(url_for("console.plugin_page", slug=SLUG, path=f"reports/{report_id}"), 303)


def _reason(messages: Any) -> str:
    """A service's error as one line: ``field: message`` for each field."""
    if isinstance(messages, dict):
        return "; ".join(f"{name}: {_reason(value)}" for name, value in messages.items())
    if isinstance(messages, list | tuple):
        return " ".join(map(_reason, messages))
    return str(messages)


def _attempt(step: Callable[[], Any]) -> bool:
    """Run ``step``; a refusal (422, 409, or 404 for another report it names) is flashed
    with the service's reason and undone."""
    refused = localize(REFUSED, console_language())
    try:
        step()
    except ValidationError as error:
        db.session.rollback()
        flash(f"{refused}: {_reason(error.normalized_messages())}", "error")
        return False
    except HTTPException as error:
        if error.code not in (404, 409, 422):
            raise
        db.session.rollback()
        data = getattr(error, "data", {}) or {}
        if error.code == 404:  # the other report a step names (merge): not within reach
            data = {"message": localize(UNKNOWN, console_language())}
        details = _reason(data["errors"]) if data.get("errors") else ""
        flash(f"{refused}: {data.get('message', error.description)} {details}".strip(), "error")
        return False
    flash(localize(DONE, console_language()), "success")
    return True


def _text(name: str) -> str | None:
    return request.form.get(name, "").strip() or None


def _uploaded() -> list[Photo]:
    """Store the form's photos through the plugin's pipeline (checked by their bytes,
    re-encoded, EXIF gone) as the staff member's own, not yet in a report."""
    files = [upload for upload in request.files.getlist("photos") if upload.filename]
    if len(files) > MAX_STEP_PHOTOS:
        raise ValidationError(f"At most {MAX_STEP_PHOTOS} photos.", "photos")
    stored: list[Photo] = []
    try:
        for upload in files:
            try:
                stored.append(photos.store_photo(upload.read(), photos.uploader()))
            except ValidationError as error:  # the API's "file": this form's field, which one
                messages = " ".join(error.normalized_messages().get("file", []))
                raise ValidationError(f"{upload.filename}: {messages}", "photos") from None
    except BaseException:
        photos.discard_unattached(stored)
        raise
    return stored


def act(report_id: int) -> Response:
    """A workflow step from the report's page, with the photos uploaded in the same form."""
    require_staff_report(db.session.get(Report, report_id))  # else a 404 page, not a message
    body = {
        name: value
        for name in ("action", "note", "agency_code", "duplicate_of", "latitude", "longitude")
        if (value := _text(name)) is not None
    }
    stored: list[Photo] = []

    def step() -> None:
        loaded = ActionSchema().load(body)
        stored.extend(_uploaded())
        workflow.staff_act(report_id, {**loaded, "photo_ids": [photo.id for photo in stored]})

    if not _attempt(step):
        photos.discard_unattached(stored)
    return _to_report(report_id)


def moderate(report_id: int) -> Response:
    """Hide, show again, or redact the title or description (only the fields changed)."""
    report = require_staff_report(db.session.get(Report, report_id))
    body: dict[str, Any] = {"action": request.form.get("action", "")}
    if reason := _text("reason"):
        body["reason"] = reason
    for name in ("title", "description"):
        value = _text(name)
        if value is not None and value != getattr(report, name):
            body[name] = value
    _attempt(lambda: moderation.moderate(report.id, ModerationSchema().load(body)))
    return _to_report(report.id)


def black_out(photo_id: str) -> Response:
    """Paint a rectangle of a report's photo black (pixels of the photo as served)."""
    photo = photos.viewable_photo(photo_id)
    if photo.report_id is None:  # a photo not in a report yet has nothing to moderate
        abort(404)
    box = {name: request.form.get(name, "") for name in ("left", "top", "right", "bottom")}
    body: dict[str, Any] = {"box": box}
    if reason := _text("reason"):
        body["reason"] = reason

    def step() -> None:
        loaded = BlackoutSchema().load(body)
        moderation.black_out(photo.id, loaded["box"], loaded.get("reason"))

    _attempt(step)
    return _to_report(photo.report_id)
