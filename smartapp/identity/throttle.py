"""Staff sign-in throttling that no stranger can turn into a lock-out.

Failed sign-ins are counted per account *and* client address: after
:data:`FREE_FAILURES`, each further failure from that address makes it wait twice as long
before its next attempt for that account is even checked (:func:`delay_after`). A success
clears the count. Another address — the staff member at their own desk — is not affected, so
five wrong passwords typed by someone else never block the right one. (Spraying many accounts
from one address is held back by the per-address rate limit of the token route.)

The counts live in the rate limiter's storage: Redis when configured, so every worker sees
them; each process's memory otherwise.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import time
from collections.abc import Iterator

from flask import request
from redis.exceptions import RedisError

from smartapp.errors import DomainError
from smartapp.extensions import limiter

log = logging.getLogger(__name__)

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


@contextlib.contextmanager
def _storage_down_tolerated() -> Iterator[None]:
    # With Redis down, sign-in still works; the token route's per-address limit falls back to
    # memory and still holds guessing back.
    try:
        yield
    except RedisError as error:
        log.warning("sign-in throttle unavailable: %s", error)


def check(email: str) -> None:
    """Raise :class:`TooManyFailures` while this account must wait at this address."""
    _, wait = _keys(email)
    storage = limiter.storage
    with _storage_down_tolerated():
        if storage.get(wait):
            raise TooManyFailures(max(1, math.ceil(storage.get_expiry(wait) - time.time())))


def failed(email: str) -> None:
    """Count a failure; from the :data:`FREE_FAILURES` + 1st on, the next attempt waits."""
    failures_key, wait = _keys(email)
    with _storage_down_tolerated():
        failures = limiter.storage.incr(failures_key, MAX_DELAY_SECONDS)
        if delay := delay_after(failures):
            limiter.storage.incr(wait, delay)


def succeeded(email: str) -> None:
    """Forget this address's failures for the account."""
    with _storage_down_tolerated():
        for key in _keys(email):
            limiter.storage.clear(key)
