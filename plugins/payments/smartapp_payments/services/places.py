"""Places accepting cashless payment: finding them (filters, folded search, nearest first,
GeoJSON) and what staff change (create, update, retire — audited)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Select, exists, select

from smartapp.plugin import Page, abort, db, paginate, paginate_sequence

from ..models import Place, PlaceMethod
from ..schemas import CODE_PATTERN, PlaceSchema
from ..text import fold
from . import records

OBJECT_TYPE = "payments.place"
EARTH_RADIUS_KM = 6371.0088


def active_places(filters: Mapping[str, Any]) -> Select[tuple[Place]]:
    """Places still listed, under the ``ward_code``, ``category``, ``method`` and ``q``
    filters (``q``: every folded word appears in the name or the address)."""
    statement = select(Place).where(Place.retired_at.is_(None))
    if "ward_code" in filters:
        statement = statement.where(Place.ward_code == filters["ward_code"])
    if "category" in filters:
        statement = statement.where(Place.category == filters["category"])
    if "method" in filters:
        statement = statement.where(
            exists().where(
                PlaceMethod.place_id == Place.id, PlaceMethod.method == filters["method"]
            )
        )
    for word in fold(filters.get("q", "")).split():
        # folded words are [a-z0-9] only, so nothing in them needs escaping for LIKE
        statement = statement.where(Place.search_text.contains(word))
    return statement


def distance_km(origin: tuple[float, float], place: Place) -> float:
    """Great-circle (haversine) distance from ``origin`` (latitude, longitude) to ``place``."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*origin, place.latitude, place.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def within(
    statement: Select[tuple[Place]], origin: tuple[float, float], radius_km: float
) -> list[tuple[Place, float]]:
    """Places of ``statement`` within ``radius_km`` of ``origin``, nearest first. A box
    around the origin narrows them on the position index; the exact distance sorts them."""
    latitude, longitude = origin
    half_lat = math.degrees(radius_km / EARTH_RADIUS_KM)
    shrink = math.cos(math.radians(latitude))
    half_lon = 180.0 if shrink < 1e-6 else min(180.0, half_lat / shrink)
    boxed = statement.where(
        Place.latitude.between(latitude - half_lat, latitude + half_lat),
        Place.longitude.between(longitude - half_lon, longitude + half_lon),
    )
    measured = ((place, distance_km(origin, place)) for place in db.session.scalars(boxed))
    return sorted(
        ((p, d) for p, d in measured if d <= radius_km), key=lambda pair: (pair[1], pair[0].id)
    )


def view(place: Place, distance: float | None = None) -> dict[str, Any]:
    """What clients see of a place (``distance_km`` when searched from a position)."""
    shown = {
        column: getattr(place, column)
        for column in (
            "code",
            "name",
            "category",
            "ward_code",
            "address",
            "latitude",
            "longitude",
            "opening_hours",
            "phone",
            "verified_on",
            "demo",
            "updated_at",
        )
    }
    shown["methods"] = place.method_names
    if distance is not None:
        shown["distance_km"] = round(distance, 3)
    return shown


def places_page(args: Mapping[str, Any], radius_km: float) -> Page[dict[str, Any]]:
    """One page of places: by id, or nearest first from ``args["near"]``."""
    statement = active_places(args)
    if "near" not in args:
        page = paginate(statement, [Place.id], dict(args))
        return Page([view(place) for place in page.items], page.next_cursor)
    ranked = list(enumerate(within(statement, args["near"], args.get("radius_km", radius_km))))
    # the cursor is the position in the distance order, validated like any cursor
    page = paginate_sequence(ranked, lambda entry: entry[0], int, dict(args))
    return Page([view(place, distance) for _, (place, distance) in page.items], page.next_cursor)


def feature_collection(args: Mapping[str, Any]) -> dict[str, Any]:
    """The filtered places as a GeoJSON ``FeatureCollection`` (RFC 7946: longitude first),
    within ``bbox`` when given, at most ``limit`` of them."""
    statement = active_places(args)
    if "bbox" in args:
        min_lon, min_lat, max_lon, max_lat = args["bbox"]
        statement = statement.where(
            Place.longitude.between(min_lon, max_lon), Place.latitude.between(min_lat, max_lat)
        )
    places = db.session.scalars(statement.order_by(Place.id).limit(args["limit"]))
    properties = PlaceSchema(exclude=("latitude", "longitude"))
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": place.code,
                "geometry": {"type": "Point", "coordinates": [place.longitude, place.latitude]},
                "properties": properties.dump(view(place)),
            }
            for place in places
        ],
    }


def place_by_code(code: str, include_retired: bool = False) -> Place:
    """The place ``code``, or a 404 (also for a path that is no code, such as a NUL, which
    PostgreSQL refuses to compare)."""
    place = (
        db.session.scalar(select(Place).where(Place.code == code))
        if CODE_PATTERN.match(code)
        else None
    )
    if place is None or (place.retired_at is not None and not include_retired):
        abort(404, message=f"No place {code}.")
    return place


# -- writing ---------------------------------------------------------------------------------


def apply(place: Place, record: Mapping[str, Any]) -> bool:
    """Write a (possibly partial) loaded record onto ``place``, keeping its search text in
    step; a retired place written to is listed again. Returns whether anything changed."""
    changed = records.write_fields(place, {k: v for k, v in record.items() if k != "methods"})
    if "methods" in record:
        changed |= _set_methods(place, record["methods"])
    place.search_text = fold(f"{place.name} {place.address}")
    return changed


def _set_methods(place: Place, methods: Iterable[str]) -> bool:
    wanted = sorted(set(methods))
    if place.method_names == wanted:
        return False
    place.methods = [PlaceMethod(method=method) for method in wanted]
    return True


#: what staff do to places: create, update, retire (closed, or no longer cashless)
PLACES = records.Managed(Place, OBJECT_TYPE, "code", apply)
