"""Abuse: rate limits per citizen and per address; moderation that keeps the original."""

from __future__ import annotations

import io

import pytest
import redis
from PIL import Image

API = "/api/v1/u/feedback"


REDIS_URL = "redis://127.0.0.1:6379/5"  # this plugin's tests use Redis DBs 5 and 6


@pytest.fixture
def strict_limits(client, admin):
    response = client.put(
        "/api/v1/admin/plugins/feedback/settings",
        headers=admin.headers,
        json={
            "reports_per_citizen": "2/hour",
            "photos_per_citizen": "3/hour",
            "writes_per_address": "6/hour",
        },
    )
    assert response.status_code == 200, response.get_json()


def _limited(client, citizen, make_citizen, upload, submit) -> None:
    assert [upload(citizen).status_code for _ in range(4)] == [201, 201, 201, 429]
    second = make_citizen("+84912000002")
    assert [submit(second, photos=0).status_code for _ in range(3)] == [201, 201, 429]
    limited = submit(second, photos=0)
    assert limited.get_json()["code"] == 429 and "Retry-After" in limited.headers
    # a third citizen on the same address: the address's allowance (6) runs out before the
    # citizen's own (3)
    third = make_citizen("+84912000003")
    statuses = [upload(third).status_code for _ in range(3)]
    assert statuses.count(201) <= 1 and statuses[-1] == 429


def test_limits_per_citizen_and_per_address(
    client, citizen, make_citizen, upload, submit, strict_limits
):
    _limited(client, citizen, make_citizen, upload, submit)


@pytest.fixture
def flushed_redis():
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield
    connection.flushdb()


@pytest.mark.smartapp_config(SMARTAPP_REDIS_URL=REDIS_URL)
def test_limits_are_counted_in_redis_when_configured(
    flushed_redis, client, citizen, make_citizen, upload, submit, strict_limits
):
    _limited(client, citizen, make_citizen, upload, submit)
    assert redis.Redis.from_url(REDIS_URL).keys("*feedback*")


@pytest.fixture
def public_report(citizen, submit):
    return submit(citizen).get_json()


def test_hiding_takes_a_report_off_the_map_but_not_from_its_reporter(
    client, citizen, make_citizen, public_report, sxd_staff, other_agency_staff
):
    report_id = public_report["id"]
    moderate = f"{API}/admin/reports/{report_id}/moderation"
    assert (
        client.post(
            moderate, json={"action": "hide"}, headers=other_agency_staff.headers
        ).status_code
        == 404
    )
    assert (
        client.post(moderate, json={"action": "hide"}, headers=citizen.headers).status_code == 403
    )
    hidden = client.post(
        moderate, json={"action": "hide", "reason": "Lời lẽ xúc phạm"}, headers=sxd_staff.headers
    )
    assert hidden.status_code == 200 and hidden.get_json()["hidden"] is True
    assert client.get(f"{API}/map").get_json()["features"] == []
    other = make_citizen("+84912000002")
    assert client.get(f"{API}/reports/{report_id}", headers=other.headers).status_code == 404
    assert client.get(f"{API}/reports/{report_id}", headers=citizen.headers).status_code == 200


def test_redacting_keeps_the_old_text_for_staff(
    client, public_report, sxd_staff, other_agency_staff
):
    report_id = public_report["id"]
    redacted = client.post(
        f"{API}/admin/reports/{report_id}/moderation",
        json={"action": "redact", "description": "[đã ẩn số điện thoại]"},
        headers=sxd_staff.headers,
    )
    assert redacted.get_json()["description"] == "[đã ẩn số điện thoại]"
    assert (
        client.get(f"{API}/reports/{report_id}").get_json()["description"]
        == "[đã ẩn số điện thoại]"
    )
    history = client.get(
        f"{API}/admin/reports/{report_id}/moderation", headers=sxd_staff.headers
    ).get_json()
    assert history[0]["action"] == "redact"
    assert history[0]["before"] == {"description": "Ổ gà sâu, xe máy dễ té."}
    assert (
        client.get(
            f"{API}/admin/reports/{report_id}/moderation", headers=other_agency_staff.headers
        ).status_code
        == 404
    )
    empty = client.post(
        f"{API}/admin/reports/{report_id}/moderation",
        json={"action": "redact"},
        headers=sxd_staff.headers,
    )
    assert empty.status_code == 422


def test_blacking_out_a_region_keeps_the_original_for_staff(
    client, citizen, public_report, sxd_staff, other_agency_staff
):
    photo = public_report["photos"][0]
    blackout = f"{API}/admin/photos/{photo['id']}/blackout"
    box = {"left": 0, "top": 0, "right": 32, "bottom": 48}
    assert (
        client.post(blackout, json={"box": box}, headers=other_agency_staff.headers).status_code
        == 404
    )
    assert (
        client.post(
            blackout, json={"box": {**box, "right": 500}}, headers=sxd_staff.headers
        ).status_code
        == 422
    )
    assert client.post(blackout, json={"box": box}, headers=sxd_staff.headers).status_code == 200

    def pixel(who, query: str = "") -> tuple[int, ...]:
        response = client.get(photo["url"] + query, headers=who.headers if who else {})
        assert response.status_code == 200
        return Image.open(io.BytesIO(response.data)).getpixel((5, 5))

    assert max(pixel(None)) < 30 and max(pixel(citizen)) < 30  # black for everyone
    assert pixel(sxd_staff, "?original=true")[0] > 200  # the orange original, for staff
    assert client.get(photo["url"] + "?original=true").status_code == 404
    history = client.get(
        f"{API}/admin/reports/{public_report['id']}/moderation", headers=sxd_staff.headers
    ).get_json()
    assert history[0]["action"] == "blackout" and history[0]["before"] == box
