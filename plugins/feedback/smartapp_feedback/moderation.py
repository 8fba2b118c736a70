"""Moderation: staff hide a report, redact its text, black out part of a photo. Nothing is
lost: what was there before is kept in :class:`Moderation` rows and the original photo
file, both for staff only."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select

from smartapp.plugin import Conflict, abort, current_staff, db, record_audit, utcnow

from . import imaging
from .access import require_staff_report
from .models import Moderation, Photo, Report
from .storage import storage
from .workflow import locked_report


def _record(
    report: Report,
    action: str,
    reason: str | None,
    before: dict[str, Any],
    photo: Photo | None = None,
) -> None:
    staff = current_staff()
    db.session.add(
        Moderation(
            report_id=report.id,
            photo_id=photo.id if photo else None,
            staff_id=staff.id if staff else None,
            action=action,
            reason=reason,
            before=before,
        )
    )
    record_audit(
        f"feedback.moderation.{action}",
        "feedback.report",
        report.id,
        {"photo": photo.id} if photo else None,
    )
    report.updated_at = utcnow()
    db.session.commit()


def moderate(report_id: int, body: Mapping[str, Any]) -> Report:
    """Hide or show a report, or replace its title or description (the old text is kept)."""
    report = require_staff_report(locked_report(report_id))
    action = body["action"]
    if action in ("hide", "unhide"):
        before: dict[str, Any] = {"hidden": report.hidden}
        report.hidden = action == "hide"
    else:
        fields = [name for name in ("title", "description") if name in body]
        if not fields:
            raise ValidationError("Give the redacted title or description.", "title")
        before = {name: getattr(report, name) for name in fields}
        for name in fields:
            setattr(report, name, body[name])
    _record(report, action, body.get("reason"), before)
    return report


def black_out(photo_id: str, box: Mapping[str, int], reason: str | None) -> Photo:
    """Paint a region of a report's photo black; the original file stays for staff."""
    photo = db.session.get(Photo, photo_id)
    if photo is None or photo.report is None:
        abort(404)
    report = require_staff_report(locked_report(photo.report.id))
    if photo.purged_at is not None:
        raise Conflict("The photo's files were deleted by retention.")
    region = (box["left"], box["top"], box["right"], box["bottom"])
    if not (region[0] < region[2] <= photo.width and region[1] < region[3] <= photo.height):
        raise ValidationError(
            f"Inside the {photo.width}×{photo.height} photo, left < right, top < bottom.", "box"
        )
    files = storage()
    edited = imaging.black_out(files.read(photo.key), region)
    stem = f"{photo.id}.m{secrets.token_hex(4)}"
    new_keys = (f"{stem}.jpg", f"{stem}.thumb.jpg")
    files.save(new_keys[0], edited.image)
    files.save(new_keys[1], edited.thumbnail)
    if photo.original_key is None:
        photo.original_key, photo.original_thumbnail_key = photo.key, photo.thumbnail_key
    photo.key, photo.thumbnail_key = new_keys
    try:
        _record(report, "blackout", reason, dict(box), photo)
    except BaseException:
        for key in new_keys:
            files.delete(key)
        raise
    return photo


def history(report_id: int) -> list[Moderation]:
    report = require_staff_report(db.session.get(Report, report_id))
    return list(
        db.session.scalars(
            select(Moderation).where(Moderation.report_id == report.id).order_by(Moderation.id)
        )
    )
