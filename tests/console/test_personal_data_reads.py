"""The console's pages that show personal data are audited like the API, and the audit
page lists who looked at whose data, by citizen and by staff member."""

from __future__ import annotations

from smartapp.testing import with_plugins
from tests.test_personal_data_reads import ContactsPlugin

HTML = {"Accept": "text/html"}


@with_plugins(ContactsPlugin)
def test_console_reads_are_listed_on_the_audit_page(
    client, admin, make_staff, make_citizen, sign_in
):
    one, two = make_citizen("+84912000021"), make_citizen("+84912000022")
    viewer = make_staff("agency_staff", agency_code="SXD")
    sign_in(viewer)
    page = client.get(f"/admin/u/contacts/cards/{one.account.id}", headers=HTML)
    assert page.status_code == 200 and "+84912000021" in page.get_data(as_text=True)
    sign_in(admin)
    assert client.get(f"/admin/u/contacts/cards/{two.account.id}", headers=HTML).status_code == 200

    audit = client.get("/admin/audit", headers=HTML).get_data(as_text=True)
    assert "/admin/audit?action=personal_data.read" in audit  # the shortcut
    assert "+84912000021" not in audit and "+84912000022" not in audit  # never the values
    by_citizen = client.get(f"/admin/audit?citizen_id={one.account.id}", headers=HTML)
    text = by_citizen.get_data(as_text=True)
    assert viewer.account.email in text and admin.account.email not in text.split("<table")[1]
    by_staff = client.get(
        f"/admin/audit?action=personal_data.read&staff_id={admin.account.id}", headers=HTML
    ).get_data(as_text=True)
    assert f"citizen {two.account.id}" in by_staff and f"citizen {one.account.id}" not in by_staff
    assert client.get("/admin/audit?citizen_id=someone", headers=HTML).status_code == 422
