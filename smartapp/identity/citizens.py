"""Citizens from verified token claims."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from flask import current_app, has_request_context, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from smartapp.extensions import SAFE_METHODS, db
from smartapp.identity.models import Citizen
from smartapp.identity.tokens import CitizenClaims, ErasedAccountToken

#: ``app.extensions`` key of the check privacy installs (identity cannot import privacy,
#: which imports identity): whether the account of a uid digest was erased after a token
#: issued at the given time (seconds since the epoch, or ``None`` when unknown)
ERASED_ACCOUNTS = "smartapp.erased_accounts"
ErasedAccountCheck = Callable[[str, float | None], bool]


def uid_digest(uid: str) -> str:
    """A keyed digest of a Firebase uid, which names no one without the app's secret key."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, uid.encode(), hashlib.sha256).hexdigest()


def citizen_from_claims(claims: CitizenClaims) -> Citizen:
    """The citizen behind verified ``claims``; the first valid token creates them, and a new
    phone number in a token replaces the stored one."""
    query = select(Citizen).where(Citizen.firebase_uid == claims.uid)
    if has_request_context() and request.method not in SAFE_METHODS:
        # held to the request's commit (PostgreSQL): an erasure at the same time waits for
        # this request's writes, or this request waits for the erasure and finds no citizen,
        # instead of failing on its foreign key
        query = query.with_for_update(key_share=True)
    citizen = db.session.scalar(query)
    if citizen is not None and (
        not claims.phone_number or citizen.phone_number == claims.phone_number
    ):
        return citizen
    # The write starts its own transaction: on SQLite a read request's write must not upgrade
    # the read's snapshot (see ``smartapp.extensions``).
    db.session.commit()
    if citizen is not None:
        citizen.phone_number = claims.phone_number
        db.session.commit()
        return citizen
    # only here, where a citizen would be created: the hot path of existing ones costs nothing
    erased: ErasedAccountCheck = current_app.extensions[ERASED_ACCOUNTS]
    if erased(uid_digest(claims.uid), claims.issued_at):
        raise ErasedAccountToken("the token's account was erased")
    citizen = Citizen(
        firebase_uid=claims.uid, phone_number=claims.phone_number, display_name=claims.name
    )
    db.session.add(citizen)
    try:
        db.session.commit()
    except IntegrityError:  # two first requests raced; the other one created the row
        db.session.rollback()
        citizen = db.session.scalars(
            select(Citizen).where(Citizen.firebase_uid == claims.uid)
        ).one()
    return citizen
