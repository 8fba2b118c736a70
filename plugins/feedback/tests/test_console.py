"""The feedback console pages: an agency's queue, its map, a report's page with the workflow
and moderation forms — each with the right and the wrong agency and role, and without the
CSRF token."""

from __future__ import annotations

import io
import json
import random
import re
from datetime import timedelta

import pytest
from PIL import Image
from smartapp_feedback.models import Event, Photo, Report
from sqlalchemy import select, update

from smartapp.plugin import db, utcnow

QUEUE = "/admin/u/feedback/"


def report_url(report_id: int, tail: str = "") -> str:
    return f"{QUEUE}reports/{report_id}{tail}"


def jpeg(size: tuple[int, int] = (64, 48), colour: str = "green") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


def flashes(response) -> list[str]:
    return re.findall(r'<p class="flash \w+">([^<]*)</p>', response.get_data(as_text=True))


@pytest.fixture
def filed(submit, citizen):
    """Three reports to the construction department (SXD): a, b, c; c is overdue."""

    def one(title):
        response = submit(citizen, title=title)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    ids = [one(title) for title in ("Ổ gà đường Trưng Nữ Vương", "Đèn đường hỏng", "Ngập nước")]
    past = utcnow() - timedelta(hours=1)
    db.session.execute(
        update(Report)
        .where(Report.id == ids[2])
        .values(acknowledge_due_at=past, resolve_due_at=past)
    )
    db.session.commit()
    return ids


def test_queue_overdue_first_filters_and_pages(console, filed, sxd_staff):
    console.sign_in(sxd_staff)
    home = console.get("/admin/").get_data(as_text=True)
    assert f'href="{QUEUE}"' in home and f'href="{QUEUE}map"' in home  # in the menu
    page = console.get(QUEUE).get_data(as_text=True)
    assert page.count("<h1>") == 1
    rows = re.findall(r'<tr( class="overdue")?>\s*<td>#(\d+)</td>', page)
    assert [int(number) for _, number in rows] == [filed[2], filed[0], filed[1]]
    assert rows[0][0] and not rows[1][0]  # the overdue one is marked
    for query, expected in (
        ("overdue=true", [filed[2]]),
        ("q=hỏng", [filed[1]]),
        ("q=TRƯNG", [filed[0]]),
        ("q=đèn", [filed[1]]),  # "Đèn": a capital beyond ASCII, on SQLite too
        (f"q={filed[0]}", [filed[0]]),
        ("status=received&category=road-damage&ward_code=25459", filed),
        ("status=closed", []),
        ("category=flooding", []),
    ):
        shown = console.get(f"{QUEUE}?{query}").get_data(as_text=True)
        found = [int(n) for n in re.findall(r"<td>#(\d+)</td>", shown)]
        assert sorted(found) == sorted(expected), query

    seen, cursor = [], None
    while True:  # one report a page: the overdue list, then the others
        url = f"{QUEUE}?limit=1" + (f"&cursor={cursor}" if cursor else "")
        shown = console.get(url).get_data(as_text=True)
        seen += [int(n) for n in re.findall(r"<td>#(\d+)</td>", shown)]
        match = re.search(r'href="[^"]*cursor=([^"&]+)[^"]*">Trang sau', shown)
        if not match:
            break
        cursor = match.group(1)
    assert seen == [filed[2], filed[0], filed[1]]
    for bad in ("cursor=zz", "cursor=o.zz", "status=lost", "ward_code=1"):
        assert console.get(f"{QUEUE}?{bad}").status_code == 422, bad


