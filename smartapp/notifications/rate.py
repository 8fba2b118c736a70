"""Staying under the project's FCM quota, across every worker process.

FCM allows 600,000 messages a minute per project by default (``SMARTAPP_FCM_RATE_PER_MINUTE``)
and advises one topic fan-out at a time. With Redis both are shared by every worker host
(a per-second counter, a lock); on the embedded default they hold within the process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError

from smartapp.jobs import redis_connection

_KEY = "smartapp:fcm:rate:"
_FANOUT_LOCK = "smartapp:fcm:topic-fanout"
#: a topic request takes well under a second; the lock outlives a worker that dies holding it
#: by this much only
_FANOUT_TIMEOUT = 30
_local_fanout = threading.Lock()


class RateLimiter:
    """At most ``per_minute / 60`` messages in any second, counted in Redis when there is one.

    Budget is taken from the shared counter a grant at a time (a twentieth of a second's) and
    spent in the process, so a worker asks Redis ~20 times a second rather than at every
    hand-over; what a grant leaves unspent when its second ends is counted all the same, so
    the workers together stay under the quota, never over it.
    """

    def __init__(self, per_minute: int, connection: Redis | None) -> None:
        self.per_second = max(1, per_minute // 60)
        self.grant_size = max(1, self.per_second // 20)
        self.connection = connection
        self._window = 0
        self._used = 0
        self._grant_second = 0
        self._granted = 0

    @classmethod
    def for_app(cls) -> RateLimiter:
        settings = current_app.config["SMARTAPP_SETTINGS"]
        return cls(settings.fcm_rate_per_minute, redis_connection())

    def acquire(self, count: int) -> None:
        """Block until ``count`` messages fit in the current second's budget."""
        while count > 0:
            second = int(time.time())
            if second != self._grant_second:
                self._grant_second, self._granted = second, 0
            if not self._granted:
                want = min(self.per_second, max(count, self.grant_size))
                used = self._count(second, want)
                self._granted = max(0, min(want, self.per_second - (used - want)))
                if not self._granted:
                    time.sleep(max(0.0, second + 1 - time.time()))
                    continue
            take = min(count, self._granted)
            self._granted -= take
            count -= take

    def _count(self, second: int, take: int) -> int:
        if self.connection is not None:
            try:
                key = f"{_KEY}{second}"
                pipeline = self.connection.pipeline()
                pipeline.incrby(key, take)
                pipeline.expire(key, 5)
                return int(pipeline.execute()[0])
            except RedisError:
                pass  # Redis down: count in this process rather than stop sending
        if second != self._window:
            self._window, self._used = second, 0
        self._used += take
        return self._used


@contextmanager
def topic_fanout_lock() -> Iterator[None]:
    """Hold FCM's one-topic-fan-out-at-a-time advice across every worker."""
    connection = redis_connection()
    if connection is None:
        with _local_fanout:
            yield
        return
    with connection.lock(_FANOUT_LOCK, timeout=_FANOUT_TIMEOUT, blocking_timeout=None):
        yield
