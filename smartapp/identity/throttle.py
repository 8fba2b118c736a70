"""Staff sign-in throttling that no stranger can turn into a lock-out.

Failed sign-ins are counted per account *and* client address: after
:data:`FREE_FAILURES`, each further failure from that address makes it wait twice as long
before its next attempt for that account is even checked (:func:`delay_after`). A success
clears the count. Another address — the staff member at their own desk — is not affected, so
five wrong passwords typed by someone else never block the right one. (Spraying many accounts
from one address is held back by the per-address rate limit of the token route.)

The counts live in the rate limiter's storage: Redis when configured, so every worker sees
them; each process's memory otherwise, and while Redis is unreachable (so a dead Redis
neither opens the route to guessing nor fails sign-in).
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, request
from limits.storage import MemoryStorage, Storage
from redis.exceptions import RedisError

from smartapp.errors import DomainError
from smartapp.extensions import limiter

log = logging.getLogger(__name__)
T = TypeVar("T")

FREE_FAILURES = 4
#: the longest wait, and how long failures are remembered
MAX_DELAY_SECONDS = 15 * 60
_PREFIX = "smartapp:sign-in"


class TooManyFailures(DomainError):
    """Sign-in attempts for this account from this address must wait (429)."""

    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.headers["Retry-After"] = str(retry_after)


def delay_after(failures: int) -> int:
    """Seconds to wait after ``failures`` consecutive failures: none for the first
    :data:`FREE_FAILURES`, then 2, 4, 8 … up to :data:`MAX_DELAY_SECONDS`."""
    if failures <= FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS)


def _keys(email: str) -> tuple[str, str]:
    # hashed: the storage need not hold staff emails and citizens' addresses in clear
    digest = hashlib.sha256(f"{email}\n{request.remote_addr}".encode()).hexdigest()[:32]
    return f"{_PREFIX}:failures:{digest}", f"{_PREFIX}:wait:{digest}"


def _counted(operation: Callable[[Storage], T]) -> T:
    # With Redis down, sign-in still works and guessing is still slowed: failures are counted
    # in this process's memory (one store per app), as flask-limiter's own fallback does.
    try:
        return operation(limiter.storage)
    except RedisError as error:
        log.warning("sign-in throttle counting in memory, Redis unreachable: %s", error)
        fallback = current_app.extensions.setdefault("smartapp.sign_in_fallback", MemoryStorage())
        return operation(fallback)


def check(email: str) -> None:
    """Raise :class:`TooManyFailures` while this account must wait at this address."""
    _, wait = _keys(email)

    def remaining(storage: Storage) -> float | None:
        return storage.get_expiry(wait) - time.time() if storage.get(wait) else None

    if (seconds := _counted(remaining)) is not None:
        raise TooManyFailures(max(1, math.ceil(seconds)))


def failed(email: str) -> None:
    """Count a failure; from the :data:`FREE_FAILURES` + 1st on, the next attempt waits."""
    failures_key, wait = _keys(email)

    def count(storage: Storage) -> None:
        if delay := delay_after(storage.incr(failures_key, MAX_DELAY_SECONDS)):
            storage.incr(wait, delay)

    _counted(count)


def succeeded(email: str) -> None:
    """Forget this address's failures for the account."""

    def forget(storage: Storage) -> None:
        for key in _keys(email):
            storage.clear(key)

    _counted(forget)
