"""Hostile input on the feedback console: queue queries that would overflow the database or
lack their field's name, script in a citizen's words, and bad photo uploads on a step's form
(each refused with its reason, nothing half-saved)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from smartapp_feedback.models import Event, Photo
from sqlalchemy import func, select

from smartapp.plugin import db

QUEUE = "/admin/u/feedback/"
SCRIPT = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
JSON = {"Accept": "application/json"}


@pytest.fixture
def hostile(submit, citizen):
    """A report whose title and description are script and a spreadsheet formula."""
    response = submit(citizen, title=SCRIPT, description='=HYPERLINK("http://evil","x")')
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_citizens_words_are_text_on_every_page(console, hostile, sxd_staff):
    console.sign_in(sxd_staff)
    for path in (QUEUE, f"{QUEUE}map", f"{QUEUE}reports/{hostile}"):
        page = console.get(path).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page, path


@pytest.mark.parametrize("digits", ["99999999999999999999", "2147483648", "0", "²", "١"])
def test_a_number_too_big_for_an_id_is_words(console, hostile, sxd_staff, digits):
    console.sign_in(sxd_staff)
    for path in (QUEUE, f"{QUEUE}map"):
        response = console.get(f"{path}?q={digits}")
        assert response.status_code == 200, path
        assert f"#{hostile}" not in response.get_data(as_text=True).split("<main")[-1]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("cursor=garbage", "cursor"),
        ("cursor=o.garbage", "cursor"),
        ("status=nope", "status"),
        ("limit=0", "limit"),
        ("ward_code=99999999999999999999", "ward_code"),
        ("q=" + "x" * 101, "q"),
    ],
)
def test_a_bad_filter_names_its_field(console, hostile, sxd_staff, query, field):
    console.sign_in(sxd_staff)
    page = console.get(f"{QUEUE}?{query}")
    assert page.status_code == 422
    assert f"<strong>{field}</strong>" in page.get_data(as_text=True)
    answer = console.client.get(f"{QUEUE}?{query}", headers=JSON)
    assert answer.status_code == 422 and field in answer.get_json()["errors"]


def _bomb() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, "PNG")  # 400 Mpx in a few kB
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ([b""], "Not a JPEG"),
        ([b"<svg onload='alert(1)'/>"], "Not a JPEG"),
        ([b"%PDF-1.4 not a photo"], "Not a JPEG"),
        ("bomb", "too many pixels"),
        ("six", "At most 5 photos"),
    ],
)
def test_a_bad_upload_saves_nothing(console, hostile, sxd_staff, files, reason):
    console.sign_in(sxd_staff)
    if files == "bomb":
        files = [jpeg(), _bomb()]  # the good one is discarded with the step
    elif files == "six":
        files = [jpeg()] * 6
    counts = [db.session.scalar(select(func.count()).select_from(t)) for t in (Photo, Event)]
    response = console.post(
        f"{QUEUE}reports/{hostile}/actions",
        data={
            "action": "accept",
            "note": "ok",
            "photos": [(io.BytesIO(data), f"{i}.jpg") for i, data in enumerate(files)],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    page = console.get(f"{QUEUE}reports/{hostile}").get_data(as_text=True)
    assert reason in " ".join(re.findall(r'<p class="flash error">([^<]*)</p>', page))
    db.session.expire_all()
    assert [db.session.scalar(select(func.count()).select_from(t)) for t in (Photo, Event)] == (
        counts
    )