def test_each_agency_sees_its_own_and_others_are_refused(
    console, filed, other_agency_staff, make_staff, admin
):
    console.sign_in(other_agency_staff)
    assert "<td>#" not in console.get(QUEUE).get_data(as_text=True)
    assert 'data-features="[]"' in console.get(f"{QUEUE}map").get_data(as_text=True)
    assert console.get(report_url(filed[0])).status_code == 404
    for path, data in (
        (report_url(filed[0], "/actions"), {"action": "accept"}),
        (report_url(filed[0], "/moderation"), {"action": "hide"}),
    ):
        assert console.post(path, data).status_code == 404, path
    assert db.session.get(Report, filed[0]).status == "received"

    console.sign_in(make_staff("communicator"))
    for path in (QUEUE, f"{QUEUE}map", report_url(filed[0])):
        assert console.get(path).status_code == 403, path
    assert f'href="{QUEUE}"' not in console.get("/admin/").get_data(as_text=True)
    assert console.post(report_url(filed[0], "/actions"), {"action": "accept"}).status_code == 403

    coordinator = make_staff("communicator", permissions=["feedback:coordinate"])
    console.sign_in(coordinator)  # the province's coordinators see every agency's
    assert f"<td>#{filed[0]}</td>" in console.get(QUEUE).get_data(as_text=True)

    console.sign_in(admin)  # every agency's, with the agency column and filter
    page = console.get(f"{QUEUE}?agency_code=SXD").get_data(as_text=True)
    assert all(f"<td>#{number}</td>" in page for number in filed)
    assert 'id="filter-agency"' in page


