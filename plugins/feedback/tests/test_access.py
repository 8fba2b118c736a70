"""Every object route of the plugin — report, photo, timeline, rating, reopening, follow,
staff steps, moderation, blackout — tried with another citizen's and another agency's
credentials: the report does not exist for them (404), or their kind of account may not
call the route (403). The owner and the handling agency get through."""

from __future__ import annotations

from typing import Any

import pytest

API = "/api/v1/u/feedback"
DENIED = (401, 403, 404)

#: (method, rule as Flask names it, body): one per object route of the plugin
CITIZEN_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/reports/<int:report_id>", None),
    ("GET", "/reports/<int:report_id>/timeline", None),
    ("GET", "/photos/<photo_id>", None),
    ("GET", "/photos/<photo_id>/thumbnail", None),
    ("POST", "/reports/<int:report_id>/rating", {"rating": 5}),
    ("POST", "/reports/<int:report_id>/reopen", {"note": "Chưa sửa."}),
    ("POST", "/reports/<int:report_id>/follow", None),
    ("DELETE", "/reports/<int:report_id>/follow", None),
]
STAFF_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/admin/reports/<int:report_id>", None),
    ("POST", "/admin/reports/<int:report_id>/actions", {"action": "comment", "note": "Đã xem."}),
    ("POST", "/admin/reports/<int:report_id>/moderation", {"action": "hide", "reason": "x"}),
    ("GET", "/admin/reports/<int:report_id>/moderation", None),
    (
        "POST",
        "/admin/photos/<photo_id>/blackout",
        {"box": {"left": 0, "top": 0, "right": 8, "bottom": 8}},
    ),
]
#: citizen routes staff may call too: reading a report, its timeline and photos (then as
#: staff, for their agency's reports only); the others are a citizen's own (403 for staff)
READ_BY_STAFF = {
    "/reports/<int:report_id>",
    "/reports/<int:report_id>/timeline",
    "/photos/<photo_id>",
    "/photos/<photo_id>/thumbnail",
}


def test_every_object_route_is_in_this_matrix(app):
    routes = {
        (method, rule.rule.removeprefix(API))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("smartapp_feedback.")
        and {"report_id", "photo_id"} & rule.arguments
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == {(m, r) for m, r, _ in CITIZEN_ROUTES + STAFF_ROUTES}


def _call(client: Any, who: Any, route: tuple[str, str, Any], report: dict[str, Any]) -> int:
    method, rule, body = route
    path = rule.replace("<int:report_id>", str(report["id"]))
    path = path.replace("<photo_id>", report["photos"][0]["id"])
    headers = who.headers if who is not None else {}
    status: int = client.open(API + path, method=method, json=body, headers=headers).status_code
    return status


@pytest.fixture
def private_report(client, citizen, submit) -> dict[str, Any]:
    """The citizen's report, not public, handled by SXD (roads), with one photo."""
    report: dict[str, Any] = submit(citizen, public=False).get_json()
    return report


def test_another_citizen_and_another_agency_reach_nothing(
    client, citizen, make_citizen, sxd_staff, other_agency_staff, private_report
):
    other = make_citizen("+84912000002")
    for route in CITIZEN_ROUTES:
        assert _call(client, other, route, private_report) == 404, route
        wrong_kind = 404 if route[1] in READ_BY_STAFF else 403
        assert _call(client, other_agency_staff, route, private_report) == wrong_kind, route
        assert _call(client, None, route, private_report) in (401, 404), route
    for route in STAFF_ROUTES:
        assert _call(client, other_agency_staff, route, private_report) == 404, route
        assert _call(client, other, route, private_report) == 403, route
        assert _call(client, citizen, route, private_report) == 403, route
        assert _call(client, None, route, private_report) == 401, route
    # none of those calls changed anything
    seen = client.get(f"{API}/admin/reports/{private_report['id']}", headers=sxd_staff.headers)
    assert [e["action"] for e in seen.get_json()["timeline"]] == ["received"]
    assert seen.get_json()["hidden"] is False and seen.get_json()["followers_count"] == 0
    history = f"{API}/admin/reports/{private_report['id']}/moderation"
    assert client.get(history, headers=sxd_staff.headers).get_json() == []

    # the owner and the handling agency get through (a 409 is a step refused, not access)
    for route in CITIZEN_ROUTES:
        assert _call(client, citizen, route, private_report) not in DENIED, route
    for route in STAFF_ROUTES:
        assert _call(client, sxd_staff, route, private_report) not in DENIED, route


def test_a_public_report_is_readable_by_all_but_rated_and_reopened_by_its_reporter(
    client, citizen, make_citizen, submit
):
    report = submit(citizen).get_json()
    other = make_citizen("+84912000002")
    for rule in ("/reports/<int:report_id>", "/reports/<int:report_id>/timeline"):
        assert _call(client, other, ("GET", rule, None), report) == 200
    for route in CITIZEN_ROUTES[4:6]:  # rating, reopening
        assert _call(client, other, route, report) == 404, route
