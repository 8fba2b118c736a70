"""The feedback plugin's tests: a real app with only this plugin loaded, on every database
given by ``--smartapp-databases``; photos are real image files made by Pillow here."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image
from smartapp_feedback import FeedbackPlugin
from smartapp_feedback.categories import seed_demo_categories

from smartapp.plugin import db
from smartapp.testing import SignedIn

API = "/api/v1/u/feedback"
#: Phường Tân Ninh, Tây Ninh's centre
TAN_NINH = {"latitude": 11.3101, "longitude": 106.0983, "ward_code": 25459}


@pytest.fixture
def smartapp_plugins() -> list[type]:
    return [FeedbackPlugin]


@pytest.fixture
def demo_categories(app) -> None:
    seed_demo_categories()
    db.session.commit()


@pytest.fixture
def generous_limits(client, admin) -> None:
    """For tests that submit more than a citizen may in an hour."""
    response = client.put(
        "/api/v1/admin/plugins/feedback/settings",
        headers=admin.headers,
        json={"reports_per_citizen": "1000/hour"},
    )
    assert response.status_code == 200


@pytest.fixture
def sxd_staff(make_staff) -> SignedIn:
    """Staff of the construction department, which handles roads and flooding."""
    return make_staff("agency_staff", agency_code="SXD")


@pytest.fixture
def other_agency_staff(make_staff) -> SignedIn:
    return make_staff("agency_staff", agency_code="SNNMT")


@pytest.fixture
def upload(client) -> Callable[..., Any]:
    """Upload a photo as ``who``: ``upload(citizen)`` (a small JPEG) or with other bytes."""

    def run(
        who: SignedIn, data: bytes | None = None, name: str = "photo.jpg", path: str = "/photos"
    ) -> Any:
        if data is None:
            buffer = io.BytesIO()
            Image.new("RGB", (64, 48), "orange").save(buffer, "JPEG")
            data = buffer.getvalue()
        body = {"file": (io.BytesIO(data), name)}
        return client.post(
            API + path, data=body, headers=who.headers, content_type="multipart/form-data"
        )

    return run


@pytest.fixture
def submit(client, upload, demo_categories) -> Callable[..., Any]:
    """Submit a report as ``who`` with one uploaded photo; ``**changes`` override the body."""

    def run(who: SignedIn, photos: int = 1, **changes: Any) -> Any:
        photo_ids = [upload(who).get_json()["id"] for _ in range(photos)]
        body = {
            "category": "road-damage",
            "title": "Ổ gà lớn trước chợ",
            "description": "Ổ gà sâu, xe máy dễ té.",
            **TAN_NINH,
            "answers": {"size": "large"},
            "photo_ids": photo_ids,
            "public": True,
            **changes,
        }
        return client.post(f"{API}/reports", json=body, headers=who.headers)

    return run


@pytest.fixture
def staff_step(client) -> Callable[..., Any]:
    """Take a workflow step as staff that must succeed: ``staff_step(sxd_staff, 12, "accept")``."""

    def run(who: SignedIn, report_id: int, action: str, **body: Any) -> Any:
        response = client.post(
            f"{API}/admin/reports/{report_id}/actions",
            json={"action": action, **body},
            headers=who.headers,
        )
        assert response.status_code == 200, response.get_json()
        return response

    return run
