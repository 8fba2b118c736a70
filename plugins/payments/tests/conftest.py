"""The plugin's tests run against a real app with this plugin loaded (and any other a test
names with ``smartapp.testing.with_plugins``), on every database of
``--smartapp-databases``."""

from __future__ import annotations

from pathlib import Path

import pytest
from smartapp_payments import PaymentsPlugin
from sqlalchemy import select

from smartapp.identity.models import AuditEntry
from smartapp.plugin import db

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def smartapp_plugins(request: pytest.FixtureRequest) -> list[type]:
    marker = request.node.get_closest_marker("smartapp_plugins")
    return list(marker.args) if marker else [PaymentsPlugin]


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def manager(make_staff):
    """A communicator granted ``payments:manage``."""
    return make_staff("communicator", permissions=["payments:manage"])


@pytest.fixture
def audit_actions(app):
    """The audit log's actions so far, oldest first: ``audit_actions()``."""
    return lambda: list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
