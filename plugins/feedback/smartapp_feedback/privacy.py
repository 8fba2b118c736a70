"""What feedback holds about a citizen, for their export and their erasure.

The decision, for ``erase_citizen_data`` (``docs/privacy.md``): a **public** report is
public-interest data — the place, the problem and how the agency handled it stay on the map
and in the figures — so it is kept with the reporter removed (the citizen link, name, phone,
email, their rating comment, their id on its timeline; its photos lose their owner). A
report that was **not public** was given in confidence: it is deleted with its timeline,
photos, followers and moderation history, and its photo files after the commit. Photos
uploaded but never attached, and the reports the citizen followed ("me too"), go too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, delete, select, update

from smartapp.plugin import Citizen, CitizenExport, ExportFile, after_commit, db

from .models import Event, Follow, Moderation, Photo, Report
from .schemas import stored_photo_url
from .storage import storage


def _photo_view(photo: Photo) -> dict[str, Any]:
    return {
        "id": photo.id,
        "url": stored_photo_url(photo),
        # retention may have removed the file already: then there is nothing to archive
        "archive_path": None if photo.purged_at else f"feedback/photos/{photo.id}.jpg",
        "report_id": photo.report_id,
        "width": photo.width,
        "height": photo.height,
        "created_at": photo.created_at.isoformat(),
    }


def _report_view(report: Report) -> dict[str, Any]:
    return {
        "id": report.id,
        "category": report.category.code,
        "title": report.title,
        "description": report.description,
        "latitude": report.latitude,
        "longitude": report.longitude,
        "ward_code": report.ward_code,
        "address": report.address,
        "answers": report.answers,
        "public": report.public,
        "privacy": report.privacy,
        "status": report.status,
        "reporter_name": report.reporter_name,
        "reporter_phone": report.reporter_phone,
        "reporter_email": report.reporter_email,
        "answer": report.answer,
        "rating": report.rating,
        "rating_comment": report.rating_comment,
        "created_at": report.created_at.isoformat(),
        "resolved_at": report.resolved_at.isoformat() if report.resolved_at else None,
        "timeline": [
            {
                "action": event.action,
                "status": event.status,
                "by": event.actor_kind,
                "note": event.note,
                "created_at": event.created_at.isoformat(),
            }
            for event in report.events
        ],
    }


def _reader(key: str) -> Any:
    return lambda: storage().read(key)


def export_citizen(citizen: Citizen) -> CitizenExport:
    """The citizen's reports, photos (links; the files for the archive) and follows."""
    reports = db.session.scalars(
        select(Report).where(Report.citizen_id == citizen.id).order_by(Report.id)
    ).all()
    photos = db.session.scalars(
        select(Photo).where(Photo.owner_citizen_id == citizen.id).order_by(Photo.created_at)
    ).all()
    followed = db.session.scalars(
        select(Follow.report_id).where(Follow.citizen_id == citizen.id).order_by(Follow.id)
    ).all()
    return CitizenExport(
        data={
            "reports": [_report_view(report) for report in reports],
            "photos": [_photo_view(photo) for photo in photos],
            "followed_reports": list(followed),
        },
        files=[
            ExportFile(f"photos/{photo.id}.jpg", _reader(photo.key))
            for photo in photos
            if photo.purged_at is None
        ],
    )


def remove_photo_files(keys: Sequence[str]) -> None:
    """Delete the files of erased photos (after the erasure's commit)."""
    files = storage()
    for key in keys:
        files.delete(key)


def _delete_photos(photos: Sequence[Photo]) -> None:
    ids = [photo.id for photo in photos]
    if not ids:
        return
    db.session.execute(delete(Moderation).where(Moderation.photo_id.in_(ids)))
    db.session.execute(delete(Photo).where(Photo.id.in_(ids)))
    keys = [key for photo in photos for key in photo.file_keys]
    after_commit(remove_photo_files, keys)


def _unfollow(citizen_id: int) -> int:
    followed = db.session.scalars(select(Follow.report_id).where(Follow.citizen_id == citizen_id))
    ids = list(followed)
    if ids:
        db.session.execute(delete(Follow).where(Follow.citizen_id == citizen_id))
        db.session.execute(
            update(Report)
            .where(Report.id.in_(ids))
            .values(
                followers_count=case(
                    (Report.followers_count > 0, Report.followers_count - 1), else_=0
                )
            )
        )
    return len(ids)


def _delete_reports(report_ids: list[int]) -> list[Photo]:
    """Delete these reports and what hangs on them; returns their photos, to delete."""
    if not report_ids:
        return []
    photos = db.session.scalars(select(Photo).where(Photo.report_id.in_(report_ids))).all()
    db.session.execute(
        update(Report).where(Report.duplicate_of_id.in_(report_ids)).values(duplicate_of_id=None)
    )
    db.session.execute(delete(Moderation).where(Moderation.report_id.in_(report_ids)))
    db.session.execute(delete(Follow).where(Follow.report_id.in_(report_ids)))
    _delete_photos(photos)
    db.session.execute(delete(Event).where(Event.report_id.in_(report_ids)))
    db.session.execute(delete(Report).where(Report.id.in_(report_ids)))
    return list(photos)


def erase_citizen(citizen: Citizen) -> dict[str, int]:
    """Delete the citizen's confidential reports, anonymise the public ones (see above)."""
    reports = db.session.execute(
        select(Report.id, Report.public).where(Report.citizen_id == citizen.id)
    ).all()
    kept = [row.id for row in reports if row.public]
    deleted = [row.id for row in reports if not row.public]
    followed = _unfollow(citizen.id)
    photos_deleted = len(_delete_reports(deleted))
    unattached = db.session.scalars(
        select(Photo).where(Photo.owner_citizen_id == citizen.id, Photo.report_id.is_(None))
    ).all()
    _delete_photos(unattached)
    if kept:
        db.session.execute(
            update(Report)
            .where(Report.id.in_(kept))
            .values(
                citizen_id=None,
                reporter_name=None,
                reporter_phone=None,
                reporter_email=None,
                rating_comment=None,
            )
        )
    db.session.execute(
        update(Photo).where(Photo.owner_citizen_id == citizen.id).values(owner_citizen_id=None)
    )
    db.session.execute(
        update(Event)
        .where(Event.actor_kind == "citizen", Event.actor_id == citizen.id)
        .values(actor_id=None)
    )
    db.session.expire_all()
    return {
        "reports_deleted": len(deleted),
        "reports_anonymised": len(kept),
        "photos_deleted": photos_deleted + len(unattached),
        "follows_removed": followed,
    }
