"""The plugin's staff console pages (``console_pages`` hook): procedures and offices,
searched and retired by staff with ``public-services:manage``, signed in through the form."""

from __future__ import annotations

import re

from flask import g
from smartapp_public_services.models import Office, Procedure
from sqlalchemy import select, update

from smartapp.extensions import db
from smartapp.identity.models import AuditEntry
from smartapp.testing import TEST_PASSWORD

HTML = {"Accept": "text/html"}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def token(client, path="/admin/"):
    g.pop("csrf_token", None)  # Flask-WTF caches it on the test's long-lived app context
    return TOKEN.search(client.get(path, headers=HTML).get_data(as_text=True)).group(1)


def sign_in(client, staff):
    response = client.post(
        "/admin/",
        data={"email": staff.account.email, "password": TEST_PASSWORD, "csrf_token": token(client)},
    )
    assert response.status_code == 303


def test_procedures_page_search_and_retire(client, catalog, make_staff):
    sign_in(
        client,
        make_staff("agency_staff", agency_code="SXD", permissions=["public-services:manage"]),
    )
    assert 'href="/admin/u/public-services/"' in client.get("/admin/").get_data(as_text=True)
    page = client.get("/admin/u/public-services/", headers=HTML).get_data(as_text=True)
    code = db.session.scalars(select(Procedure.code).order_by(Procedure.code)).first()
    db.session.execute(
        update(Procedure).where(Procedure.code == code).values(agency_code="SXD")
    )  # agency staff retire their agency's own
    db.session.commit()
    assert f"<code>{code}</code>" in page and page.count("<h1>") == 1
    found = client.get(f"/admin/u/public-services/procedures?q={code}").get_data(as_text=True)
    assert found.count("<tr>") == 2  # the header and the one procedure
    retired = client.post(
        f"/admin/u/public-services/procedures/{code}/retire",
        data={"csrf_token": token(client)},
        headers=HTML,
    )
    assert retired.status_code == 303
    assert db.session.scalar(select(Procedure.retired_at).where(Procedure.code == code))
    assert client.get(f"/api/v1/u/public-services/procedures/{code}").status_code == 404
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "public-services.procedure.retire")
    ).one()
    assert "@" in entry.actor


def test_offices_page_and_refusals(client, catalog, make_staff, admin):
    sign_in(client, make_staff("communicator"))
    assert client.get("/admin/u/public-services/", headers=HTML).status_code == 403
    sign_in(client, admin)
    office = db.session.scalars(select(Office.code)).first()
    assert office in client.get("/admin/u/public-services/offices").get_data(as_text=True)
    assert (
        client.post(f"/admin/u/public-services/offices/{office}/retire", headers=HTML).status_code
        == 400
    )  # no CSRF token
    missing = client.post(
        "/admin/u/public-services/offices/NOPE/retire",
        headers=HTML,
        data={"csrf_token": token(client)},
    )
    assert missing.status_code == 404
    assert client.get("/admin/u/public-services/bundles", headers=HTML).status_code == 404
    refused = client.get("/admin/u/public-services/offices?cursor=zz", headers=HTML)
    assert refused.status_code == 422 and "cursor" in refused.get_data(as_text=True)
