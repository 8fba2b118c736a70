"""What a worker remembers about signed-in citizens between requests.

Most app launches are by signed-in citizens, and each one would verify an ID token
(firebase-admin checks an RS256 signature against Google's certificates, which it reparses on
every call) and look the citizen up before the home screen could answer. Two per-process
caches, each bounded in size and time, spare that work on repeats:

* :class:`VerifiedTokens` — a citizen token that *passed* verification → its claims, keyed
  by the token's SHA-256 (the bearer secret itself is not kept), until the token expires or
  :data:`TOKEN_SECONDS` pass, whichever comes first. A token that fails is never stored, so
  it fails again on every request. Revocation is not checked either way (see
  ``FirebaseVerifier``), so serving a stored verdict within the token's life changes nothing.
* :class:`CitizenWards` — a citizen's uid → their profile's ward, filed under the
  ``citizens`` revision (:mod:`smartapp.revisions`). Every ORM write of a ``Citizen`` row
  bumps that revision in its own transaction (the mapper events at the end, so no writer can
  forget), and drops this worker's entry at once; other workers read the revision at most
  once per state TTL (``SMARTAPP_STATE_TTL_MS``), as they do for plugin settings, and ignore
  entries filed under an older one.

The home screen's fast path (:mod:`smartapp.catalog.fastpath`) reads both without touching
Flask or the database; the Flask side fills them.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError, ProgrammingError

from smartapp.extensions import db
from smartapp.identity.models import Citizen
from smartapp.identity.tokens import CitizenClaims, CitizenTokenVerifier
from smartapp.revisions import Revision, current_revision

#: the longest a verified token's claims are reused without verifying it again
TOKEN_SECONDS = 300.0
#: entries per cache: enough for a worker's active citizens; the oldest go first
ENTRIES = 4096
CITIZENS_REVISION = "citizens"

V = TypeVar("V")


class _Bounded(Generic[V]):
    """A dict of entries that expire, holding at most ``ENTRIES`` (the oldest leave first)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.entries: dict[Any, tuple[float, V]] = {}
        self.lock = threading.Lock()

    def get(self, key: Any) -> V | None:
        found = self.entries.get(key)
        if found is None or found[0] <= self.clock():
            return None
        return found[1]

    def put(self, key: Any, value: V, until: float) -> None:
        with self.lock:
            self.entries.pop(key, None)  # re-inserted last: the newest leaves last
            self.entries[key] = (until, value)
            while len(self.entries) > ENTRIES:
                del self.entries[next(iter(self.entries))]

    def forget(self, key: Any) -> None:
        with self.lock:
            self.entries.pop(key, None)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class VerifiedTokens:
    """Claims of citizen tokens that verified, until they expire (see the module docstring)."""

    def __init__(self) -> None:
        self.claims: _Bounded[CitizenClaims] = _Bounded(time.time)  # tokens expire by the clock

    def get(self, token: str) -> CitizenClaims | None:
        return self.claims.get(_digest(token))

    def put(self, token: str, claims: CitizenClaims) -> None:
        until = time.time() + TOKEN_SECONDS
        if claims.expires_at is not None:
            until = min(until, claims.expires_at)
        self.claims.put(_digest(token), claims, until)


def verify_citizen_token(verifier: CitizenTokenVerifier, token: str) -> CitizenClaims:
    """The claims of ``token``: remembered if it passed recently, else asked of ``verifier``
    (which raises ``InvalidToken`` for a bad one: nothing is stored then)."""
    tokens: VerifiedTokens = current_app.extensions["smartapp.verified_tokens"]
    claims = tokens.get(token)
    if claims is None:
        claims = verifier.verify(token)
        tokens.put(token, claims)
    return claims


@dataclass(frozen=True)
class CitizenWard:
    ward_code: int | None


class CitizenWards:
    """Citizens' profile wards by uid, valid while the ``citizens`` revision is unchanged."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self.revision = -1
        self.checked_at = -math.inf
        self.wards: _Bounded[tuple[int, CitizenWard]] = _Bounded(time.monotonic)

    def fresh(self) -> bool:
        """Whether the revision was read recently enough to trust the entries filed under it."""
        return time.monotonic() - self.checked_at < self.ttl

    def refresh(self) -> int | None:
        """The ``citizens`` revision, read again when the TTL ran out; ``None`` when the
        database cannot say (not migrated yet): then nothing is remembered."""
        if not self.fresh():
            try:
                self.revision = current_revision(CITIZENS_REVISION)
            except (OperationalError, ProgrammingError):
                db.session.rollback()
                return None
            self.checked_at = time.monotonic()
        return self.revision

    def get(self, uid: str) -> CitizenWard | None:
        """The citizen's ward, if known under the current revision (checked within the TTL)."""
        found = self.wards.get(uid)
        if found is None or not self.fresh() or found[0] != self.revision:
            return None
        return found[1]

    def remember(self, uid: str, ward_code: int | None, revision: int) -> None:
        """File what was read of the citizen under ``revision``, read *before* the citizen's
        row, so that a change committed in between retires the entry rather than hiding."""
        self.wards.put(uid, (revision, CitizenWard(ward_code)), time.monotonic() + TOKEN_SECONDS)

    def changed(self, uid: str) -> None:
        """This worker wrote the citizen: forget them and re-read the revision next time."""
        self.wards.forget(uid)
        self.checked_at = -math.inf


def citizen_wards() -> CitizenWards:
    return current_app.extensions["smartapp.citizen_wards"]


def _bump_citizens_revision(connection: Connection) -> None:
    """Add one to the ``citizens`` revision in the flush's own transaction (an upsert: the
    flush cannot run the savepoint ``bump_revision`` uses for a first bump)."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(Revision).values(name=CITIZENS_REVISION, value=1)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[Revision.name], set_={"value": Revision.value + 1}
        )
    )


@event.listens_for(Citizen, "after_update")
@event.listens_for(Citizen, "after_delete")
def _citizen_written(_mapper: Any, connection: Connection, citizen: Citizen) -> None:
    _bump_citizens_revision(connection)
    if has_app_context() and "smartapp.citizen_wards" in current_app.extensions:
        citizen_wards().changed(citizen.firebase_uid)
