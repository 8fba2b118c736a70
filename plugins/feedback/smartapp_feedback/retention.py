"""Retention of photos: the files of a report's photos go once the report has been closed
for ``SMARTAPP_FEEDBACK_PHOTO_RETENTION_DAYS``; the report, its timeline and its figures
stay (public-interest data), and each photo row is marked ``purged_at``.

The files are deleted before the rows are marked, through :class:`PhotoStorage`: if the
commit then fails, the next run finds the photos again and deleting a missing file is a
no-op; never is a photo marked purged while its file is still stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select

from smartapp.plugin import db, int_setting

from .models import Photo, Report, Status
from .storage import storage

RETENTION_SETTING = "SMARTAPP_FEEDBACK_PHOTO_RETENTION_DAYS"
#: a year after closing: long enough for a complaint about how the report was handled
DEFAULT_PHOTO_RETENTION_DAYS = 365


def photo_retention_days(app: Flask | None = None) -> int:
    return int_setting(RETENTION_SETTING, DEFAULT_PHOTO_RETENTION_DAYS, minimum=1, app=app)


def purge_photos(now: datetime) -> dict[str, int]:
    """Delete the files of every photo of a report closed before the retention period and
    mark the photos purged (uncommitted: the core commits the purge)."""
    cutoff = now - timedelta(days=photo_retention_days())
    expired = db.session.scalars(
        select(Photo)
        .join(Report, Photo.report_id == Report.id)
        .where(Report.status == Status.CLOSED, Report.closed_at < cutoff)
        .where(Photo.purged_at.is_(None))
        .with_for_update(of=Photo)
    ).all()
    files = storage()
    for photo in expired:
        keys = (photo.key, photo.thumbnail_key, photo.original_key, photo.original_thumbnail_key)
        for key in keys:
            if key:
                files.delete(key)
        photo.purged_at = now
    db.session.flush()
    return {"photos": len(expired)}
