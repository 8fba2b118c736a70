"""Figures for the provincial operations centre (the ``ioc_metrics`` hook)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from smartapp.plugin import db

from ..models import FeeAccount, Place, PlaceMethod, QRCount


def ioc_figures() -> dict[str, Any]:
    """Listed places by ward, category and method (demo places apart), and the VietQR codes
    generated per agency and month."""
    real = Place.retired_at.is_(None) & Place.demo.is_(False)

    def count_by(column: Any, *joins: Any) -> dict[Any, int]:
        statement = select(column, func.count(func.distinct(Place.id))).select_from(Place)
        for target in joins:
            statement = statement.join(target)
        rows = db.session.execute(statement.where(real).group_by(column)).all()
        return {key: count for key, count in sorted(rows, key=lambda row: (-row[1], row[0]))}

    codes: dict[str, dict[str, int]] = {}
    for agency, month, count in db.session.execute(
        select(QRCount.agency_code, QRCount.month, QRCount.codes).order_by(
            QRCount.agency_code, QRCount.month
        )
    ):
        codes.setdefault(agency or "other", {})[month] = count
    return {
        "places": db.session.scalar(select(func.count()).select_from(Place).where(real)),
        "demo_places": db.session.scalar(
            select(func.count())
            .select_from(Place)
            .where(Place.retired_at.is_(None), Place.demo.is_(True))
        ),
        "places_by_ward": {str(ward): n for ward, n in count_by(Place.ward_code).items()},
        "places_by_category": count_by(Place.category),
        "places_by_method": count_by(PlaceMethod.method, PlaceMethod),
        "fee_accounts": db.session.scalar(
            select(func.count()).select_from(FeeAccount).where(FeeAccount.retired_at.is_(None))
        ),
        "qr_codes_by_agency_month": codes,
    }
