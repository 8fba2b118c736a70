"""Staff reading who filed a report (name, phone, e-mail) is in the audit log, with the
report's privacy level; the reporter reading their own report, and staff who are not told
who filed a confidential one, leave no entry."""

from __future__ import annotations

from smartapp_feedback.models import Report
from sqlalchemy import select

from smartapp.plugin import db

API = "/api/v1/u/feedback"
READS = "/api/v1/admin/audit/personal-data"


def _reads(client, admin, **args) -> list[dict]:
    response = client.get(READS, query_string=args, headers=admin.headers)
    assert response.status_code == 200, response.json
    return response.json["items"]


def test_staff_reads_of_reporters_are_audited(
    client, make_citizen, submit, sxd_staff, other_agency_staff, admin
):
    reporter = make_citizen(display_name="Trần Thị B")
    hidden = submit(reporter, photos=0).get_json()["id"]
    secret = submit(reporter, photos=0, privacy="confidential").get_json()["id"]
    assert client.get(f"{API}/reports/{hidden}", headers=reporter.headers).status_code == 200
    assert _reads(client, admin) == []  # the reporter reading their own report

    detail = client.get(f"{API}/admin/reports/{hidden}", headers=sxd_staff.headers)
    assert detail.json["reporter"]["phone"] == "+84912000001"
    assert (
        client.get(f"{API}/admin/reports/{secret}", headers=sxd_staff.headers).json["reporter"]
        is None
    )  # the agency is not told who filed a confidential report: nothing to record
    assert (
        client.get(f"{API}/admin/reports/{hidden}", headers=other_agency_staff.headers).status_code
        == 404
    )
    (entry,) = _reads(client, admin)
    assert entry["staff_id"] == sxd_staff.account.id
    assert (entry["object_type"], entry["object_id"]) == ("citizen", str(reporter.account.id))
    assert entry["details"] == {
        "fields": ["name", "phone"],
        "source": "feedback.report",
        "source_id": str(hidden),
        "privacy": "hidden",
    }

    # a coordinator reads the confidential report; a list shows each report's reporter
    assert client.get(f"{API}/admin/reports/{secret}", headers=admin.headers).status_code == 200
    listed = client.get(f"{API}/admin/reports", headers=sxd_staff.headers)
    assert listed.status_code == 200 and len(listed.json["items"]) == 2
    by_admin = _reads(client, admin, staff_id=admin.account.id)
    assert [(e["details"]["source_id"], e["details"]["privacy"]) for e in by_admin] == [
        (str(secret), "confidential")
    ]
    by_agency = _reads(client, admin, staff_id=sxd_staff.account.id)
    assert sorted(e["details"]["source_id"] for e in by_agency) == sorted([str(hidden)] * 2)
    assert len(_reads(client, admin, citizen_id=reporter.account.id)) == 3


def test_a_reporter_without_an_account_is_named_by_the_report(
    client, submit, citizen, sxd_staff, admin
):
    report_id = submit(citizen, photos=0).get_json()["id"]
    report = db.session.scalars(select(Report).where(Report.id == report_id)).one()
    report.citizen_id = None  # as an Open311 client's report: a name and a phone, no account
    db.session.commit()
    assert (
        client.get(f"{API}/admin/reports/{report_id}", headers=sxd_staff.headers).status_code == 200
    )
    (entry,) = _reads(client, admin)
    assert (entry["object_type"], entry["object_id"]) == ("feedback.report", str(report_id))
