"""The notice's versions and each citizen's consent: reading them, adding to them, and the
check every data-collecting action makes first (:func:`require_consent`).

The functions that add a record leave the commit to their caller (``smartapp.privacy``),
which carries out the record's effects (ward topics) in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.exc import IntegrityError

from smartapp.consent.default_notice import DEFAULT_NOTICE, SERVICE
from smartapp.consent.models import CitizenPurpose, ConsentAction, ConsentRecord, PrivacyNotice
from smartapp.errors import DomainError, InvalidInput
from smartapp.extensions import db
from smartapp.i18n import LANGUAGES, message
from smartapp.identity.audit import record_audit
from smartapp.identity.models import Citizen
from smartapp.inputs import UNSTORABLE_MESSAGE, unstorable

PURPOSE_SLUG = re.compile(r"^[a-z][a-z0-9_]{1,47}$")


class ConsentRequired(DomainError):
    """The citizen has not accepted the current notice, or not this purpose (403); the
    errors name the version to accept: ``{"consent": ["consent_required"],
    "notice_version": ["3"], "purpose": ["service"]}``."""

    status = 403


def _latest() -> PrivacyNotice | None:
    return db.session.scalar(select(PrivacyNotice).order_by(PrivacyNotice.version.desc()).limit(1))


def current_notice() -> PrivacyNotice:
    """The latest version; a database without one gets :data:`DEFAULT_NOTICE` as version 1
    (in its own transaction, as a citizen's first sign-in is written)."""
    notice = _latest()
    if notice is not None:
        return notice
    db.session.commit()  # see ``citizen_from_claims``: a read's snapshot must not upgrade
    db.session.add(PrivacyNotice(version=1, published_by="system", **DEFAULT_NOTICE))
    try:
        db.session.commit()
    except IntegrityError:  # another request stored it first
        db.session.rollback()
    notice = _latest()
    assert notice is not None  # stored just now, by this request or another
    return notice


def notices() -> list[PrivacyNotice]:
    """Every version, newest first."""
    current_notice()
    return list(db.session.scalars(select(PrivacyNotice).order_by(PrivacyNotice.version.desc())))


def _check_localized(field: str, value: Any) -> None:
    if not isinstance(value, dict) or not isinstance(value.get("vi"), str) or not value["vi"]:
        raise InvalidInput.of(field, "needs a Vietnamese ('vi') text")
    unknown = set(value) - set(LANGUAGES)
    if unknown or not all(isinstance(text, str) for text in value.values()):
        raise InvalidInput.of(field, f"texts by language, one of {', '.join(LANGUAGES)}")
    if any(unstorable(text) for text in value.values()):  # a file: the API refuses it sooner
        raise InvalidInput.of(field, UNSTORABLE_MESSAGE)


def _check_purposes(purposes: Sequence[dict[str, Any]]) -> None:
    slugs = [purpose.get("slug") for purpose in purposes]
    bad = [slug for slug in slugs if not isinstance(slug, str) or not PURPOSE_SLUG.match(slug)]
    if bad or not purposes:
        raise InvalidInput.of("purposes", "each purpose needs a slug such as 'service'")
    if len(set(slugs)) != len(slugs):
        raise InvalidInput.of("purposes", "a purpose slug appears twice")
    if SERVICE not in slugs:
        raise InvalidInput.of("purposes", f"the '{SERVICE}' purpose must stay")
    for purpose in purposes:
        _check_localized("purposes", purpose.get("title"))


def publish_notice(
    title: dict[str, str], body: dict[str, str], purposes: list[dict[str, Any]]
) -> PrivacyNotice:
    """Publish the next version, audited: every citizen is asked to accept it again."""
    _check_localized("title", title)
    _check_localized("body", body)
    _check_purposes(purposes)
    previous = current_notice()
    cleaned = [
        {
            "slug": p["slug"],
            "title": p["title"],
            "required": p["slug"] == SERVICE or bool(p.get("required")),
        }
        for p in purposes
    ]
    notice = PrivacyNotice(
        version=previous.version + 1, title=title, body=body, purposes=cleaned, published_by=""
    )
    entry = record_audit("privacy.notice.publish", "privacy_notice", notice.version)
    notice.published_by = entry.actor
    db.session.add(notice)
    try:
        db.session.commit()
    except IntegrityError:  # two publications at once: the other one took the number
        db.session.rollback()
        raise InvalidInput.of("version", "another version was just published; try again") from None
    return notice


def latest_record(citizen_id: int) -> ConsentRecord | None:
    return db.session.scalar(
        select(ConsentRecord)
        .where(ConsentRecord.citizen_id == citizen_id)
        .order_by(ConsentRecord.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class ConsentState:
    """A citizen's standing against the current notice."""

    notice: PrivacyNotice
    record: ConsentRecord | None

    @property
    def granted(self) -> list[str]:
        return list(self.record.granted) if self.record else []

    @property
    def accepted_version(self) -> int | None:
        """The last version the citizen accepted (withdrawals keep it)."""
        return self.record.notice_version if self.record else None

    @property
    def required(self) -> list[str]:
        return [p["slug"] for p in self.notice.purposes if p["required"]]

    @property
    def current(self) -> bool:
        """Accepted the current version, with everything it requires, and not withdrawn."""
        return self.accepted_version == self.notice.version and set(self.required) <= set(
            self.granted
        )


def consent_state(citizen: Citizen) -> ConsentState:
    return ConsentState(current_notice(), latest_record(citizen.id))


def consent_allows(citizen_id: int, purpose: str) -> bool:
    """Whether the citizen grants ``purpose`` now (whichever version they gave it to: what
    was agreed goes on until withdrawn; new collection needs the current version)."""
    return db.session.get(CitizenPurpose, (citizen_id, purpose)) is not None


def granting(purpose: str) -> ColumnElement[bool]:
    """``Citizen.id`` is of a citizen who grants ``purpose`` now: for audience queries."""
    return Citizen.id.in_(
        select(CitizenPurpose.citizen_id).where(CitizenPurpose.purpose == purpose)
    )


def _grant_now(citizen_id: int, granted: Sequence[str]) -> None:
    db.session.execute(delete(CitizenPurpose).where(CitizenPurpose.citizen_id == citizen_id))
    db.session.add_all(CitizenPurpose(citizen_id=citizen_id, purpose=p) for p in granted)


def require_consent(citizen: Citizen, purpose: str = SERVICE) -> None:
    """Refuse (:class:`ConsentRequired`, 403) a data-collecting action of a citizen who has
    not accepted the current notice, or who does not grant ``purpose``."""
    state = consent_state(citizen)
    if state.current and purpose in state.granted:
        return
    raise ConsentRequired(
        message("consent_required"),
        {
            "consent": ["consent_required"],
            "notice_version": [str(state.notice.version)],
            "purpose": [purpose],
        },
    )


def _known(slugs: Sequence[str], purposes: Sequence[str]) -> list[str]:
    """``purposes`` in the order of ``slugs``, the ones they may name."""
    unknown = sorted(set(purposes) - set(slugs))
    if unknown:
        raise InvalidInput.of("purposes", f"not purposes of the notice: {', '.join(unknown)}")
    return [slug for slug in slugs if slug in purposes]


def new_consent(
    citizen: Citizen, version: int, purposes: Sequence[str], app_version: str | None
) -> ConsentRecord:
    """Record (not commit) the citizen's acceptance of ``version`` with ``purposes``; it must
    be the current version and include every required purpose."""
    notice = current_notice()
    if version != notice.version:
        raise InvalidInput.of("version", f"the current notice is version {notice.version}")
    granted = _known([p["slug"] for p in notice.purposes], purposes)
    missing = [p["slug"] for p in notice.purposes if p["required"] and p["slug"] not in granted]
    if missing:
        raise InvalidInput.of("purposes", f"required: {', '.join(missing)}")
    record = ConsentRecord(
        citizen_id=citizen.id,
        notice_version=version,
        action=ConsentAction.CONSENT,
        changed=granted,
        granted=granted,
        app_version=app_version,
    )
    db.session.add(record)
    _grant_now(citizen.id, granted)
    return record


def new_withdrawal(
    citizen: Citizen, purposes: Sequence[str], app_version: str | None
) -> ConsentRecord:
    """Record (not commit) the withdrawal of ``purposes``, effective from this record."""
    state = consent_state(citizen)
    if state.record is None:
        raise InvalidInput.of("purposes", "nothing was consented to")
    # what was granted goes on until withdrawn, even a purpose a newer notice dropped
    offered = [p["slug"] for p in state.notice.purposes]
    withdrawable = offered + [slug for slug in state.granted if slug not in offered]
    withdrawn = _known(withdrawable, purposes) if purposes else []
    if not withdrawn:
        raise InvalidInput.of("purposes", "name at least one purpose")
    granted = [slug for slug in state.granted if slug not in withdrawn]
    record = ConsentRecord(
        citizen_id=citizen.id,
        notice_version=state.record.notice_version,
        action=ConsentAction.WITHDRAW,
        changed=withdrawn,
        granted=granted,
        app_version=app_version,
    )
    db.session.add(record)
    _grant_now(citizen.id, granted)
    return record


def citizen_records(citizen_id: int) -> list[ConsentRecord]:
    """The citizen's whole history, oldest first (for the export)."""
    return list(
        db.session.scalars(
            select(ConsentRecord)
            .where(ConsentRecord.citizen_id == citizen_id)
            .order_by(ConsentRecord.id)
        )
    )
