"""The console's blueprint and what every console request goes through: the session cookie
as identity, CSRF, the language, a strict Content-Security-Policy, and pages by role."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_smorest import abort as refuse
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException

from smartapp.errors import flatten_errors, handle_http_exception
from smartapp.i18n import DEFAULT_LANGUAGE, LANGUAGES, localize
from smartapp.identity.auth import accept_console_session, current_staff, staff_may
from smartapp.identity.models import Role
from smartapp.inputs import UNSTORABLE_MESSAGE

F = TypeVar("F", bound=Callable[..., Any])

blp = Blueprint(
    "console", __name__, url_prefix="/admin", template_folder="templates", static_folder="static"
)
csrf = CSRFProtect()

# Scripts and styles come from our own files only: no inline script or style, no eval
# (htmx's allowEval is off), nothing from another origin, and no framing (clickjacking).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
STATIC_MAX_AGE = 3600


def console_language() -> str:
    """The language the staff member chose (stored in the session), Vietnamese by default."""
    language = session.get("language")
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def t(vi: str, en: str) -> str:
    """A template's text in the console's language: ``{{ t("Đăng nhập", "Sign in") }}``."""
    return localize({"vi": vi, "en": en}, console_language())


@blp.before_request
def _identify_and_check_csrf() -> None:
    accept_console_session()
    csrf.protect()  # POST, PUT, PATCH, DELETE: the form field or the X-CSRFToken header
    # the API's parser refuses NUL in query strings and JSON (PostgreSQL cannot store it, nor
    # compare with it); console pages read their forms and query strings themselves (werkzeug
    # decodes both with replacement, so no lone surrogate gets this far)
    fields = {
        name
        for given in (request.args, request.form)
        for name, value in given.items(multi=True)
        if "\x00" in value
    }
    if fields:
        refuse(422, errors={name: [UNSTORABLE_MESSAGE] for name in sorted(fields)})


@blp.after_request
def _security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if "HX-Request" in request.headers and response.status_code >= 400:
        # a form shown again with its errors: the address bar keeps the page's URL, not the
        # POST's (which a reload would answer with 405)
        response.headers["HX-Push-Url"] = "false"
    if request.endpoint == "console.static":
        response.cache_control.max_age = STATIC_MAX_AGE
    else:  # pages hold personal data: no copy in shared caches or the back-button cache
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    return response


def _prefers_html() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html" or "HX-Request" in request.headers


@blp.errorhandler(HTTPException)
def error_page(error: HTTPException) -> Response | tuple[str, int]:
    """A browser gets the error as a console page; any other client gets the API's JSON
    envelope, as on every other route."""
    if not _prefers_html():
        return handle_http_exception(error)
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    problems = data.get("errors") or data.get("messages")
    return render_template(
        "console/error.html",
        code=code,
        error=error,
        problems=flatten_errors(problems) if problems else {},
    ), code


def gate(roles: tuple[Role | str, ...], permission: str | None) -> Response | None:
    """``None`` when the signed-in staff member may go on; else where to go instead (sign-in)
    or a 403."""
    staff = current_staff()
    if staff is None:
        target = url_for("console.index", next=request.full_path.rstrip("?"))
        if "HX-Request" in request.headers:  # htmx: load the sign-in as a whole page
            return Response(status=204, headers={"HX-Redirect": target})
        return redirect(target, 303)  # type: ignore[return-value]
    if not staff_may(staff, roles, permission):
        abort(403)
    return None


def page(*roles: Role | str, permission: str | None = None) -> Callable[[F], F]:
    """Decorate a console page for staff with one of ``roles`` or ``permission`` (the API's
    rule, :func:`staff_may`); without a session the browser is sent to sign in."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return gate(roles, permission) or view(*args, **kwargs)

        wrapper.console_access = (roles, permission)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def may_open(endpoint: str) -> bool:
    """Whether the signed-in staff member may open the page ``endpoint`` (for navigation)."""
    view = current_app.view_functions.get(endpoint)
    staff = current_staff()
    if view is None or staff is None:
        return False
    roles, permission = getattr(view, "console_access", ((), None))
    return staff_may(staff, roles, permission)


def back_to(endpoint: str, **values: Any) -> Response:
    """After a POST, show the page again (303: the browser's reload does not re-post)."""
    return redirect(url_for(endpoint, **values), 303)  # type: ignore[return-value]
