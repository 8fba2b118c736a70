"""Procedures looked up, for the monthly report (the ``monthly_report`` hook)."""

from __future__ import annotations

from datetime import timedelta

from smartapp_public_services import PublicServicesPlugin, lookups
from smartapp_public_services.models import Lookup, LookupClient, Procedure
from sqlalchemy import func, select

from smartapp.plugin import db, utcnow

PROCEDURES = "/api/v1/u/public-services/procedures"


def _open(client, code: str, address: str) -> None:
    response = client.get(f"{PROCEDURES}/{code}", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 200


def _figures(start, end) -> dict:
    rows = PublicServicesPlugin().monthly_report(month_start=start, month_end=end)
    assert {row.key for row in rows} == {"lookups"}
    assert {row.label["vi"] for row in rows} == {"Lượt tra cứu thủ tục"}
    return {row.agency_code: row.value for row in rows}


def test_lookups_per_managing_agency_once_per_client_and_day(client, catalog):
    first, second, *_ = db.session.scalars(select(Procedure).order_by(Procedure.code)).all()
    first.agency_code = "CAT"
    db.session.commit()
    first_code, second_code = first.code, second.code
    for address in ("10.0.0.1", "10.0.0.1", "10.0.0.2"):  # the same client twice: once
        _open(client, first_code, address)
    _open(client, second_code, "10.0.0.1")
    assert client.get(f"{PROCEDURES}/missing").status_code == 404

    now = utcnow()
    figures = _figures(now - timedelta(days=1), now + timedelta(hours=1))
    assert figures == {"CAT": 2, None: 1}
    # another month: every managing agency still has its line, at zero
    assert _figures(now - timedelta(days=60), now - timedelta(days=30)) == {"CAT": 0, None: 0}
    assert db.session.scalar(select(func.sum(Lookup.lookups))) == 3


def test_yesterdays_client_digests_are_pruned(client, catalog, monkeypatch):
    code = db.session.scalars(select(Procedure.code)).first()
    procedure_id = db.session.scalars(select(Procedure.id)).first()
    db.session.add(
        LookupClient(day=utcnow().date() - timedelta(days=1), procedure_id=procedure_id, client="x")
    )
    db.session.commit()
    monkeypatch.setattr(lookups, "_pruned_on", None)  # as in a new process
    _open(client, code, "10.0.0.9")
    days = db.session.scalars(select(LookupClient.day)).all()
    assert days == [utcnow().date()]