def test_the_map_page(console, filed, sxd_staff, admin, client):
    """The map's reports are the queue's; the libraries are served by the app."""
    console.sign_in(sxd_staff)
    page = console.get(f"{QUEUE}map?overdue=true").get_data(as_text=True)
    features = json.loads(
        re.search(r'data-features="([^"]+)"', page).group(1).replace("&#34;", '"')
    )
    assert [f["id"] for f in features] == [filed[2]] and features[0]["overdue"] is True
    assert 'data-tiles=""' in page  # no tile server: no request leaves the office
    boosted = console.get(f"{QUEUE}map?q=x", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert boosted.status_code == 204 and boosted.headers["HX-Redirect"] == f"{QUEUE}map?q=x"
    script = client.get(f"{QUEUE}static/vendor/leaflet.js")
    assert script.status_code == 200 and b'version="1.9.4"' in script.data
    assert client.get(f"{QUEUE}static/feedback-map.js").status_code == 200

    def set_tiles(url):
        return client.put(
            "/api/v1/admin/plugins/feedback/settings",
            headers=admin.headers,
            json={"map_tile_url": url},
        )

    refused = set_tiles("https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    assert refused.status_code == 422  # another origin: the console's CSP would block it
    assert "map_tile_url" in refused.get_json()["errors"]
    assert set_tiles("/tiles/{z}/{x}/{y}.png").status_code == 200
    assert 'data-tiles="/tiles/{z}/{x}/{y}.png"' in console.get(f"{QUEUE}map").get_data(
        as_text=True
    )


def test_triage_from_received_to_closed_with_photos(console, filed, sxd_staff):
    console.sign_in(sxd_staff)
    number = filed[0]
    act = report_url(number, "/actions")

    def step(data, **kwargs):
        response = console.post(act, data, **kwargs)
        assert response.status_code == 303, response.get_data(as_text=True)
        return console.get(report_url(number))

    refused = step({"action": "close"})  # received → closed is not a step
    assert flashes(refused) == [
        "Không thực hiện được: Cannot close a report that is received. "
        "action: Allowed from: resolved, rejected."
    ]
    assert db.session.get(Report, number).status == "received"
    page = step({"action": "accept", "note": "Đã tiếp nhận"}).get_data(as_text=True)
    assert "Đã lưu" in page and 'id="step-assign-title"' in page
    assert 'id="step-accept-title"' not in page  # only the steps the status allows
    step({"action": "assign"})
    step({"action": "start"})
    no_photo = step({"action": "resolve", "note": "Đã vá xong"})
    assert "photo_ids: A photo of the result is required." in flashes(no_photo)[0]
    assert db.session.get(Report, number).status == "in_progress"
    photos_before = db.session.scalar(select(db.func.count()).select_from(Photo))
    bad = step(
        {"action": "resolve", "note": "Đã vá xong", "photos": (io.BytesIO(b"no image"), "a.jpg")},
        content_type="multipart/form-data",
    )
    assert "photos: " in flashes(bad)[0]
    assert db.session.scalar(select(db.func.count()).select_from(Photo)) == photos_before

    # a photo bigger than the app's 1 MB body limit: the page takes uploads up to 20 MB
    noisy = io.BytesIO()
    Image.frombytes("RGB", (800, 800), random.Random(1).randbytes(800 * 800 * 3)).save(noisy, "PNG")
    assert noisy.tell() > 1024 * 1024
    resolved = step(
        {
            "action": "resolve",
            "note": "Đã vá xong ổ gà",
            "photos": [
                (io.BytesIO(jpeg()), "ket-qua.jpg"),
                (io.BytesIO(noisy.getvalue()), "b.png"),
            ],
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    report = db.session.get(Report, number)
    db.session.refresh(report)
    assert report.status == "resolved" and report.answer == "Đã vá xong ổ gà"
    event = db.session.scalars(
        select(Event).where(Event.report_id == number, Event.action == "resolve")
    ).one()
    attached = db.session.scalars(select(Photo).where(Photo.event_id == event.id)).all()
    assert len(attached) == 2
    thumbnail = f"{QUEUE}photos/{attached[0].id}/thumbnail"
    assert f'src="{thumbnail}"' in resolved and "Đã vá xong ổ gà" in resolved
    served = console.get(thumbnail)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.data.startswith(b"\xff\xd8")
    step({"action": "close"})
    db.session.refresh(report)
    assert report.status == "closed" and report.closed_at is not None


def test_place_a_report_filed_by_address_alone(console, filed, sxd_staff):
    number = filed[1]
    db.session.execute(
        update(Report).where(Report.id == number).values(latitude=None, longitude=None)
    )
    db.session.commit()
    console.sign_in(sxd_staff)
    located = console.get(report_url(filed[0])).get_data(as_text=True)
    assert 'id="step-place-title"' not in located  # only reports without a place offer it
    page = console.get(report_url(number)).get_data(as_text=True)
    assert 'id="step-place-title"' in page
    outside = console.post(
        report_url(number, "/actions"),
        {"action": "place", "latitude": "21.03", "longitude": "105.85"},
    )
    assert outside.status_code == 303 and db.session.get(Report, number).latitude is None
    assert "latitude" in " ".join(flashes(console.get(report_url(number))))
    placed = console.post(
        report_url(number, "/actions"),
        {"action": "place", "latitude": "11.31", "longitude": "106.1"},
    )
    assert placed.status_code == 303
    db.session.expire_all()
    report = db.session.get(Report, number)
    assert (report.latitude, report.longitude) == (11.31, 106.1)
    assert 'id="step-place-title"' not in console.get(report_url(number)).get_data(as_text=True)


def test_reject_move_and_merge(console, filed, sxd_staff, other_agency_staff):
    console.sign_in(sxd_staff)
    first, second, third = filed
    without_reason = console.post(report_url(first, "/actions"), {"action": "reject"})
    assert without_reason.status_code == 303
    assert "note: Required for this action." in flashes(console.get(report_url(first)))[0]
    console.post(
        report_url(first, "/actions"), {"action": "reject", "note": "Không thuộc thẩm quyền"}
    )
    assert db.session.get(Report, first).status == "rejected"

    offered = console.get(report_url(third)).get_data(as_text=True)  # the categories' agencies
    assert '<option value="SNNMT"></option>' in offered and 'list="agency-codes"' in offered
    console.post(report_url(third, "/actions"), {"action": "move", "agency_code": "SNNMT"})
    db.session.expire_all()
    assert db.session.get(Report, third).agency_code == "SNNMT"
    assert console.get(report_url(third)).status_code == 404  # no longer SXD's

    merge = report_url(second, "/actions")
    console.post(merge, {"action": "merge", "duplicate_of": third})  # another agency's now
    assert "không có phản ánh này trong phạm vi" in flashes(console.get(report_url(second)))[0]
    console.post(merge, {"action": "merge", "duplicate_of": 999})
    assert "duplicate_of: Not a report" in flashes(console.get(report_url(second)))[0]
    console.post(merge, {"action": "merge", "duplicate_of": first})
    db.session.expire_all()
    assert db.session.get(Report, second).duplicate_of_id == first
    assert "đã được gộp vào" in console.get(report_url(second)).get_data(as_text=True)
    assert console.post(merge, {"action": "accept"}).status_code == 303
    assert "merged into another" in flashes(console.get(report_url(second)))[0]

    console.sign_in(other_agency_staff)
    assert console.get(report_url(third)).status_code == 200


def test_moderation_keeps_the_originals(console, filed, sxd_staff, other_agency_staff):
    console.sign_in(sxd_staff)
    number = filed[0]
    moderate = report_url(number, "/moderation")
    assert console.post(moderate, {"action": "hide", "reason": "Lộ biển số"}).status_code == 303
    assert db.session.get(Report, number).hidden is True
    console.post(
        moderate,
        {
            "action": "redact",
            "title": "Ổ gà đường [đã biên tập]",
            "description": "Ổ gà sâu, xe máy dễ té.",  # unchanged: not redacted
            "reason": "Tên riêng",
        },
    )
    db.session.expire_all()
    assert db.session.get(Report, number).title == "Ổ gà đường [đã biên tập]"
    nothing = console.post(moderate, {"action": "redact", "title": "Ổ gà đường [đã biên tập]"})
    assert nothing.status_code == 303  # nothing changed: the service's reason, flashed
    page = console.get(report_url(number))
    assert "Give the redacted title or description." in flashes(page)[0]
    text = page.get_data(as_text=True)
    assert "Ổ gà đường Trưng Nữ Vương" in text  # the history keeps what was there

    photo = db.session.scalars(select(Photo).where(Photo.report_id == number)).first()
    blackout = f"{QUEUE}photos/{photo.id}/blackout"
    outside = {"left": 0, "top": 0, "right": photo.width + 1, "bottom": 10}
    console.post(blackout, outside)
    assert "box:" in flashes(console.get(report_url(number)))[0]
    box = {"left": 0, "top": 0, "right": 32, "bottom": 24, "reason": "Khuôn mặt"}
    assert console.post(blackout, box).status_code == 303
    db.session.expire_all()
    photo = db.session.get(Photo, photo.id)
    assert photo.original_key is not None
    edited = Image.open(io.BytesIO(console.get(f"{QUEUE}photos/{photo.id}/full").data))
    original = Image.open(io.BytesIO(console.get(f"{QUEUE}photos/{photo.id}/full?original=1").data))
    assert edited.getpixel((5, 5)) == (0, 0, 0) and original.getpixel((5, 5)) != (0, 0, 0)
    assert "?original=1" in console.get(report_url(number)).get_data(as_text=True)

    console.sign_in(other_agency_staff)
    assert console.post(blackout, box).status_code == 404
    assert console.get(f"{QUEUE}photos/{photo.id}/full").status_code == 404


def test_every_post_needs_the_csrf_token(console, filed, sxd_staff):
    console.sign_in(sxd_staff)
    photo = db.session.scalars(select(Photo).where(Photo.report_id == filed[0])).first()
    for path, data in (
        (report_url(filed[0], "/actions"), {"action": "accept"}),
        (report_url(filed[0], "/moderation"), {"action": "hide"}),
        (f"{QUEUE}photos/{photo.id}/blackout", {"left": 0, "top": 0, "right": 5, "bottom": 5}),
    ):
        assert console.post(path, data, csrf=False).status_code == 400, path
    report = db.session.get(Report, filed[0])
    assert report.status == "received" and report.hidden is False and photo.original_key is None


def test_a_confidential_reporter_is_shown_to_coordinators_only(
    console, submit, citizen, sxd_staff, admin
):
    number = submit(citizen, privacy="confidential").get_json()["id"]
    console.sign_in(sxd_staff)
    page = console.get(report_url(number)).get_data(as_text=True)
    assert "Bảo mật: chỉ điều phối viên" in page and citizen.account.phone_number not in page
    console.post("/admin/language", {"language": "en"})  # the console's language, not the API's
    console.post(report_url(number, "/actions"), {"action": "close"})  # not a step yet
    english = console.get(report_url(number))
    assert "Confidential: known to the province" in english.get_data(as_text=True)
    assert flashes(english)[0].startswith("Not done: Cannot close a report that is received.")
    assert "<dd>Received</dd>" in english.get_data(as_text=True)
    console.sign_in(admin)
    assert citizen.account.phone_number in console.get(report_url(number)).get_data(as_text=True)
