"""Hostile input on the feedback console: queue queries that would overflow the database or
lack their field's name, script in a citizen's words, and bad photo uploads on a step's form
(each refused with its reason, nothing half-saved)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from smartapp_feedback.models import Event, Photo, Report
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
        ("q=%00", "q"),  # PostgreSQL compares no text holding a NUL
        ("category=a%00", "category"),
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
    (refusal,) = re.findall(r'<p class="flash error">([^<]*)</p>', page)
    assert reason in refusal and "photos: " in refusal  # the form's field, not the API's
    db.session.expire_all()
    assert [db.session.scalar(select(func.count()).select_from(t)) for t in (Photo, Event)] == (
        counts
    )


def _open311(client, api_key, **form):
    body = {"api_key": api_key, "service_code": "road-damage", "description": "Ổ gà", **form}
    return client.post("/open311/v2/requests.json", data={"attribute[size]": "large", **body})


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"address_string": "a\x00b, phường Tân Ninh"}, "address_string"),
        ({"address_string": "phường Tân Ninh", "description": "ổ\x00gà"}, "description"),
        ({"lat": "11.31", "long": "106.09", "first_name": "A\x00"}, "first_name"),
    ],
)
def test_open311_text_no_database_stores_is_a_400(client, api_key, form, field):
    counted = db.session.scalar(select(func.count()).select_from(Report))
    response = _open311(client, api_key, **form)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()[0]["description"].startswith(f"{field}:")
    assert db.session.scalar(select(func.count()).select_from(Report)) == counted


@pytest.mark.parametrize("address", ["z" * 1_000_000, "phường Tân Ninh " * 200])
def test_open311_a_long_address_is_refused_before_it_is_read(client, api_key, address):
    response = _open311(client, api_key, address_string=address)
    assert response.status_code == 400
    assert "address_string: Length must be between 1 and 300." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("", "lat: lat and long, or address_string, are required."),
        ("   ", "Names no ward"),
        ("\u0300\u0301\u0303" * 50, "Names no ward"),
        ("Phường Tân Ninh, Phường Long An", "Names several wards"),
    ],
)
def test_open311_an_address_naming_no_one_ward(client, api_key, address, says):
    response = _open311(client, api_key, address_string=address)
    assert response.status_code == 400 and says in response.get_data(as_text=True)
