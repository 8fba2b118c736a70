"""Who a campaign reaches: its FCM topics (broadcasts), its devices and its citizens.

Broadcasts (province, wards, interests) go to FCM topics, one request per topic or
condition, so the fan-out to millions of phones happens at Google; the local mirror of the
subscriptions says whom they reach. Listed citizens (and test sends) go to device tokens.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, false, select, true

from smartapp.consent.default_notice import LOCATION_NOTIFICATIONS
from smartapp.consent.services import granting
from smartapp.extensions import utcnow
from smartapp.identity.models import Citizen
from smartapp.locations.services import province_code
from smartapp.notifications.content import MAX_CONDITION_TOPICS
from smartapp.notifications.models import CitizenInterest, Device

#: FCM expires a token unused for 270 days; a device silent for 30 is counted as stale
STALE_AFTER = timedelta(days=30)
EXPIRED_AFTER = timedelta(days=270)
TOPIC_KINDS = frozenset({"province", "wards", "interests"})


def province_topic() -> str:
    return f"province-{province_code()}"


def ward_topic(ward_code: int) -> str:
    return f"ward-{ward_code}"


def interest_topic(slug: str) -> str:
    return f"interest-{slug}"


def is_broadcast(audience: Mapping[str, Any]) -> bool:
    return audience["kind"] in TOPIC_KINDS


def condition(topics: list[str]) -> str:
    """The FCM condition reaching a device subscribed to any of ``topics`` (at most 5)."""
    return " || ".join(f"'{topic}' in topics" for topic in topics)


def topic_targets(audience: Mapping[str, Any]) -> list[str]:
    """One topic or condition per FCM request. A device is in one ward, so wards split into
    conditions of 5 without reaching anyone twice; interests overlap, so they must fit one."""
    kind = audience["kind"]
    if kind == "province":
        return [province_topic()]
    if kind == "wards":
        topics = [ward_topic(code) for code in audience["wards"]]
    else:
        topics = [interest_topic(slug) for slug in audience["interests"]]
    chunks = [
        topics[i : i + MAX_CONDITION_TOPICS] for i in range(0, len(topics), MAX_CONDITION_TOPICS)
    ]
    return [chunk[0] if len(chunk) == 1 else condition(chunk) for chunk in chunks]


def _citizen_condition(audience: Mapping[str, Any]) -> ColumnElement[bool]:
    kind = audience["kind"]
    if kind == "province":
        return true()
    if kind == "wards":  # a ward's news reach those who let the server use their ward
        return Citizen.ward_code.in_(audience["wards"]) & granting(LOCATION_NOTIFICATIONS)
    if kind == "interests":
        return Citizen.id.in_(
            select(CitizenInterest.citizen_id).where(
                CitizenInterest.interest_slug.in_(audience["interests"])
            )
        )
    if kind == "citizens":
        # up to 100,000 numbers, more than PostgreSQL's 65,535 parameters: written into the
        # statement instead (they are integers, checked by AudienceSchema)
        return Citizen.id.in_(
            bindparam("citizens", audience["citizens"], expanding=True, literal_execute=True)
        )
    return false()


def citizens(audience: Mapping[str, Any]) -> Select[Any]:
    """The ids of the citizens the audience reaches (their inbox gets the notification)."""
    return select(Citizen.id).where(_citizen_condition(audience))


def devices(audience: Mapping[str, Any], author_id: int | None = None) -> Select[Any]:
    """The active devices the audience reaches; anonymous ones by the ward they gave."""
    kind = audience["kind"]
    statement = select(Device.id).where(Device.active)
    if kind == "test":
        return statement.where(Device.staff_id == author_id)
    if kind == "province":
        return statement.where(Device.staff_id.is_(None))
    if kind == "wards":
        allowed = select(Citizen.id).where(granting(LOCATION_NOTIFICATIONS)).scalar_subquery()
        return statement.where(
            Device.staff_id.is_(None),
            Device.ward_code.in_(audience["wards"]),
            Device.citizen_id.is_(None) | Device.citizen_id.in_(allowed),
        )
    owners = citizens(audience).scalar_subquery()
    return statement.where(Device.citizen_id.in_(owners))


def stale_before() -> Any:
    return utcnow() - STALE_AFTER


def is_stale() -> ColumnElement[bool]:
    return Device.last_seen_at < stale_before()


def chunks(values: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
