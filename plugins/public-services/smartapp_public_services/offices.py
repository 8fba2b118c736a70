"""Offices that receive dossiers, and finding the nearest ones."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from smartapp.plugin import NotFound, db, utcnow

from .models import Office
from .schemas import CODE_PATTERN

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class NearbyOffice:
    office: Office
    distance_km: float

    def __getattr__(self, name: str) -> Any:  # dumps like the office, plus the distance
        return getattr(self.office, name)


def offices_query(filters: Mapping[str, Any]) -> Select[tuple[Office]]:
    """Active offices under the ``ward_code`` and ``kind`` filters."""
    statement = select(Office).where(Office.retired_at.is_(None))
    if "ward_code" in filters:
        statement = statement.where(Office.ward_code == filters["ward_code"])
    if "kind" in filters:
        statement = statement.where(Office.kind == filters["kind"])
    return statement


def nearest(
    statement: Select[tuple[Office]], latitude: float, longitude: float, radius_km: float
) -> list[NearbyOffice]:
    """Offices within ``radius_km``, nearest first: a bounding box narrows them in SQL (the
    position index), the exact distance sorts them here."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    # a degree of longitude shrinks with the latitude; near the poles the box is everything
    cos_lat = math.cos(math.radians(latitude))
    dlon = 180.0 if cos_lat < 1e-6 else min(180.0, dlat / cos_lat)
    boxed = statement.where(
        Office.latitude.between(latitude - dlat, latitude + dlat),
        Office.longitude.between(longitude - dlon, longitude + dlon),
    )
    found = [
        NearbyOffice(o, haversine_km(latitude, longitude, o.latitude, o.longitude))
        for o in db.session.scalars(boxed)
    ]
    return sorted(
        (n for n in found if n.distance_km <= radius_km),
        key=lambda n: (n.distance_km, n.office.code),
    )


def apply_office(office: Office, record: Mapping[str, Any]) -> bool:
    """Write a (possibly partial) loaded office record; returns whether anything changed."""
    changed = office.retired_at is not None
    for name, value in record.items():
        if getattr(office, name) != value:
            setattr(office, name, value)
            changed = True
    office.retired_at = None
    return changed


def office_by_code(code: str, include_retired: bool = False) -> Office:
    """The office ``code``, or a 404 (also for a path that is no code)."""
    office = (
        db.session.scalar(select(Office).where(Office.code == code))
        if CODE_PATTERN.match(code)
        else None
    )
    if office is None or (office.retired_at is not None and not include_retired):
        raise NotFound(f"No office {code}.")
    return office


def retire_office(office: Office) -> None:
    if office.retired_at is None:
        office.retired_at = utcnow()
