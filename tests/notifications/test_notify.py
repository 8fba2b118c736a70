"""``smartapp.plugin.notify``: the inbox row in the caller's transaction, the push after it."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError
from sqlalchemy import select

from smartapp.extensions import db
from smartapp.notifications.models import (
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryStatus,
    Device,
    InboxItem,
)
from smartapp.plugin import notify


@pytest.fixture
def smartapp_config():
    return {}  # the development sign-in of make_citizen


def _device(citizen_id, token, **extra):
    device = Device(
        token=token, citizen_id=citizen_id, platform="android", app_version="3.2.0", **extra
    )
    db.session.add(device)
    db.session.commit()
    return device


def test_notify_reaches_the_inbox_and_the_devices_after_commit(app, make_citizen):
    lan = make_citizen("+84912000001").account
    binh = make_citizen("+84912000002").account
    _device(lan.id, "token-lan-phone")
    _device(lan.id, "token-lan-tablet", language="en")
    campaign_id = notify(
        [lan.id, binh.id, 999_999],
        "Phản ánh đã được tiếp nhận",
        {"vi": "Sở Xây dựng đang xử lý", "en": "Being handled"},
        link="smartapp://u/feedback/reports/7",
        data={"report_id": "7"},
    )
    # before the caller commits, nothing has been sent
    assert db.session.scalars(select(Delivery)).all() == []
    db.session.commit()

    campaign = db.session.get(Campaign, campaign_id)
    db.session.refresh(campaign)
    assert campaign.status == CampaignStatus.SENT
    inbox = db.session.scalars(select(InboxItem.citizen_id).order_by(InboxItem.citizen_id))
    assert list(inbox) == [lan.id, binh.id]  # the unknown id is skipped
    deliveries = db.session.scalars(select(Delivery)).all()
    assert sorted(d.status for d in deliveries) == [DeliveryStatus.SENT] * 2


def test_a_rolled_back_change_notifies_nobody(app, make_citizen):
    lan = make_citizen().account
    _device(lan.id, "token-lan")
    notify([lan.id], "Không gửi", "Giao dịch bị huỷ")
    db.session.rollback()
    db.session.commit()  # a later commit of something else sends nothing either
    assert db.session.scalars(select(InboxItem)).all() == []
    assert db.session.scalars(select(Campaign)).all() == []
    assert db.session.scalars(select(Delivery)).all() == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": {"en": "no Vietnamese"}}, "title"),
        ({"body": "x" * 5000}, "body"),
        ({"data": {"from": "x"}}, "data"),
        ({"data": {"n": 1}}, "data"),
        ({"link": ""}, "link"),
        ({"citizen_ids": "12"}, "citizen_ids"),
        ({"citizen_ids": [1.5]}, "citizen_ids"),
    ],
)
def test_notify_refuses_what_fcm_would(app, kwargs, field):
    arguments = {"citizen_ids": [1], "title": "Tiêu đề", "body": "Nội dung", **kwargs}
    with pytest.raises(ValidationError) as raised:
        notify(**arguments)
    assert field in raised.value.normalized_messages()
