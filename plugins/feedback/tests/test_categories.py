"""Categories: administrators manage them, citizens read them in their language."""

from __future__ import annotations

from smartapp_feedback.categories import seed_demo_categories
from smartapp_feedback.models import Category
from sqlalchemy import func, select

from smartapp.plugin import db

API = "/api/v1/u/feedback"


NEW = {
    "code": "tree-fallen",
    "name": {"vi": "Cây đổ", "en": "Fallen tree"},
    "agency_code": "SXD",
    "priority": "urgent",
    "resolve_hours": 4,
    "questions": [
        {
            "code": "blocks_road",
            "datatype": "singlevaluelist",
            "description": {"vi": "Chắn đường?"},
            "values": [
                {"key": "yes", "name": {"vi": "Có"}},
                {"key": "no", "name": {"vi": "Không"}},
            ],
        }
    ],
}


def test_citizens_read_active_categories_in_their_language(client, demo_categories):
    vi = client.get(f"{API}/categories").get_json()
    en = client.get(f"{API}/categories", headers={"Accept-Language": "en"}).get_json()
    road = next(c for c in vi if c["code"] == "road-damage")
    assert road["name"] == "Hư hỏng đường, cầu, vỉa hè"
    assert next(c for c in en if c["code"] == "road-damage")["name"].startswith("Damaged")
    assert road["questions"][0]["values"][0] == {"key": "small", "name": "Nhỏ (dưới 1 m)"}
    fire = next(c for c in vi if c["code"] == "fire-rescue")
    assert fire["hotline"] == "114" and vi[0]["code"] == "fire-rescue"  # emergencies first


def test_seeding_twice_adds_nothing(app, demo_categories):
    seed_demo_categories()
    db.session.commit()
    assert db.session.scalar(select(func.count(Category.id))) == 10


def test_admin_creates_updates_and_retires(client, admin):
    created = client.post(f"{API}/admin/categories", json=NEW, headers=admin.headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["name"] == {"vi": "Cây đổ", "en": "Fallen tree"}
    again = client.post(f"{API}/admin/categories", json=NEW, headers=admin.headers)
    assert again.status_code == 409 and "code" in again.get_json()["errors"]
    changed = client.patch(
        f"{API}/admin/categories/tree-fallen",
        json={"active": False, "agency_code": "SNNMT"},
        headers=admin.headers,
    )
    assert changed.status_code == 200 and changed.get_json()["agency_code"] == "SNNMT"
    assert all(c["code"] != "tree-fallen" for c in client.get(f"{API}/categories").get_json())
    listed = client.get(f"{API}/admin/categories", headers=admin.headers).get_json()
    assert [c["code"] for c in listed] == ["tree-fallen"]


def test_bad_categories_name_the_field(client, admin):
    cases = [
        ({"questions": [{**NEW["questions"][0], "values": []}]}, "questions"),
        ({"questions": [{**NEW["questions"][0], "datatype": "colour"}]}, "questions"),
        ({"name": {"en": "Fallen tree"}}, "name"),
        ({"priority": "whenever"}, "priority"),
        ({"code": "Tree Fallen"}, "code"),
        ({"hotline": "call us"}, "hotline"),
    ]
    for change, field in cases:
        response = client.post(
            f"{API}/admin/categories", json={**NEW, **change}, headers=admin.headers
        )
        assert response.status_code == 422, change
        assert field in response.get_json()["errors"], response.get_json()
    unknown = client.patch(f"{API}/admin/categories/nothing", json={}, headers=admin.headers)
    assert unknown.status_code == 404


def test_only_admins_manage_categories(client, citizen, sxd_staff):
    assert client.post(f"{API}/admin/categories", json=NEW).status_code == 401
    assert (
        client.post(f"{API}/admin/categories", json=NEW, headers=citizen.headers).status_code == 403
    )
    assert (
        client.post(f"{API}/admin/categories", json=NEW, headers=sxd_staff.headers).status_code
        == 403
    )
