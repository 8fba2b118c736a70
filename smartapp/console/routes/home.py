"""``/admin/``: sign-in, then the dashboard; signing out; the console's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from flask import abort, redirect, render_template, request, session, url_for
from marshmallow import ValidationError
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

from smartapp.console.blueprint import back_to, blp, console_language, error_page, page
from smartapp.console.figures import group, period_table
from smartapp.i18n import LANGUAGES, Localized, localize, message
from smartapp.identity.auth import current_staff, staff_may
from smartapp.identity.models import Role
from smartapp.identity.schemas import StaffTokenRequestSchema
from smartapp.identity.services import InvalidCredentials, authenticate_staff
from smartapp.identity.signin import end_session, sign_in_limits, start_session
from smartapp.identity.throttle import TooManyFailures
from smartapp.ioc.monthly import CORE_TITLE, NOTIFICATION_LABELS
from smartapp.ioc.routes import IOC_PERMISSION
from smartapp.ioc.services import collect
from smartapp.plugins.registry import registry

CREDENTIALS = StaffTokenRequestSchema()
#: the core's figures on the dashboard (``ioc.services.collect``), by key path
CORE_LABELS: dict[str, Localized] = {
    "citizens": {"vi": "Người dân", "en": "Citizens"},
    "citizens_by_language": {"vi": "Người dân theo ngôn ngữ", "en": "Citizens by language"},
    "citizens_joined": {"vi": "Người dân mới đăng ký", "en": "Citizens joined"},
    "citizens_joined.today": {"vi": "Hôm nay", "en": "Today"},
    "citizens_joined.this_month": {"vi": "Tháng này", "en": "This month"},
    "plugins": {"vi": "Tiện ích theo trạng thái", "en": "Plugins by state"},
    **{key: label for key, (label, _) in NOTIFICATION_LABELS.items()},
    **{
        f"notifications.last_30_days.{key}": label
        for key, label in {
            "days": {"vi": "Thông báo: số ngày tính", "en": "Notifications: days counted"},
            "campaigns": {"vi": "Đợt thông báo (30 ngày)", "en": "Campaigns (30 days)"},
            "targeted": {"vi": "Lượt gửi dự kiến (30 ngày)", "en": "Targeted (30 days)"},
            "sent": {"vi": "FCM đã nhận (30 ngày)", "en": "Accepted by FCM (30 days)"},
            "failed": {"vi": "Gửi lỗi (30 ngày)", "en": "Failed (30 days)"},
            "failed_by_reason": {"vi": "Lỗi theo lý do (30 ngày)", "en": "Failures by reason"},
            "tokens_removed": {"vi": "Mã máy đã xoá (30 ngày)", "en": "Tokens removed"},
            "stale": {"vi": "Máy lâu không dùng (30 ngày)", "en": "Stale devices skipped"},
            "cancelled": {"vi": "Đã huỷ (30 ngày)", "en": "Cancelled (30 days)"},
            "opened": {"vi": "Lượt mở (30 ngày)", "en": "Opened (30 days)"},
            "inbox": {"vi": "Vào hộp thư (30 ngày)", "en": "In inboxes (30 days)"},
        }.items()
    },
}


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a console page, never another site (nor a control
    character, which no header may hold)."""
    if target and target.startswith("/admin/") and target.isprintable():
        return target
    return url_for("console.index")


def _sign_in_page(status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(
        "console/sign_in.html", next=request.values.get("next"), **context
    ), status


@blp.get("/")
def index() -> Any:
    """The dashboard, or the sign-in form."""
    staff = current_staff()
    if staff is None:
        return _sign_in_page()
    if not staff_may(staff, (Role.ADMIN,), IOC_PERMISSION):
        return render_template("console/welcome.html")
    metrics = collect()
    language = console_language()

    def names(labels: Mapping[str, Localized]) -> dict[str, str]:
        return {key: localize(label, language) for key, label in labels.items()}

    core = names(CORE_LABELS)
    groups = [group("core", metrics["core"], core)]
    notifications = localize(CORE_TITLE, language)
    periods = [period_table(notifications, metrics["core"]["notifications"], core)]
    for slug, figures in metrics["utilities"].items():
        plugin = registry().enabled_plugin(slug)
        name = localize(plugin.title, language) if plugin else slug
        labels = names(plugin.ioc_labels) if plugin else {}
        groups.append(group(name, figures, labels))
        periods.append(period_table(name, figures, labels))
    return render_template(
        "console/dashboard.html",
        metrics=metrics,
        groups=groups,
        periods=[table for table in periods if table is not None],
    )


@blp.post("/")
@sign_in_limits
def sign_in() -> Any:
    """Check the email and password (the token route's rules and lock-out) and open a
    session."""
    email = request.form.get("email", "")
    try:
        credentials = CREDENTIALS.load(
            {"email": email, "password": request.form.get("password", "")}
        )
    except ValidationError as error:
        return _sign_in_page(422, email=email, errors=error.normalized_messages())
    try:
        staff = authenticate_staff(credentials["email"], credentials["password"])
    except TooManyFailures:
        return _sign_in_page(
            429, email=email, failure=message("too_many_requests", console_language())
        )
    except InvalidCredentials:
        return _sign_in_page(
            401, email=email, failure=message("invalid_credentials", console_language())
        )
    language = console_language()
    start_session(staff)
    session["language"] = language
    return redirect(_safe_next(request.form.get("next")), 303)


@blp.post("/logout")
@page()
def logout() -> Response:
    """End the session (the language choice stays)."""
    language = console_language()
    end_session()
    session["language"] = language
    return back_to("console.index")


@blp.post("/language")
def language() -> Response:
    """Switch the console between Vietnamese and English."""
    chosen = request.form.get("language")
    if chosen in LANGUAGES:
        session["language"] = chosen
    return redirect(_safe_next(request.form.get("next")), 303)


@blp.errorhandler(TooManyRequests)
def _locked_out(error: TooManyRequests) -> Any:
    """Too many sign-in attempts: the form again, saying so (status 429)."""
    if request.endpoint != "console.sign_in":
        return error_page(error)
    return _sign_in_page(
        429,
        email=request.form.get("email", ""),
        failure=message("too_many_requests", console_language()),
    )


@blp.route("/<path:path>", methods=("GET", "POST"))
def unknown(path: str) -> NoReturn:
    """Any other address under ``/admin/``: the console's not-found page for a browser, which
    an address no route matched would not get (the app's handlers answer those, in JSON)."""
    abort(404)
