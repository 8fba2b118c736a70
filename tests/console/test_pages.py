"""The console's pages over the API's services: plugins, staff, audit log, dashboard, and
CSRF on every POST of the URL map."""

from __future__ import annotations

import json
import re

import pytest
from smartapp_example import ExamplePlugin
from smartapp_public_services import PublicServicesPlugin
from sqlalchemy import select

from smartapp.console.figures import group
from smartapp.extensions import db
from smartapp.identity.models import AuditEntry, Role, Staff
from smartapp.testing import with_plugins

HTML = {"Accept": "text/html"}
pytestmark = with_plugins(ExamplePlugin, PublicServicesPlugin)


def tiles(client):
    return [tile["slug"] for tile in client.get("/api/v1/utilities").get_json()["items"]]


def audit_actions():
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_disabling_a_plugin_removes_its_tile(client, admin, sign_in, post):
    sign_in(admin)
    assert "example" in tiles(client)
    assert post("/admin/plugins/example/enabled", {"enabled": "false"}).status_code == 303
    assert "example" not in tiles(client)
    assert "Đang tắt" in client.get("/admin/plugins").get_data(as_text=True)
    post("/admin/plugins/example/enabled", {"enabled": "true"})
    assert "example" in tiles(client)
    assert audit_actions() == ["plugin.update", "plugin.update"]
    assert db.session.scalars(select(AuditEntry.actor)).first() == admin.account.email


def test_order_by_buttons(client, admin, sign_in, post):
    sign_in(admin)
    assert tiles(client) == ["public-services", "example"]
    post("/admin/plugins/example/move", {"direction": "up"})
    assert tiles(client) == ["example", "public-services"]
    post("/admin/plugins/example/move", {"direction": "up"})  # already first: stays
    assert tiles(client) == ["example", "public-services"]
    post("/admin/plugins/example/move", {"direction": "down"})
    assert tiles(client) == ["public-services", "example"]


def test_order_by_dragging_a_row(client, admin, sign_in, post):
    sign_in(admin)
    page = client.get("/admin/plugins").get_data(as_text=True)
    assert 'data-move="/admin/plugins/example/move"' in page
    assert post("/admin/plugins/example/move", {"offset": "-5"}).status_code == 303
    assert tiles(client) == ["example", "public-services"]
    post("/admin/plugins/example/move", {"offset": "1"})
    assert tiles(client) == ["public-services", "example"]
    for wrong in ("x", "--5", "1e3", "99999999999"):
        assert post("/admin/plugins/example/move", {"offset": wrong}).status_code == 303
    assert "offset: Phải là một số nguyên." in client.get("/admin/plugins").get_data(as_text=True)
    assert tiles(client) == ["public-services", "example"]


def test_ward_pilot_list(client, admin, sign_in, post, make_citizen):
    sign_in(admin)
    post("/admin/plugins/example/wards", {"scope": "wards", "ward_codes": ["25459"]})
    page = client.get("/admin/plugins/example").get_data(as_text=True)
    assert re.search(r'<option value="25459" selected>', page)
    assert "example" not in tiles(client)  # anonymous: whole-province utilities only
    citizen = make_citizen(ward_code=25459)
    items = client.get("/api/v1/utilities", headers=citizen.headers).get_json()["items"]
    assert "example" in [tile["slug"] for tile in items]
    refused = post("/admin/plugins/example/wards", {"scope": "wards", "ward_codes": ["1"]})
    assert refused.status_code == 303
    assert "ward_codes" in client.get("/admin/plugins/example").get_data(as_text=True)
    post("/admin/plugins/example/wards", {"scope": "province"})
    assert "example" in tiles(client)


def test_settings_form_is_generated_from_the_schema(client, admin, sign_in, post):
    sign_in(admin)
    page = client.get("/admin/plugins/example").get_data(as_text=True)
    assert 'name="greeting" value="Xin chào"' in page
    assert re.search(r'name="daily_limit" value="10" step="1" min="1" max="100"', page)
    refused = post("/admin/plugins/example/settings", {"greeting": "Chào", "daily_limit": "500"})
    assert refused.status_code == 422
    assert 'id="setting-daily_limit-help"' in refused.get_data(as_text=True)
    assert client.get("/api/v1/u/example/greeting").get_json() == {"greeting": "Xin chào"}
    saved = post("/admin/plugins/example/settings", {"greeting": "Chào bạn", "daily_limit": "7"})
    assert saved.status_code == 303
    assert client.get("/api/v1/u/example/greeting").get_json() == {"greeting": "Chào bạn"}


def test_an_unknown_plugin_is_a_404_page(client, admin, sign_in):
    sign_in(admin)
    assert client.get("/admin/plugins/nope", headers=HTML).status_code == 404
    assert (
        client.get("/admin/plugins/nope", headers={"Accept": "application/json"}).get_json()["code"]
        == 404
    )


