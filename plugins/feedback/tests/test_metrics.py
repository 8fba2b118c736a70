"""The IOC's figures."""

from __future__ import annotations

from datetime import timedelta

from smartapp_feedback.models import Report

from smartapp.plugin import db

API = "/api/v1/u/feedback"


def test_ioc_metrics(client, admin, citizen, submit, sxd_staff, upload):
    first = submit(citizen).get_json()["id"]
    submit(
        citizen, category="rubbish", answers={}, ward_code=27694, latitude=10.54, longitude=106.41
    )
    late = submit(citizen).get_json()["id"]
    for action in ("accept", "assign", "start"):
        client.post(
            f"{API}/admin/reports/{first}/actions",
            json={"action": action},
            headers=sxd_staff.headers,
        )
    photo = upload(sxd_staff, path="/admin/photos").get_json()["id"]
    client.post(
        f"{API}/admin/reports/{first}/actions",
        headers=sxd_staff.headers,
        json={"action": "resolve", "note": "Xong", "photo_ids": [photo]},
    )
    client.post(f"{API}/reports/{first}/rating", json={"rating": 4}, headers=citizen.headers)
    report = db.session.get(Report, late)
    report.acknowledge_due_at -= timedelta(days=30)
    report.resolve_due_at -= timedelta(days=30)
    db.session.commit()

    response = client.get("/api/v1/ioc/metrics", headers=admin.headers)
    assert response.status_code == 200
    figures = response.get_json()["utilities"]["feedback"]
    assert figures["reports"] == 3
    assert figures["by_status"] == {"resolved": 1, "received": 2}
    assert figures["by_category"] == {"road-damage": 2, "rubbish": 1}
    assert figures["by_ward"] == {"25459": 2, "27694": 1}
    assert figures["overdue"] == 1
    assert figures["satisfaction"] == {"average": 4.0, "ratings": 1}
    assert figures["median_hours_to_acknowledge"] is not None
    assert figures["median_hours_to_resolve"] >= 0
    assert figures["agencies"]["SXD"] == {
        "reports": 2,
        "processed": 1,
        "processing_rate": 0.5,
        "resolved_on_time": 1,
    }
    assert "+849" not in response.get_data(as_text=True)
