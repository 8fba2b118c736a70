"""The push transport (libcurl's multi interface on a thread) and the shared send budget."""

from __future__ import annotations

import collections
import email.utils
import os
import threading
import time

import pytest
import redis

from smartapp.notifications.fcm import FcmGateway
from smartapp.notifications.gateway import PushMessage
from smartapp.notifications.rate import RateLimiter
from tests.support.fcm_server import FcmServer

MESSAGE = PushMessage(title="Lịch cắt điện", body="Thứ Bảy 7:00–11:00", token="t-0")


def test_no_more_requests_in_flight_than_the_concurrency():
    with FcmServer(latency=0.2) as server:
        gateway = FcmGateway("p", emulator_host=server.host, concurrency=3)
        started = time.monotonic()
        results = gateway.send([PushMessage("a", "b", token=f"t-{n}") for n in range(12)])
        # 12 answers taking 0.2 s each, 3 at a time: 4 waves at least
        assert time.monotonic() - started >= 0.8
    assert all(result.sent for result in results)
    assert server.counts["_accepted"] == 12


def test_retry_after_given_as_a_date_is_read_as_seconds():
    with FcmServer() as server:
        server.fail("t-0", "UNAVAILABLE", retry_after=email.utils.formatdate(time.time() + 120))
        (result,) = FcmGateway("p", emulator_host=server.host).send([MESSAGE])
    assert result.error_code == "UNAVAILABLE"
    assert result.retry_after is not None and 100 <= result.retry_after <= 121


def test_a_failing_answer_callback_fails_its_batch_and_spares_the_others():
    with FcmServer() as server:
        gateway = FcmGateway("p", emulator_host=server.host)
        answered = []

        def broken(index, result):
            if index == 0:
                raise RuntimeError("a bug in the caller")
            answered.append(index)

        with pytest.raises(RuntimeError, match="a bug in the caller"):
            gateway.send_to_tokens(MESSAGE, ["t-1", "t-2", "t-3"], broken).result(10)
        (result,) = gateway.send([MESSAGE])  # the transport still runs
    assert result.sent
    assert sorted(answered) == [1, 2]


def test_the_transport_starts_again_in_a_forked_child():
    """gunicorn and RQ fork after the app (and its gateway) exist: a child's first send
    starts a transport thread of its own."""
    with FcmServer() as server:
        gateway = FcmGateway("p", emulator_host=server.host)
        assert gateway.send([MESSAGE])[0].sent  # the parent's thread runs
        child = os.fork()
        if child == 0:  # pragma: no cover (the child's exit code is the assertion)
            os._exit(0 if gateway.send([MESSAGE])[0].sent else 1)
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert server.counts["_accepted"] == 2


def test_workers_sharing_redis_stay_under_the_rate_in_every_second(private_redis):
    """Budget is taken from Redis a grant at a time: two workers spending it one message at
    a time still send no more than the rate in any clock second."""
    private_redis["start"]()
    per_second = 200
    seconds: collections.Counter[int] = collections.Counter()
    lock = threading.Lock()

    def worker() -> None:
        limiter = RateLimiter(per_second * 60, redis.Redis.from_url(private_redis["url"]))
        for _ in range(300):
            limiter.acquire(1)
            with lock:
                seconds[int(time.time())] += 1

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(seconds.values()) == 600
    assert max(seconds.values()) <= per_second
    assert len(seconds) >= 3  # 600 at 200 a second span 3 clock seconds at least
