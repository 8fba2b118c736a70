"""What FCM's answers mean, and recording them: a few statements per batch of answers.

The hot path of a token campaign settles whatever answers arrived since the last round in
one transaction: one ``UPDATE … WHERE id IN (…)`` for the sent rows (nearly all), one
executemany for the others and one for dead tokens. Core statements only: no ORM objects
are loaded for a delivery row.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update

from smartapp.extensions import db, utcnow
from smartapp.notifications.claims import Claimed, among
from smartapp.notifications.gateway import PushResult
from smartapp.notifications.models import Campaign, CampaignStatus, Delivery, DeliveryStatus, Device

MAX_ATTEMPTS = 6
#: FCM's error codes, by what they mean for the device and the campaign
DEAD_TOKEN = frozenset({"UNREGISTERED", "SENDER_ID_MISMATCH", "INVALID_REGISTRATION"})
RETRY = frozenset(
    {
        "UNAVAILABLE",
        "INTERNAL",
        "QUOTA_EXCEEDED",
        "NETWORK",
        "HTTP_500",
        "HTTP_502",
        "HTTP_503",
        "HTTP_504",
    }
)
PAUSE = frozenset({"THIRD_PARTY_AUTH_ERROR", "UNAUTHENTICATED", "PERMISSION_DENIED"})
#: a row whose device was deleted before it was sent (the 270-day purge)
NO_DEVICE = "NO_DEVICE"


@dataclass(frozen=True)
class Outcome:
    """What to do with one delivery row after FCM answered."""

    status: str
    error_code: str | None = None
    retry_in: float | None = None
    token_removed: bool = False


def classify(result: PushResult, attempts: int, to_token: bool) -> Outcome:
    """The row's next state for FCM's answer (attempts: how many were made, this one too)."""
    code = result.error_code
    if code is None:
        return Outcome(DeliveryStatus.SENT)
    if to_token and (code in DEAD_TOKEN or _invalid_token(result)):
        return Outcome(DeliveryStatus.FAILED, code, token_removed=True)
    if code in PAUSE:  # waits for the operator, not for FCM
        return Outcome(DeliveryStatus.PENDING, code)
    if code in RETRY and attempts < MAX_ATTEMPTS:
        return Outcome(
            DeliveryStatus.PENDING, code, retry_in=backoff(code, attempts, result.retry_after)
        )
    return Outcome(DeliveryStatus.FAILED, code)


def _invalid_token(result: PushResult) -> bool:
    # FCM answers a malformed token with INVALID_ARGUMENT too; only its message tells it apart
    # from a payload error
    return (
        result.error_code == "INVALID_ARGUMENT"
        and "registration token" in (result.error_message or "").lower()
    )


def backoff(code: str, attempts: int, retry_after: float | None) -> float:
    """Exponential with full jitter; never sooner than ``Retry-After``; a minute at least
    after ``QUOTA_EXCEEDED`` (FCM's advice)."""
    delay = random.uniform(0, min(300.0, 2.0**attempts))
    if code == "QUOTA_EXCEEDED":
        delay = max(delay, 60.0)
    return max(delay, retry_after or 0.0)


def settle(campaign_id: int, answers: Sequence[tuple[Claimed, PushResult]]) -> bool:
    """Record FCM's answers in one transaction; dead tokens are deactivated; a pause or a
    payload error stops the campaign with a readable reason. Returns whether it stopped."""
    now = utcnow()
    sent: list[int] = []
    others: list[dict[str, object]] = []
    dead: dict[int, str] = {}
    stop: dict[str, object] = {}
    for row, result in answers:
        outcome = classify(result, row.attempts, to_token=row.topic is None)
        if outcome.status == DeliveryStatus.SENT and row.topic is None:
            sent.append(row.id)
            continue
        code = result.error_code
        if code in PAUSE:
            stop["paused_reason"] = (
                f"FCM refused our credentials ({code}): "
                f"{result.error_message or 'check the APNs/web push keys'}"
            )
        elif code == "INVALID_ARGUMENT" and not outcome.token_removed:
            stop["status"] = CampaignStatus.FAILED
            stop["failure_reason"] = f"FCM refused the message: {result.error_message}"[:300]
        if outcome.token_removed and row.device_id is not None:
            dead[row.device_id] = code or ""
        others.append(
            {
                "id": row.id,
                "status": outcome.status,
                "error_code": outcome.error_code,
                "claim": None,
                "token_removed": outcome.token_removed,
                "message_id": result.message_id,
                "next_attempt_at": None
                if outcome.retry_in is None
                else now + timedelta(seconds=outcome.retry_in),
                # a pause costs no attempt
                "attempts": row.attempts - 1 if code in PAUSE else row.attempts,
            }
        )
    if sent:
        db.session.execute(
            update(Delivery)
            .where(among(Delivery.id, sent))
            .values(status=DeliveryStatus.SENT, claim=None, error_code=None)
            .execution_options(synchronize_session=False)
        )
    if others:  # ORM bulk UPDATE by primary key: one executemany
        db.session.execute(update(Delivery), others)
    if dead:
        db.session.execute(
            update(Device),
            [
                {"id": device, "active": False, "deactivated_reason": r}
                for device, r in dead.items()
            ],
        )
    if stop:
        db.session.execute(update(Campaign).where(Campaign.id == campaign_id).values(**stop))
    db.session.commit()
    return bool(stop)
