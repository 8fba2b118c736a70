"""The GeoReport v2 calls, each as ``.json`` and ``.xml`` (``/open311/v2/services.xml``)."""

from __future__ import annotations

from typing import Any

import flask
from flask import Response, current_app, request, url_for
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from smartapp.plugin import Blueprint, DomainError, current_language, limiter

from ..settings import settings
from . import formats, resources, submit
from .formats import answer

blp = Blueprint(
    "feedback_open311",
    __name__,
    description=(
        "Open311 GeoReport v2: the feedback categories as services, public reports as service "
        "requests. Errors are the spec's list of {code, description}."
    ),
)
for error_class, handler in (
    (HTTPException, formats.handle_http_exception),
    (DomainError, formats.handle_domain_error),
    (ValidationError, formats.handle_validation_error),
    (Exception, formats.handle_unexpected),
):
    blp.register_error_handler(error_class, handler)

FMT = "<any(json,xml):fmt>"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


class CommaList(fields.Field[list[str]]):
    """``a,b,c`` as a list of non-empty strings."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        items = [item.strip() for item in value.split(",") if item.strip()]
        if not items or len(items) > resources.MAX_REQUESTS:
            raise self.make_error("invalid")
        return items

    default_error_messages = {"invalid": "A comma-separated list."}


class RequestIds(CommaList):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        items = super()._deserialize(value, attr, data, **kwargs)
        if any(not i.isdecimal() or len(i) > 18 for i in items):
            raise self.make_error("invalid")
        return items


class OpenQuery(Schema):
    """Clients add their own parameters (``api_key`` on every call, ``locale``): ignored."""

    class Meta:
        unknown = EXCLUDE

    jurisdiction_id = fields.String()


class RequestsQuery(OpenQuery):
    service_request_id = RequestIds()
    service_code = CommaList()
    start_date = fields.AwareDateTime(default_timezone=None)
    end_date = fields.AwareDateTime()
    status = fields.String(validate=validate.OneOf(["open", "closed"]))


@blp.route(f"/discovery.{FMT}")
def discovery(fmt: str) -> Response:
    """Where this server's GeoReport v2 endpoint is and which formats it speaks."""
    changeset = "2026-12-02T00:00:00+00:00"
    return answer(
        fmt,
        "discovery",
        {
            "changeset": changeset,
            "contact": current_app.config.get("SMARTAPP_OPEN311_CONTACT", ""),
            "key_service": "Ask the province's smartapp administrators for an API key.",
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "changeset": changeset,
                    "url": url_for(".discovery", fmt=fmt, _external=True).rsplit("/", 1)[0],
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        },
    )


@blp.route(f"/services.{FMT}")
@blp.arguments(OpenQuery, location="query")
def service_list(args: dict[str, Any], fmt: str) -> Response:
    """The categories that take reports; ``service_code`` is the category's stable code."""
    return answer(fmt, "services", resources.services(current_language()))


@blp.route(f"/services/<code>.{FMT}")
@blp.arguments(OpenQuery, location="query")
def service_definition(args: dict[str, Any], code: str, fmt: str) -> Response:
    """A service's attributes: the category's extra questions, with their Open311 types."""
    return answer(fmt, "service_definition", resources.service_definition(code, current_language()))


@blp.route(f"/requests.{FMT}")
@blp.arguments(RequestsQuery, location="query")
def request_list(args: dict[str, Any], fmt: str) -> Response:
    """Public reports, newest first, at most 1,000; the last 90 days unless dated."""
    language = current_language()
    return answer(
        fmt,
        "service_requests",
        [resources.service_request(r, language) for r in resources.find_requests(args)],
    )


@blp.route(f"/requests.{FMT}", methods=["POST"])
@limiter.shared_limit(lambda: settings()["writes_per_address"], scope="feedback-writes")
@blp.doc(
    requestBody={
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["api_key", "service_code", "lat", "long"],
                    "properties": {
                        name: {"type": "string"}
                        for name in (
                            "api_key",
                            "service_code",
                            "lat",
                            "long",
                            "address_string",
                            "description",
                            "media_url",
                            "email",
                            "first_name",
                            "last_name",
                            "phone",
                        )
                    },
                }
            }
        }
    }
)
def create_request(fmt: str) -> Response:
    """File a report with an administrator's ``api_key``: ``service_code``, ``lat``/``long``,
    ``description``, ``attribute[code]`` or ``attribute[code][]`` for the service's
    attributes, ``media_url`` (a photo fetched in the background)."""
    return answer(fmt, "service_requests", [submit.open311_report(request.form)], 201)


@blp.route(f"/tokens/<token>.{FMT}")
@blp.arguments(OpenQuery, location="query")
def token_detail(args: dict[str, Any], token: str, fmt: str) -> Response:
    """Requests are created at once, so a token is the request's id."""
    report = resources.public_request(token)
    return answer(fmt, "service_requests", [{"token": token, "service_request_id": str(report.id)}])


@blp.route(f"/requests/<request_id>.{FMT}")
@blp.arguments(OpenQuery, location="query")
def request_detail(args: dict[str, Any], request_id: str, fmt: str) -> Response:
    """One public report, as a list of one (the spec's shape)."""
    report = resources.public_request(request_id)
    return answer(fmt, "service_requests", [resources.service_request(report, current_language())])


def unrouted(path: str = "") -> Response:
    """Any other path or method under ``/open311/v2/``: the spec's 404 or 405, not the app's."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    for method in ("GET", "POST"):
        if method == request.method:
            continue
        try:
            endpoint, _ = adapter.match(method=method)
        except HTTPException:
            continue
        if endpoint != request.endpoint:
            raise MethodNotAllowed()
    raise NotFound()


# Flask's own add_url_rule, not flask-smorest's: the catch-all is no operation to document
for rule in ("/", "/<path:path>"):
    flask.Blueprint.add_url_rule(
        blp, rule, "unrouted", unrouted, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]
    )
