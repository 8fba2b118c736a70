"""Interests citizens may follow: the list administrators manage, and each citizen's choice."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError
from sqlalchemy import delete, select

import smartapp.notifications.topics as topics
from smartapp.errors import NotFound
from smartapp.extensions import db
from smartapp.identity.audit import record_audit
from smartapp.identity.models import Citizen
from smartapp.jobs import enqueue_after_commit
from smartapp.notifications.models import CitizenInterest, Interest
from smartapp.notifications.tasks import sync_topics


class InterestNotFound(NotFound):
    """No interest with this slug (404)."""


def interests(active_only: bool = True) -> list[Interest]:
    statement = select(Interest).order_by(Interest.position, Interest.slug)
    if active_only:
        statement = statement.where(Interest.active)
    return list(db.session.scalars(statement))


def followed(citizen: Citizen) -> list[str]:
    return list(
        db.session.scalars(
            select(CitizenInterest.interest_slug)
            .where(CitizenInterest.citizen_id == citizen.id)
            .order_by(CitizenInterest.interest_slug)
        )
    )


def set_followed(citizen: Citizen, slugs: list[str]) -> list[str]:
    """Follow exactly ``slugs`` (active interests); the citizen's devices follow along."""
    wanted = sorted(set(slugs))
    known = set(
        db.session.scalars(select(Interest.slug).where(Interest.slug.in_(wanted), Interest.active))
    )
    unknown = [slug for slug in wanted if slug not in known]
    if unknown:
        raise ValidationError(f"no such interest: {', '.join(unknown)}", field_name="interests")
    db.session.execute(delete(CitizenInterest).where(CitizenInterest.citizen_id == citizen.id))
    db.session.add_all(
        CitizenInterest(citizen_id=citizen.id, interest_slug=slug) for slug in wanted
    )
    db.session.flush()
    topics.plan_citizen(citizen.id)
    enqueue_after_commit(db.session, sync_topics)
    db.session.commit()
    return wanted


def create_interest(fields: dict[str, Any]) -> Interest:
    if db.session.get(Interest, fields["slug"]) is not None:
        raise ValidationError("an interest with this slug exists", field_name="slug")
    interest = Interest(**fields)
    db.session.add(interest)
    record_audit("notifications.interest.create", "interest", interest.slug, fields)
    db.session.commit()
    return interest


def change_interest(slug: str, changes: dict[str, Any]) -> Interest:
    """Change an interest; retiring one (``active: false``) unsubscribes its followers."""
    interest = db.session.get(Interest, slug)
    if interest is None:
        raise InterestNotFound(f"no interest {slug!r}")
    for name, value in changes.items():
        setattr(interest, name, value)
    if changes.get("active") is False:
        followers = list(
            db.session.scalars(
                select(CitizenInterest.citizen_id).where(CitizenInterest.interest_slug == slug)
            )
        )
        db.session.execute(delete(CitizenInterest).where(CitizenInterest.interest_slug == slug))
        db.session.flush()
        for citizen_id in followers:
            topics.plan_citizen(citizen_id)
        enqueue_after_commit(db.session, sync_topics)
    record_audit("notifications.interest.update", "interest", slug, changes)
    db.session.commit()
    return interest
