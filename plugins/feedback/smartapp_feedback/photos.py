"""Photos: stored one by one before the report that uses them, so a weak connection retries
one photo, not the whole report; served only to whom may see their report."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from marshmallow import ValidationError
from sqlalchemy import select

from smartapp.plugin import abort, current_citizen, current_staff, db

from . import imaging
from .access import may_see_photo, require_visible_report
from .models import Photo
from .storage import storage

#: upload size refused before it is read (phones send 2–8 MB photos)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Owner:
    """Who uploaded a photo: one of them."""

    citizen_id: int | None = None
    staff_id: int | None = None


def store_photo(data: bytes, owner: Owner) -> Photo:
    """Check, clean and store one photo. Whatever fails — a bad image, the disk, the
    database — leaves neither a file nor a row behind."""
    try:
        clean = imaging.clean(data)
    except imaging.ImageRejected as error:
        raise ValidationError(str(error), "file") from None
    photo = Photo(
        id=secrets.token_hex(16),
        owner_citizen_id=owner.citizen_id,
        owner_staff_id=owner.staff_id,
        width=clean.width,
        height=clean.height,
        size=len(clean.image),
    )
    photo.key, photo.thumbnail_key = f"{photo.id}.jpg", f"{photo.id}.thumb.jpg"
    files = storage()
    try:
        files.save(photo.key, clean.image)
        files.save(photo.thumbnail_key, clean.thumbnail)
        db.session.add(photo)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for key in (photo.key, photo.thumbnail_key):
            files.delete(key)
        raise
    return photo


def own_unattached(photo_ids: Sequence[str], owner: Owner, limit: int) -> list[Photo]:
    """The photos ``photo_ids`` names, in that order, if each is the owner's and not yet in
    a report; a 422 naming ``photo_ids`` otherwise (someone else's photo is unknown)."""
    if len(photo_ids) > limit:
        raise ValidationError(f"At most {limit} photos.", "photo_ids")
    if len(set(photo_ids)) != len(photo_ids):
        raise ValidationError("A photo is named twice.", "photo_ids")
    if not photo_ids:
        return []
    statement = select(Photo).where(Photo.id.in_(photo_ids), Photo.report_id.is_(None))
    if owner.citizen_id is not None:
        statement = statement.where(Photo.owner_citizen_id == owner.citizen_id)
    else:
        statement = statement.where(Photo.owner_staff_id == owner.staff_id)
    # FOR UPDATE: two reports naming the same photo at once cannot both take it
    found = {photo.id: photo for photo in db.session.scalars(statement.with_for_update())}
    missing = [photo_id for photo_id in photo_ids if photo_id not in found]
    if missing:
        raise ValidationError(f"Unknown or already used photos: {', '.join(missing)}.", "photo_ids")
    return [found[photo_id] for photo_id in photo_ids]


def viewable_photo(photo_id: str) -> Photo:
    """The photo, if the caller may see it (its uploader before it is attached; afterwards
    whoever may see its report); 404 otherwise."""
    photo = db.session.get(Photo, photo_id)
    if photo is None or not may_see_photo(photo):
        abort(404)
    if photo.report is not None:
        require_visible_report(photo.report)
    return photo


def photo_bytes(photo: Photo, thumbnail: bool, original: bool) -> bytes:
    """The served file; ``original`` (before moderation) only for staff."""
    if original and current_staff() is None:
        abort(404)
    if original and photo.original_key:
        key = photo.original_thumbnail_key if thumbnail else photo.original_key
    else:
        key = photo.thumbnail_key if thumbnail else photo.key
    try:
        return storage().read(key or "")
    except FileNotFoundError:
        abort(404)


def uploader() -> Owner:
    """The signed-in citizen or staff member uploading."""
    citizen, staff = current_citizen(), current_staff()
    if citizen is not None:
        return Owner(citizen_id=citizen.id)
    assert staff is not None
    return Owner(staff_id=staff.id)


def discard_unattached(photos: Sequence[Photo]) -> None:
    """Remove photos uploaded for a step that was then refused: their rows, then their
    files (a photo already in a report is kept)."""
    keys = []
    for photo in photos:
        fresh = db.session.get(Photo, photo.id)
        if fresh is not None and fresh.report_id is None:
            keys += [fresh.key, fresh.thumbnail_key]
            db.session.delete(fresh)
    db.session.commit()
    for key in keys:
        storage().delete(key)