def test_staff_create_change_deactivate(client, admin, sign_in, post):
    sign_in(admin)
    created = post(
        "/admin/staff",
        {
            "email": "Officer@SXD.gov.vn",
            "password": "long enough pw",
            "role": "agency_staff",
            "agency_code": "SXD",
            "permissions": ["public-services:manage"],
        },
    )
    assert created.status_code == 303
    officer = db.session.scalars(select(Staff).where(Staff.email == "officer@sxd.gov.vn")).one()
    assert officer.permissions == ["public-services:manage"]
    changed = post(f"/admin/staff/{officer.id}", {"role": "communicator", "agency_code": ""})
    assert changed.status_code == 303
    db.session.refresh(officer)
    assert officer.role == Role.COMMUNICATOR and officer.agency_code is None
    assert post(f"/admin/staff/{officer.id}/deactivate").status_code == 303
    db.session.refresh(officer)
    assert officer.active is False
    assert audit_actions() == ["staff.create", "staff.change", "staff.change"]  # active: false
    token = client.post(
        "/api/v1/auth/staff/token",
        json={"email": "officer@sxd.gov.vn", "password": "long enough pw"},
    )
    assert token.status_code == 401


@pytest.mark.parametrize(
    "form, field",
    [
        ({"email": "x@staff.test", "password": "short", "role": "admin"}, "new-password-error"),
        ({"email": "bad", "password": "long enough pw", "role": "admin"}, "new-email-error"),
        (
            {"email": "x@staff.test", "password": "long enough pw", "role": "agency_staff"},
            "new-agency-error",
        ),
        ({"email": "x@staff.test", "password": "long enough pw", "role": "king"}, "new-role-error"),
    ],
)
def test_staff_errors_name_the_field_and_store_nothing(client, admin, sign_in, post, form, field):
    sign_in(admin)
    response = post("/admin/staff", form)
    assert response.status_code == 422
    assert f'id="{field}"' in response.get_data(as_text=True)
    assert db.session.scalars(select(Staff.email)).all() == [admin.account.email]
    assert audit_actions() == []


def test_audit_log_filters(client, admin, sign_in, post):
    sign_in(admin)
    post("/admin/plugins/example/enabled", {"enabled": "false"})
    post("/admin/staff", {"email": "a@staff.test", "password": "long enough pw", "role": "admin"})
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "plugin.update" in page and "staff.create" in page
    only_staff = client.get("/admin/audit?action=staff.").get_data(as_text=True)
    assert "staff.create" in only_staff and "plugin.update" not in only_staff
    assert "plugin.update" not in client.get("/admin/audit?until=2000-01-01").get_data(as_text=True)
    assert client.get("/admin/audit?since=yesterday", headers=HTML).status_code == 422
    assert client.get("/admin/audit?cursor=garbage", headers=HTML).status_code == 422


def test_audit_log_pages(client, admin, sign_in, post):
    sign_in(admin)
    for _ in range(3):
        post("/admin/plugins/example/move", {"direction": "up"})
    first = client.get("/admin/audit?limit=2&action=plugin").get_data(as_text=True)
    following = re.search(r'href="(/admin/audit\?cursor=[^"]+)"', first).group(1)
    second = client.get(following.replace("&amp;", "&")).get_data(as_text=True)
    assert second.count("plugin.move") == 1 and "Trang sau" not in second


def test_dashboard_charts_come_from_the_ioc_service(client, admin, sign_in, make_citizen):
    make_citizen()
    sign_in(admin)
    page = client.get("/admin/").get_data(as_text=True)
    assert "<script>" not in page and " style=" not in page  # the CSP allows neither
    charts = [
        json.loads(c.replace("&#34;", '"')) for c in re.findall(r'data-chart="([^"]+)"', page)
    ]
    by_name = {chart["label"]: chart for chart in charts}
    assert by_name["Người dân theo ngôn ngữ"] == {
        "label": "Người dân theo ngôn ngữ",
        "labels": ["vi"],
        "values": [1],
    }
    plugins = by_name["Tiện ích theo trạng thái"]
    assert dict(zip(plugins["labels"], plugins["values"], strict=True))["loaded"] == 2
    assert re.search(r"Người dân đăng ký hôm nay</dt><dd>1<", page)


def test_every_console_post_without_a_csrf_token_is_refused(app, client, admin, sign_in):
    sign_in(admin)
    values = {"slug": "example", "staff_id": admin.account.id, "path": "", "filename": "x"}
    values["campaign_id"] = 1
    posts = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("console.") and "POST" in (rule.methods or ())
    ]
    assert len(posts) >= 10
    for rule in posts:
        path = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        response = client.post(path, data={"enabled": "false"}, headers=HTML)
        assert response.status_code == 400, path
    assert "example" in tiles(client)
    assert audit_actions() == []


def test_figures_of_every_shape():
    shaped = group(
        "x",
        {
            "procedures": 3,
            "ratio": 0.5,
            "flag": True,
            "by_field": {"a": 2},
            "top": [{"query": "cccd", "searches": 4}],
            "text": "skip",
            "nested": {"open": 1, "per_agency": {"SXD": 2}},
            "empty": {},
        },
    )
    assert shaped.numbers == [("procedures", 3), ("ratio", 0.5), ("nested.open", 1)]
    assert [(c.name, c.labels, c.values) for c in shaped.charts] == [
        ("by_field", ["a"], [2]),
        ("top", ["cccd"], [4]),
        ("per_agency", ["SXD"], [2]),
    ]


def test_text_no_database_stores_is_refused(client, admin, sign_in, post):
    sign_in(admin)
    assert post("/admin/plugins/example/settings", {"greeting": "a\x00b"}).status_code == 422
    assert client.get("/api/v1/u/example/greeting").get_json() == {"greeting": "Xin chào"}
