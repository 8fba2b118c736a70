"""Where reports are: the public map and the likely duplicates near a new one, and the
citizens who follow a report ("me too") instead of filing it again."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from smartapp.plugin import abort, db

from .access import citizen_may_see
from .categories import category_by_code
from .deadlines import OPEN_STATUSES
from .models import Follow, Report
from .settings import settings

EARTH_RADIUS_M = 6_371_000
METRES_PER_DEGREE = 111_320
NEARBY_LIMIT = 5


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine): metres between two points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def _placed() -> Any:
    """Reports on the map: not those filed by address alone until staff place them."""
    return Report.latitude.is_not(None) & Report.longitude.is_not(None)


def _public() -> Any:
    return (
        Report.public.is_(True)
        & Report.hidden.is_(False)
        & Report.duplicate_of_id.is_(None)
        & _placed()
    )


def map_reports(bbox: tuple[float, float, float, float] | None, limit: int) -> list[Report]:
    """Public reports, newest first, inside ``bbox`` (minlon, minlat, maxlon, maxlat)."""
    statement = select(Report).where(_public())
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        statement = statement.where(
            Report.longitude.between(min_lon, max_lon), Report.latitude.between(min_lat, max_lat)
        )
    return list(db.session.scalars(statement.order_by(Report.id.desc()).limit(limit)))


def feature(report: Report, properties: Mapping[str, Any]) -> dict[str, Any]:
    # GeoJSON's shape is four keys: a library would add a dependency, not safety
    return {
        "type": "Feature",
        "id": report.id,
        "geometry": {"type": "Point", "coordinates": [report.longitude, report.latitude]},
        "properties": dict(properties),
    }


def nearby_open(
    category_code: str, latitude: float, longitude: float, citizen_id: int | None
) -> list[tuple[Report, float]]:
    """Open reports of the category within ``duplicate_radius_m``, nearest first, that the
    caller may see: at most five, each with its distance."""
    category = category_by_code(category_code)
    if category is None:
        raise ValidationError("Unknown category.", "category")
    radius = settings()["duplicate_radius_m"]
    dlat = radius / METRES_PER_DEGREE
    dlon = radius / (METRES_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
    candidates = db.session.scalars(
        select(Report).where(
            Report.category_id == category.id,
            Report.status.in_(OPEN_STATUSES),
            Report.duplicate_of_id.is_(None),
            _placed(),
            Report.latitude.between(latitude - dlat, latitude + dlat),
            Report.longitude.between(longitude - dlon, longitude + dlon),
        )
    )
    found = [
        (report, distance_m(latitude, longitude, report.latitude, report.longitude))
        for report in candidates
        if citizen_may_see(report, citizen_id)
        and report.latitude is not None  # as _placed() (for the type checker)
        and report.longitude is not None
    ]
    found = [(report, metres) for report, metres in found if metres <= radius]
    return sorted(found, key=lambda pair: (pair[1], pair[0].id))[:NEARBY_LIMIT]


def follow(report: Report, citizen_id: int) -> tuple[Report, bool]:
    """``citizen_id`` follows the report (its original, when it was merged): whether new."""
    if report.duplicate_of_id is not None:
        report = db.session.get(Report, report.duplicate_of_id) or report
    if report.citizen_id == citizen_id:
        abort(
            409,
            message="You reported this yourself.",
            errors={"report": ["The reporter follows their report already."]},
        )
    try:
        with db.session.begin_nested():  # the unique pair decides, not a racing look-up
            db.session.add(Follow(report_id=report.id, citizen_id=citizen_id))
    except IntegrityError:
        return report, False
    db.session.execute(
        update(Report)
        .where(Report.id == report.id)
        .values(followers_count=Report.followers_count + 1)
    )
    db.session.commit()
    db.session.refresh(report)
    return report, True


def unfollow(report: Report, citizen_id: int) -> Report:
    removed = db.session.execute(
        delete(Follow).where(Follow.report_id == report.id, Follow.citizen_id == citizen_id)
    ).rowcount
    if removed:
        db.session.execute(
            update(Report)
            .where(Report.id == report.id)
            .values(followers_count=Report.followers_count - removed)
        )
    db.session.commit()
    db.session.refresh(report)
    return report
