"""Staff console pages (the ``console_pages`` hook): an agency's queue, its map, a report
with its timeline and photos, and the workflow and moderation forms (``console_actions``).

Every page goes through the plugin's own access rules (``access``): agency staff see their
agency's reports only, administrators and coordinators every agency's; another agency's
report is a 404, as in the API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, render_template, request
from marshmallow import ValidationError

from smartapp.plugin import (
    ConsolePage,
    abort,
    console_language,
    current_staff,
    db,
    localize,
    utcnow,
)

from . import console_actions, moderation, photos, queue
from .access import COORDINATE, agency_scope, require_staff_report
from .categories import all_categories
from .deadlines import OPEN_STATUSES, overdue
from .labels import STATUSES
from .models import Report, Status
from .schemas import reporter
from .settings import settings
from .workflow import TRANSITIONS, Action

SLUG = "feedback"
#: who opens the pages: agency staff (their agency), coordinators and administrators
ROLES = ("agency_staff",)
MAP_LIMIT = 1000

ACTION_NAMES = {
    Action.ACCEPT: {"vi": "Tiếp nhận", "en": "Accept"},
    Action.REJECT: {"vi": "Từ chối", "en": "Reject"},
    Action.ASSIGN: {"vi": "Giao xử lý", "en": "Assign"},
    Action.START: {"vi": "Bắt đầu xử lý", "en": "Start work"},
    Action.RESOLVE: {"vi": "Báo đã giải quyết", "en": "Resolve"},
    Action.CLOSE: {"vi": "Đóng phản ánh", "en": "Close"},
    Action.REOPEN: {"vi": "Mở lại", "en": "Reopen"},
    Action.MOVE: {"vi": "Chuyển cơ quan khác", "en": "Move to another agency"},
    Action.MERGE: {"vi": "Gộp vào phản ánh khác", "en": "Merge into another report"},
    Action.COMMENT: {"vi": "Trả lời, ghi chú", "en": "Respond"},
    Action.PLACE: {"vi": "Đặt vị trí trên bản đồ", "en": "Place on the map"},
    "merged": {"vi": "Nhận phản ánh trùng", "en": "Duplicate merged in"},
    "rated": {"vi": "Người dân đánh giá", "en": "Rated by the citizen"},
    Status.RECEIVED: {"vi": "Gửi phản ánh", "en": "Submitted"},
}


def _filters() -> dict[str, Any]:
    """The queue's filters from the query string (an empty choice is no filter)."""
    given = {name: value for name, value in request.args.items() if value.strip()}
    try:
        return queue.QueueArgs().load(given)
    except ValidationError as error:
        abort(422, errors=error.normalized_messages())


def _shared() -> dict[str, Any]:
    """What every feedback page's template uses."""
    language = console_language()
    return {
        "localize": lambda text: localize(text, language),
        "status_names": STATUSES,
        "action_names": ACTION_NAMES,
        "now": utcnow(),
        "is_overdue": overdue,
        "local_time": local_time,
        "open_statuses": OPEN_STATUSES,
    }


def local_time(moment: datetime) -> str:
    """A moment as the province's offices read it (``03/12/2026 14:05``)."""
    return moment.astimezone(ZoneInfo(settings()["timezone"])).strftime("%d/%m/%Y %H:%M")


def _filter_form(filters: dict[str, Any]) -> dict[str, Any]:
    return {
        "filters": filters,
        "categories": all_categories(),
        "statuses": list(Status),
        "all_agencies": _caller_agency() is None,
        "filters_query": {
            name: value
            for name, value in request.args.items()
            if name != "cursor" and value.strip()
        },
    }


def _caller_agency() -> str | None:
    return agency_scope(current_staff())


def queue_view() -> str:
    """The queue: overdue reports first, filters, cursor pages."""
    filters = _filters()
    try:
        page = queue.queue_page(filters)
    except ValidationError as error:  # a cursor of another list
        abort(422, errors=error.normalized_messages())
    return render_template(
        "feedback/queue.html",
        page=page,
        agency=_caller_agency(),
        **_filter_form(filters),
        **_shared(),
    )


