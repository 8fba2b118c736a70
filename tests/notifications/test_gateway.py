"""The logging gateway: the embedded default without a Firebase project."""

from __future__ import annotations

import logging

import pytest

from smartapp.notifications.gateway import LoggingPushGateway, PushMessage, push_gateway


def test_without_a_firebase_project_pushes_are_logged(app, caplog):
    gateway = push_gateway()
    assert isinstance(gateway, LoggingPushGateway)
    with caplog.at_level(logging.INFO, logger="smartapp.notifications.gateway"):
        results = gateway.send(
            [PushMessage("Lịch cắt điện", "Thứ Bảy 7:00–11:00", topic="ward-25459")]
        )
    assert results[0].sent and results[0].message_id == "logged-1"
    assert "topic:ward-25459: Lịch cắt điện — Thứ Bảy 7:00–11:00" in caplog.text


def test_a_message_needs_exactly_one_destination():
    with pytest.raises(ValueError, match="exactly one"):
        PushMessage("a", "b")
    with pytest.raises(ValueError, match="exactly one"):
        PushMessage("a", "b", token="t", topic="x")
