"""Deleting an erased citizen's Firebase account through firebase-admin (the Auth emulator
when ``FIREBASE_AUTH_EMULATOR_HOST`` is set); without a Firebase project (development
sign-in) there is no account outside the database."""

from __future__ import annotations

import contextlib
import logging

from firebase_admin import auth
from flask import current_app

from smartapp.extensions import db, utcnow
from smartapp.firebase import firebase_app
from smartapp.privacy.models import Erasure

log = logging.getLogger(__name__)


def _delete_account(uid: str) -> None:
    project = current_app.config["SMARTAPP_SETTINGS"].firebase_project_id
    if not project:
        return
    # already gone: deleted by an earlier try, or in the Firebase console
    with contextlib.suppress(auth.UserNotFoundError):
        auth.delete_user(uid, app=firebase_app(project))


def complete(erasure_id: int) -> bool:
    """Delete the account and clear the erasure's last personal datum; on failure count the
    attempt and raise, so the sweep tries again. Returns whether there was anything to do."""
    erasure = db.session.get(Erasure, erasure_id)
    if erasure is None or erasure.completed_at is not None:
        return False
    try:
        if erasure.firebase_uid:
            _delete_account(erasure.firebase_uid)
    except Exception as error:
        db.session.rollback()
        erasure.attempts += 1
        erasure.last_error = f"{type(error).__name__}: {error}"[:300]
        db.session.commit()
        log.warning("erasure %d: Firebase account not deleted yet: %s", erasure_id, error)
        raise
    erasure.firebase_uid, erasure.completed_at = None, utcnow()
    erasure.attempts += 1
    db.session.commit()
    return True
