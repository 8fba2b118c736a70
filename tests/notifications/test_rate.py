"""The send rate stays under ``SMARTAPP_FCM_RATE_PER_MINUTE``; one topic fan-out at a time."""

from __future__ import annotations

import threading
import time

import pytest

from smartapp.extensions import db
from smartapp.notifications.rate import topic_fanout_lock
from smartapp.plugin import notify

RATE_PER_SECOND = 10


@pytest.fixture
def smartapp_config(fcm_config):
    return {**fcm_config, "SMARTAPP_FCM_RATE_PER_MINUTE": str(RATE_PER_SECOND * 60)}


def test_a_campaign_is_sent_no_faster_than_the_rate_setting(app, fcm, citizens_with_devices):
    count = 4 * RATE_PER_SECOND
    ids = citizens_with_devices(count)
    started = time.monotonic()
    notify(ids, "Lịch cắt điện", "Thứ Bảy 7:00–11:00")
    db.session.commit()  # no Redis: sent in-process, now
    # 40 sends at 10 a second span 4 clock seconds: more than 2 s from the first to the last
    assert time.monotonic() - started > 2.0
    assert fcm.counts["_accepted"] == count


def test_one_topic_fan_out_at_a_time(app):
    inside, overlaps = [], []

    def fan_out() -> None:
        with app.app_context(), topic_fanout_lock():
            if inside:
                overlaps.append(True)
            inside.append(True)
            time.sleep(0.05)
            inside.pop()

    threads = [threading.Thread(target=fan_out) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert overlaps == [] and inside == []
