"""Building an export's archive (``data.json`` and every plugin's files) into the export
folder, and deleting archives: the work of the export jobs (:mod:`smartapp.privacy.tasks`)."""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from smartapp.extensions import db, utcnow
from smartapp.identity.models import Citizen
from smartapp.privacy.models import DataExport, ExportStatus
from smartapp.privacy.schemas import DataDocumentSchema
from smartapp.privacy.services import citizen_data

#: how long an archive is kept after it is built
ARCHIVE_SECONDS = 24 * 3600
#: progress is written after this many files
_PROGRESS_EVERY = 10


def export_folder() -> Path:
    return Path(current_app.config["SMARTAPP_SETTINGS"].privacy_export_dir)


def archive_path(export_id: str) -> Path:
    return export_folder() / f"{export_id}.zip"


def _progress(export: DataExport, done: int, total: int) -> None:
    export.progress = min(99, 5 + (90 * done) // max(total, 1))
    db.session.commit()


def _member(name: str) -> str:
    """``name`` (``<slug>/<the plugin's name>``) when it stays in the plugin's folder once
    extracted: not every unzip tool refuses ``..`` or an absolute path."""
    if "\\" in name or any(part in ("", ".", "..") for part in name.split("/")):
        raise ValueError(f"unsafe file name in the archive: {name}")
    return name


def build(export_id: str) -> str:
    """Write the archive of one export: ``data.json`` and every plugin's files."""
    export = db.session.get(DataExport, export_id)
    if export is None or export.status != ExportStatus.QUEUED:
        return "skipped"
    export.status, export.progress = ExportStatus.BUILDING, 1
    db.session.commit()
    citizen = db.session.get(Citizen, export.citizen_id)
    if citizen is None:  # erased meanwhile, and the export with them
        return "erased"
    # plugins link files with url_for, which needs a request: a worker has none (paths only)
    with current_app.test_request_context():
        data = citizen_data(citizen)
    folder = export_folder()
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".export-")
    os.close(handle)
    archived = archive_path(export_id)
    try:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "data.json",
                json.dumps(DataDocumentSchema().dump(data.document), ensure_ascii=False, indent=2),
            )
            for number, (name, file) in enumerate(data.files, start=1):
                archive.writestr(_member(name), file.read(), zipfile.ZIP_STORED)  # photos
                if number % _PROGRESS_EVERY == 0:
                    _progress(export, number, len(data.files))
        os.replace(temporary, archived)
        export.status, export.progress = ExportStatus.READY, 100
        export.size = archived.stat().st_size
        export.finished_at = utcnow()
        export.expires_at = export.finished_at + timedelta(seconds=ARCHIVE_SECONDS)
        # fails if the citizen was erased meanwhile: their erasure removed the archives it
        # found, so this one, placed after, goes here (no expiry would ever find it)
        db.session.commit()
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        archived.unlink(missing_ok=True)
        db.session.rollback()
        if db.session.get(DataExport, export_id) is None:
            return "erased"
        export.status, export.error = ExportStatus.FAILED, str(error)[:300]
        export.finished_at = utcnow()
        db.session.commit()
        raise
    return "ready"


def delete_archives(export_ids: list[str]) -> None:
    for export_id in export_ids:
        archive_path(export_id).unlink(missing_ok=True)


def purge_expired(now: datetime | None = None) -> int:
    """Delete the archives past their expiry, and their rows."""
    now = now or utcnow()
    expired = list(db.session.scalars(select(DataExport).where(DataExport.expires_at < now)))
    for export in expired:
        db.session.delete(export)
    db.session.commit()
    delete_archives([export.id for export in expired])
    return len(expired)