def map_view() -> str | Response:
    """The queue's reports on a map (Leaflet; tiles only when the operator set a server)."""
    if request.headers.get("HX-Boosted"):
        # htmx runs no script it swaps in (allowScriptTags is off): load the map page whole
        return Response(status=204, headers={"HX-Redirect": request.full_path.rstrip("?")})
    filters = _filters()
    found = queue.map_reports(filters, MAP_LIMIT)
    features = [
        {
            "id": report.id,
            "lat": report.latitude,
            "lon": report.longitude,
            "title": report.title,
            "status": localize(STATUSES[Status(report.status)], console_language()),
            "overdue": overdue(report, utcnow()),
        }
        for report in found
    ]
    return render_template(
        "feedback/map.html",
        reports=found,
        features=features,
        tiles=settings()["map_tile_url"],
        bounds=settings()["province_bounds"],
        limit=MAP_LIMIT,
        **_filter_form(filters),
        **_shared(),
    )


def report_view(report_id: int) -> str:
    """A report: what was reported, the timeline with photos, the steps its status allows,
    moderation and its history."""
    report = require_staff_report(db.session.get(Report, report_id))
    allowed = (
        []
        if report.duplicate_of_id is not None
        else [
            action
            for action, (sources, _) in TRANSITIONS.items()
            # placing is offered for a report filed by address alone (Open311)
            if report.status in sources and (action != Action.PLACE or report.latitude is None)
        ]
    )
    return render_template(
        "feedback/report.html",
        report=report,
        reporter=reporter(report),
        allowed=allowed,
        history=moderation.history(report.id),
        photos=report.photos + [photo for event in report.events for photo in event.photos],
        resolution_photo_required=settings()["resolution_photo_required"],
        max_photos=console_actions.MAX_STEP_PHOTOS,
        agencies=sorted({category.agency_code for category in all_categories()}),
        **_shared(),
    )


def photo_view(photo_id: str, variant: str = "full") -> Response:
    """A photo (or its thumbnail) through the plugin's access check; ``?original=1`` is the
    photo before moderation (staff only, as in the API)."""
    photo = photos.viewable_photo(photo_id)
    data = photos.photo_bytes(photo, variant == "thumbnail", request.args.get("original") == "1")
    return Response(data, mimetype="image/jpeg")


def _page(path: str, title: dict[str, str], view: Any, **options: Any) -> ConsolePage:
    return ConsolePage(path, title, view, roles=ROLES, permission=COORDINATE, **options)


def console_pages() -> list[ConsolePage]:
    post = {"methods": ("POST",), "in_menu": False}
    return [
        _page("", {"vi": "Phản ánh", "en": "Feedback"}, queue_view),
        _page("map", {"vi": "Bản đồ phản ánh", "en": "Feedback map"}, map_view),
        _page(
            "reports/<int:report_id>",
            {"vi": "Phản ánh", "en": "Report"},
            report_view,
            in_menu=False,
        ),
        _page(
            "reports/<int:report_id>/actions",
            {"vi": "Xử lý", "en": "Act"},
            console_actions.act,
            max_upload_bytes=console_actions.MAX_STEP_BYTES,
            **post,
        ),
        _page(
            "reports/<int:report_id>/moderation",
            {"vi": "Kiểm duyệt", "en": "Moderate"},
            console_actions.moderate,
            **post,
        ),
        _page(
            "photos/<photo_id>/blackout",
            {"vi": "Che một phần ảnh", "en": "Black out"},
            console_actions.black_out,
            **post,
        ),
        _page(
            "photos/<photo_id>/<any(full, thumbnail):variant>",
            {"vi": "Ảnh", "en": "Photo"},
            photo_view,
            in_menu=False,
        ),
    ]
