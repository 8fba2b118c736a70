"""The public map, likely duplicates before submitting, and "me too" follows."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from smartapp.plugin import citizen_required, current_citizen, localize

from . import nearby, reports
from .models import Report
from .routes import blp
from .schemas import MapArgs, NearbyArgs, NearbySchema, ReportSchema


def _map_properties(report: Report) -> dict[str, Any]:
    """What the public map says of a report: nothing of who filed it."""
    return {
        "category": report.category.code,
        "category_name": localize(
            {"vi": report.category.name_vi, "en": report.category.name_en or ""}
        ),
        "title": report.title,
        "status": report.status,
        "followers_count": report.followers_count,
        "created_at": report.created_at.isoformat(),
    }


@blp.route("/map")
@blp.arguments(MapArgs, location="query")
@blp.response(
    200, content_type="application/geo+json", description="A GeoJSON FeatureCollection of points"
)
def public_map(args: dict[str, Any]) -> Response:
    """Public reports as GeoJSON, newest first, inside ``bbox=minlon,minlat,maxlon,maxlat``;
    no name, phone or description."""
    found = nearby.map_reports(args.get("bbox"), args["limit"])
    response = jsonify(
        {
            "type": "FeatureCollection",
            "features": [nearby.feature(r, _map_properties(r)) for r in found],
        }
    )
    response.mimetype = "application/geo+json"
    return response


@blp.route("/nearby")
@blp.arguments(NearbyArgs, location="query")
@blp.response(200, NearbySchema(many=True))
def nearby_reports(args: dict[str, Any]) -> list[dict[str, Any]]:
    """Before submitting: open reports of the same category within 250 m (at most 5),
    nearest first, so the citizen can say "me too" instead of filing it again."""
    citizen = current_citizen()
    found = nearby.nearby_open(
        args["category"], args["latitude"], args["longitude"], citizen.id if citizen else None
    )
    return [{"report": report, "distance_m": round(metres)} for report, metres in found]


@blp.route("/reports/<int:report_id>/follow", methods=["POST"])
@citizen_required
@blp.response(200, ReportSchema)
def follow_report(report_id: int) -> Report:
    """ "Me too": follow a report (its original, if it was merged) and add to its counter;
    following twice counts once."""
    citizen = current_citizen()
    assert citizen is not None
    report, _ = nearby.follow(reports.visible_report(report_id), citizen.id)
    return report


@blp.route("/reports/<int:report_id>/follow", methods=["DELETE"])
@citizen_required
@blp.response(200, ReportSchema)
def unfollow_report(report_id: int) -> Report:
    """Stop following a report."""
    citizen = current_citizen()
    assert citizen is not None
    return nearby.unfollow(reports.visible_report(report_id), citizen.id)
