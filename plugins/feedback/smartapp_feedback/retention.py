"""Retention of photos: the files of a report's photos go once the report has been closed
for ``SMARTAPP_FEEDBACK_PHOTO_RETENTION_DAYS``; the report, its timeline and its figures
stay (public-interest data), and each photo row is marked ``purged_at``. Photos uploaded
but never put in a report go, files and rows, after
``SMARTAPP_FEEDBACK_UNATTACHED_PHOTO_RETENTION_DAYS``.

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
UNATTACHED_SETTING = "SMARTAPP_FEEDBACK_UNATTACHED_PHOTO_RETENTION_DAYS"
#: an upload whose report never came (the app gave up, the citizen changed their mind)
DEFAULT_UNATTACHED_RETENTION_DAYS = 2


def photo_retention_days(app: Flask | None = None) -> tuple[int, int]:
    """The days photos of closed reports, and photos never put in a report, are kept."""
    return (
        int_setting(RETENTION_SETTING, DEFAULT_PHOTO_RETENTION_DAYS, minimum=1, app=app),
        int_setting(UNATTACHED_SETTING, DEFAULT_UNATTACHED_RETENTION_DAYS, minimum=1, app=app),
    )


def purge_photos(now: datetime) -> dict[str, int]:
    """Delete the files of every photo of a report closed before its retention period and
    mark the photos purged; delete the photos never put in a report, files and rows
    (uncommitted: the core commits the purge)."""
    closed_days, unattached_days = photo_retention_days()
    expired = db.session.scalars(
        select(Photo)
        .join(Report, Photo.report_id == Report.id)
        .where(Report.status == Status.CLOSED)
        .where(Report.closed_at < now - timedelta(days=closed_days))
        .where(Photo.purged_at.is_(None))
        .with_for_update(of=Photo)
    ).all()
    for photo in expired:
        _delete_files(photo)
        photo.purged_at = now
    # FOR UPDATE: a report taking one of them at this moment either waits or wins it
    abandoned = db.session.scalars(
        select(Photo)
        .where(Photo.report_id.is_(None), Photo.event_id.is_(None))
        .where(Photo.created_at < now - timedelta(days=unattached_days))
        .with_for_update()
    ).all()
    for photo in abandoned:
        _delete_files(photo)
        db.session.delete(photo)
    db.session.flush()
    return {"photos": len(expired), "unattached_photos": len(abandoned)}


def _delete_files(photo: Photo) -> None:
    files = storage()
    for key in photo.file_keys:
        files.delete(key)
