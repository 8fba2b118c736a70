"""``POST requests``: an Open311 client files a report through the plugin's own submit
service — the same checks, the privacy default (``hidden``), the same notifications."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, fields, validate
from werkzeug.datastructures import MultiDict

from smartapp.plugin import WardCodeField, db, enqueue

from .. import reports
from ..addresses import ward_in_address
from ..models import Report
from ..photos import Owner
from ..schemas import SubmitSchema
from . import keys, media, resources

_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,40})\](\[\])?$")
#: our field names in the spec's words, for the error descriptions
_SPEC_NAMES = {
    "category": "service_code",
    "latitude": "lat",
    "longitude": "long",
    "address": "address_string",
    "description": "description",
}


class Open311SubmitSchema(SubmitSchema):
    """A citizen's report as Open311 sends it: no ward (the spec has none), and no
    coordinates when an address names the ward (``_place``)."""

    ward_code = WardCodeField()
    latitude = fields.Float(validate=validate.Range(-90, 90))
    longitude = fields.Float(validate=validate.Range(-180, 180))


def _attributes(form: MultiDict[str, str]) -> dict[str, Any]:
    """``attribute[code]=v`` (one value) and ``attribute[code][]=a&…=b`` (a list)."""
    answers: dict[str, Any] = {}
    for name in form:
        match = _ATTRIBUTE.match(name)
        if match:
            values = form.getlist(name)
            answers[match.group(1)] = values if match.group(2) else values[-1]
    return answers


def _spec_errors(messages: Mapping[str, Any]) -> dict[str, Any]:
    renamed: dict[str, Any] = {}
    for field, texts in messages.items():
        if field.startswith("answers."):
            renamed[f"attribute[{field.removeprefix('answers.')}]"] = texts
        elif field == "answers" and isinstance(texts, Mapping):
            renamed.update({f"attribute[{code}]": t for code, t in texts.items()})
        else:
            renamed[_SPEC_NAMES.get(field, field)] = texts
    return renamed


def _storable(form: MultiDict[str, str]) -> None:
    """Refuse, by name, each field holding a NUL, which PostgreSQL cannot store: the form is
    read here, not through the core's argument parser that checks the API's bodies (werkzeug
    decodes form bytes with replacement, so no lone surrogate gets this far)."""
    fields = sorted({name for name, value in form.items(multi=True) if "\x00" in value})
    if fields:
        raise ValidationError({name: ["Must be valid text: no NUL character."] for name in fields})


def _title(description: str, service_name: str) -> str:
    first_line = description.strip().splitlines()[0] if description.strip() else ""
    return (first_line or service_name)[:200]


def _reporter(form: MultiDict[str, str]) -> dict[str, str | None]:
    """Who to call back, for the handling agency only (Open311 answers never show it)."""
    name = " ".join(p for p in (form.get("first_name"), form.get("last_name")) if p) or None
    reporter = {"name": name, "phone": form.get("phone"), "email": form.get("email")}
    errors = {
        field: ["Too long."]
        for field, limit in (("name", 120), ("phone", 20), ("email", 254))
        if len(reporter[field] or "") > limit
    }
    if errors:
        raise ValidationError(_spec_errors(errors))
    return reporter


def _place(form: MultiDict[str, str]) -> dict[str, Any]:
    """Where the report is: ``lat`` and ``long`` (with ``address_string`` beside them), or
    ``address_string`` alone, which must name a ward of the province (no geocoder here): the
    report is then filed with that ward and no coordinates, for staff to place."""
    address = form.get("address_string") or None
    if form.get("lat") or form.get("long"):
        place = {"latitude": form.get("lat"), "longitude": form.get("long")}
        return {**place, "address": address} if address else place
    if address is None:
        raise ValidationError({"lat": ["lat and long, or address_string, are required."]})
    # the schema's length rule before the ward is looked for: reading 1 MB would take seconds
    try:
        SubmitSchema().fields["address"].deserialize(address)
    except ValidationError as error:
        raise ValidationError({"address": error.messages}) from error
    return {"address": address, "ward_code": ward_in_address(address)}


def open311_report(form: MultiDict[str, str]) -> dict[str, Any]:
    """File the report the form describes, for the holder of its ``api_key``; the answer
    to send back."""
    keys.check_key(form.get("api_key"))
    _storable(form)
    code = form.get("service_code", "")
    if not code:
        raise ValidationError({"service_code": ["Required."]})
    category = resources.reportable(code)
    description = form.get("description", "")
    media_url = form.get("media_url")
    if media_url:
        media.check_url(media_url)
    reporter = _reporter(form)
    try:
        body: dict[str, Any] = {
            "category": code,
            "title": _title(description, category.name_vi),
            "description": description or category.name_vi,
            "answers": _attributes(form),
            "public": True,
            **_place(form),
        }
        report = reports.submit(Open311SubmitSchema().load(body), Owner(), reporter)
    except ValidationError as error:
        raise ValidationError(_spec_errors(error.normalized_messages())) from error
    answer = created(report)
    report_id = report.id
    if media_url:
        # end the read transaction the answer opened: on SQLite an in-process job could
        # not write beside it
        db.session.commit()
        enqueue(media.attach_media, report_id, media_url)
    return answer


def created(report: Report) -> dict[str, Any]:
    """The answer to ``POST requests``: the id at once (no token needed)."""
    return {
        "service_request_id": str(report.id),
        "service_notice": None,
        "account_id": None,
        "expected_datetime": resources.timestamp(report.resolve_due_at),
    }
