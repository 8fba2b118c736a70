"""A citizen's report whose title and description are script, in a real browser: no dialog
opens, no script runs (the CSP would log any blocked one as a console error), on the queue,
its map and the report's page."""

from __future__ import annotations

from playwright.sync_api import expect
from smartapp_feedback import FeedbackPlugin
from smartapp_feedback.categories import seed_demo_categories

from smartapp.extensions import db
from smartapp.testing import with_plugins
from tests.console.test_browser import sign_in

SCRIPT = '<script>alert(1)</script>"><img src=x onerror=alert(2)><svg onload=alert(3)>'
pytestmark = with_plugins(FeedbackPlugin)


def test_script_in_a_report_never_runs(live_server, page, checked, admin, citizen, client):
    seed_demo_categories()
    db.session.commit()
    filed = client.post(
        "/api/v1/u/feedback/reports",
        headers=citizen.headers,
        json={
            "category": "road-damage",
            "title": SCRIPT,
            "description": SCRIPT,
            "latitude": 11.3101,
            "longitude": 106.0983,
            "ward_code": 25459,
            "answers": {"size": "large"},
            "photo_ids": [],
            "public": True,
        },
    )
    assert filed.status_code == 201, filed.get_json()
    report_id = filed.get_json()["id"]
    db.session.commit()  # end the test's transaction: the served app writes to SQLite too
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, live_server, admin.account.email)
    for path in ("", "map", f"reports/{report_id}"):
        page.goto(f"{live_server}/admin/u/feedback/{path}")
        if path == "map":  # the title is in the dot's popup, drawn by feedback-map.js
            page.locator("path.leaflet-interactive").first.click(force=True)
            # axe measures contrast: wait for the popup's fade-in to end
            expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")
        expect(page.get_by_text(SCRIPT[:20]).first).to_be_attached()
        checked.check()
    assert dialogs == [] and checked.errors == []
