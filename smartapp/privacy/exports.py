"""The ``?format=zip`` export: built in the background (RQ; in-process on the embedded
default) into the export folder, with its progress stored, then downloaded through a signed
link that expires.

The link carries its own credential (an itsdangerous signature of the export's id, valid
:data:`LINK_SECONDS`) so the app can hand it to the phone's download manager; every status
read signs a fresh one until the archive itself expires (:data:`ARCHIVE_SECONDS`) and is
deleted.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, select

from smartapp.errors import DomainError, Forbidden, NotFound
from smartapp.extensions import db, utcnow
from smartapp.identity.models import Citizen
from smartapp.jobs import after_commit, enqueue_after_commit
from smartapp.privacy.archive import archive_path
from smartapp.privacy.models import DataExport, ExportStatus
from smartapp.privacy.tasks import build_archive, remove_archives

#: how long one download link works
LINK_SECONDS = 3600
#: what an export's id looks like
EXPORT_ID = re.compile(r"[0-9a-f]{32}")


class LinkExpired(DomainError):
    """The download link is older than :data:`LINK_SECONDS` (410)."""

    status = 410


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="smartapp.privacy.export")


def start_export(citizen: Citizen) -> DataExport:
    """A new export, queued; the archive job starts once it is committed."""
    export_id = secrets.token_hex(16)
    db.session.add(DataExport(id=export_id, citizen_id=citizen.id))
    enqueue_after_commit(db.session, build_archive, export_id)
    db.session.commit()
    # built in-process (no Redis), it may be gone already with an erasure of its citizen
    export = db.session.get(DataExport, export_id)
    if export is None:
        raise NotFound("no such export")
    return export


def _export(export_id: str) -> DataExport | None:
    """The export, or ``None`` for an id that cannot be one (``secrets.token_hex(16)``):
    PostgreSQL fails on a NUL rather than find nothing."""
    return db.session.get(DataExport, export_id) if EXPORT_ID.fullmatch(export_id) else None


def citizen_export(citizen: Citizen, export_id: str) -> DataExport:
    export = _export(export_id)
    if export is None or export.citizen_id != citizen.id:
        raise NotFound("no such export")
    return export


def export_view(export: DataExport) -> dict[str, Any]:
    """The export's status, with a freshly signed download link once it is ready."""
    link, link_expires = None, None
    if export.status == ExportStatus.READY:
        token = _serializer().dumps(export.id)
        link = url_for("privacy.download_export", export_id=export.id, token=token)
        link_expires = min(utcnow() + timedelta(seconds=LINK_SECONDS), export.expires_at)  # type: ignore[type-var]
    return {
        "id": export.id,
        "status": export.status,
        "progress": export.progress,
        "size": export.size,
        "error": export.error,
        "created_at": export.created_at,
        "finished_at": export.finished_at,
        "status_url": url_for("privacy.export_status", export_id=export.id),
        "download_url": link,
        "download_expires_at": link_expires,
    }


def downloadable(export_id: str, token: str) -> Path:
    """The archive a valid, unexpired link points to."""
    try:
        signed_id = _serializer().loads(token, max_age=LINK_SECONDS)
    except SignatureExpired:
        raise LinkExpired(errors={"token": ["the link has expired; ask for it again"]}) from None
    except BadSignature:
        raise Forbidden(errors={"token": ["not a valid download link"]}) from None
    export = _export(export_id)
    if signed_id != export_id or export is None or export.status != ExportStatus.READY:
        raise Forbidden(errors={"token": ["not a valid download link"]})
    path = archive_path(export_id)
    if not path.is_file():
        raise NotFound("the archive has expired; ask for a new export")
    return path


def forget_exports(citizen_id: int) -> int:
    """Delete the citizen's exports (the caller commits); their archives go after the commit."""
    # by statement: the ORM might delete the citizen first, whose cascade leaves it nothing
    export_ids = list(
        db.session.scalars(select(DataExport.id).where(DataExport.citizen_id == citizen_id))
    )
    if export_ids:
        db.session.execute(delete(DataExport).where(DataExport.id.in_(export_ids)))
        after_commit(remove_archives, export_ids)
    return len(export_ids)
