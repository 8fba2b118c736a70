"""Procedures looked up: each client's first opening of a procedure in a day is counted, by
hour, for the monthly report's "procedures looked up" per managing agency (the
``monthly_report`` hook). As with the search log, the same client opening the same
procedure again that day counts once, so no one client can inflate an agency's figure.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, func, select

from smartapp.plugin import MonthlyFigure, db, utcnow

from .models import Lookup, LookupClient, Procedure
from .searchlog import client_digest, insert_for

LABEL = {"vi": "Lượt tra cứu thủ tục", "en": "Procedures looked up"}
UNIT = {"vi": "lượt", "en": "lookups"}

_pruned_on: date | None = None


def record_lookup(procedure: Procedure) -> None:
    """Count this client's opening of ``procedure`` (once a day); committed at once."""
    global _pruned_on
    now = utcnow()
    today = now.date()
    client = client_digest(today)
    procedure_id = procedure.id
    db.session.commit()  # end the read first, as the search log does (SQLite's write lock)
    insert = insert_for(db.session.get_bind().dialect.name)
    first = db.session.scalar(
        insert(LookupClient)
        .values(day=today, procedure_id=procedure_id, client=client)
        .on_conflict_do_nothing()
        .returning(LookupClient.client)
    )
    if first is not None:
        hour = now.replace(minute=0, second=0, microsecond=0)
        statement = insert(Lookup).values(hour=hour, procedure_id=procedure_id, lookups=1)
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=[Lookup.hour, Lookup.procedure_id],
                set_={"lookups": Lookup.lookups + 1},
            )
        )
    if _pruned_on != today:  # only today's digests are needed to count once a day
        db.session.execute(delete(LookupClient).where(LookupClient.day < today))
        _pruned_on = today
    db.session.commit()


def monthly_figures(start: datetime, end: datetime) -> list[MonthlyFigure]:
    """Lookups in the month per managing agency (``None``: the province's procedures),
    retired procedures included: they were looked up while in service."""
    rows = db.session.execute(
        select(Procedure.agency_code, func.sum(Lookup.lookups))
        .join(Procedure, Procedure.id == Lookup.procedure_id)
        .where(Lookup.hour >= start, Lookup.hour < end)
        .group_by(Procedure.agency_code)
    )
    counts = {agency: int(total) for agency, total in rows}
    managing = select(Procedure.agency_code).where(Procedure.retired_at.is_(None)).distinct()
    for agency in db.session.scalars(managing):
        counts.setdefault(agency, 0)
    return [
        MonthlyFigure(agency_code=agency, key="lookups", label=LABEL, value=total, unit=UNIT)
        for agency, total in sorted(counts.items(), key=lambda item: item[0] or "")
    ]
