"""Marshmallow schemas: the record formats (import files, staff routes) and the API's shapes."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from smartapp.plugin import CursorPageArgs, WardCodeField

from .models import CHANNELS, LEVELS, OFFICE_KINDS, ONLINE_LEVELS
from .portal import is_old_portal_link, portal_search_url

CODE_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{1,39}$")
CODE = validate.Regexp(CODE_PATTERN, error="Letters, digits, '.', '_' or '-', 2 to 40 characters.")
SHORT = validate.Length(min=1, max=300)
LONG = validate.Length(max=10_000)


class Text(fields.String):
    """A string without NUL characters, which PostgreSQL can neither store nor compare."""

    default_error_messages = {"nul": "Must not contain NUL characters."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        loaded = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in loaded:
            raise self.make_error("nul")
        return loaded


def _iso_date(value: str) -> None:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValidationError("Not a date in YYYY-MM-DD form.") from None


def _live_portal_link(url: str) -> None:
    if is_old_portal_link(url):
        raise ValidationError(
            "The portal's old pages by code are gone: link to its search "
            f"({portal_search_url('1.001193')}) or to the procedure's page "
            "by the portal's own id."
        )


def _not_in_the_future(value: date) -> None:
    if value > date.today():
        raise ValidationError("Must not be in the future.")


def _text_list(max_items: int = 100) -> fields.List:
    return fields.List(
        Text(validate=validate.Length(min=1, max=2_000)),
        load_default=list,
        validate=validate.Length(max=max_items),
    )


# -- records ---------------------------------------------------------------------------------


class ProvenanceSchema(Schema):
    """Where a record comes from. ``unverified`` left out means: unverified unless both a
    source and the day it was checked are given; ``unverified: false`` needs both."""

    source = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "the decision or official page it was taken from"},
    )
    verified_at = fields.Date(
        load_default=None,
        allow_none=True,
        validate=_not_in_the_future,
        metadata={"description": "the day it was checked against it"},
    )
    unverified = fields.Boolean(
        load_default=None,
        metadata={"description": "no official text confirms it (shown as 'chưa xác minh')"},
    )

    @validates_schema
    def _confirmed_needs_a_source(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("unverified") is False:
            missing = {
                name: ["Required to mark the record verified."]
                for name in ("source", "verified_at")
                if not data.get(name)
            }
            if missing:
                raise ValidationError(missing)

    @post_load
    def _default_unverified(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if data.get("unverified", ...) is None:
            data["unverified"] = not (data.get("source") and data.get("verified_at"))
        elif "unverified" not in data and any(
            name in data and not data[name] for name in ("source", "verified_at")
        ):
            data["unverified"] = True  # a change that clears the source unconfirms the record
        return data


class ChannelSchema(Schema):
    channel = Text(required=True, validate=validate.OneOf(CHANNELS))
    processing_time = Text(load_default="", validate=validate.Length(max=300))
    processing_days = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(0, 3_650)
    )
    fee = Text(load_default="", validate=validate.Length(max=1_000))
    fee_vnd = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(0, 10_000_000_000)
    )
    fee_basis = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "the number of the legal basis that sets the fee"},
    )
    fee_unverified = fields.Boolean(
        load_default=False, metadata={"description": "no official text confirms the fee"}
    )


class DocumentItemSchema(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=2_000))
    template = Text(load_default=None, allow_none=True, validate=validate.Length(max=300))
    originals = fields.Integer(load_default=1, validate=validate.Range(0, 50))
    copies = fields.Integer(load_default=0, validate=validate.Range(0, 50))


class DocumentGroupSchema(Schema):
    case = Text(load_default="", validate=validate.Length(max=1_000))
    items = fields.List(
        fields.Nested(DocumentItemSchema), required=True, validate=validate.Length(min=1, max=100)
    )


class LegalBasisSchema(Schema):
    number = Text(required=True, validate=validate.Length(min=1, max=100))
    title = Text(load_default="", validate=validate.Length(max=1_000))
    date = Text(load_default=None, allow_none=True, validate=_iso_date)
    issuer = Text(load_default="", validate=validate.Length(max=300))


def _agency_code() -> Text:
    """The managing agency's code, as staff accounts are bound to (absent: left as it is)."""
    return Text(
        allow_none=True,
        validate=validate.Regexp(r"^[A-Za-z0-9._-]{2,32}$"),
        metadata={"description": "the agency whose staff manage it; null: the province"},
    )


class ProcedureRecordSchema(ProvenanceSchema):
    """A procedure as the national catalog describes it: the import and staff format."""

    code = Text(required=True, validate=CODE)
    name = Text(required=True, validate=validate.Length(min=1, max=1_000))
    name_en = Text(load_default=None, allow_none=True, validate=validate.Length(max=1_000))
    field = Text(required=True, validate=validate.Length(min=1, max=200))
    level = Text(required=True, validate=validate.OneOf(LEVELS))
    agency = Text(required=True, validate=SHORT)
    agency_code = _agency_code()
    online_level = Text(required=True, validate=validate.OneOf(ONLINE_LEVELS))
    description = Text(load_default="", validate=LONG)
    channels = fields.List(
        fields.Nested(ChannelSchema), required=True, validate=validate.Length(min=1, max=10)
    )
    documents = fields.List(
        fields.Nested(DocumentGroupSchema), load_default=list, validate=validate.Length(max=50)
    )
    steps = _text_list()
    applicants = _text_list()
    result = Text(load_default="", validate=LONG)
    conditions = _text_list()
    legal_basis = fields.List(
        fields.Nested(LegalBasisSchema), load_default=list, validate=validate.Length(max=100)
    )
    where_to_submit = Text(load_default="", validate=LONG)
    online_url = fields.URL(
        load_default=None, allow_none=True, schemes={"http", "https"}, validate=_live_portal_link
    )
    keywords = _text_list(50)

    @validates_schema
    def _fee_bases_are_cited(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "channels" not in data or "legal_basis" not in data:
            return  # a partial change names only one half; the other was checked when stored
        cited = {basis["number"] for basis in data["legal_basis"]}
        uncited = sorted(
            {
                c["fee_basis"]
                for c in data["channels"]
                if c.get("fee_basis") and c["fee_basis"] not in cited
            }
        )
        if uncited:
            raise ValidationError(
                f"fee_basis not among the legal bases: {', '.join(uncited)}.", field_name="channels"
            )


class ProcedureChangesSchema(ProcedureRecordSchema):
    """Some fields of a procedure (its code does not change); load with ``partial=True``."""

    class Meta:
        exclude = ("code",)


class BundleRecordSchema(ProvenanceSchema):
    code = Text(required=True, validate=CODE)
    name = Text(required=True, validate=validate.Length(min=1, max=500))
    name_en = Text(load_default=None, allow_none=True, validate=validate.Length(max=500))
    description = Text(load_default="", validate=LONG)
    official = fields.Boolean(
        load_default=False,
        metadata={
            "description": "a linked service the government publishes; false: the project's own"
        },
    )
    procedures = fields.List(
        Text(validate=CODE), required=True, validate=validate.Length(min=1, max=20)
    )

    @validates_schema
    def _distinct(self, data: dict[str, Any], **kwargs: Any) -> None:
        codes = data.get("procedures", [])
        if len(set(codes)) != len(codes):
            raise ValidationError("A procedure appears twice.", field_name="procedures")


class OfficeRecordSchema(ProvenanceSchema):
    code = Text(required=True, validate=CODE)
    name = Text(required=True, validate=SHORT)
    kind = Text(required=True, validate=validate.OneOf(OFFICE_KINDS))
    address = Text(required=True, validate=validate.Length(min=1, max=500))
    ward_code = WardCodeField(load_default=None, allow_none=True)
    latitude = fields.Float(required=True, validate=validate.Range(-90, 90))
    longitude = fields.Float(required=True, validate=validate.Range(-180, 180))
    coordinates_approximate = fields.Boolean(load_default=False)
    opening_hours = Text(load_default="", validate=validate.Length(max=300))
    phone = Text(load_default="", validate=validate.Length(max=60))
    agency_code = _agency_code()


class OfficeChangesSchema(OfficeRecordSchema):
    """Some fields of an office (its code does not change); load with ``partial=True``."""

    class Meta:
        exclude = ("code",)


# -- query arguments -------------------------------------------------------------------------


class ProcedureSearchArgs(CursorPageArgs):
    q = Text(load_default="", validate=validate.Length(max=200))
    field = Text(validate=validate.Length(min=1, max=200))
    agency = Text(validate=SHORT)
    level = Text(validate=validate.OneOf(LEVELS))
    online_level = Text(validate=validate.OneOf(ONLINE_LEVELS))


_NEAR = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


class OfficeSearchArgs(CursorPageArgs):
    near = Text(metadata={"description": "``lat,lon``: nearest offices first"})
    lat = fields.Float(validate=validate.Range(-90, 90))
    lon = fields.Float(validate=validate.Range(-180, 180))
    radius_km = fields.Float(
        validate=validate.Range(min=0, min_inclusive=False, max=500),
        metadata={"description": "with a position: only offices this close"},
    )
    ward_code = WardCodeField()
    kind = Text(validate=validate.OneOf(OFFICE_KINDS))

    @validates_schema
    def _position(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "near" in data:
            match = _NEAR.match(data.pop("near"))
            latitude, longitude = (float(v) for v in match.groups()) if match else (999, 999)
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                raise ValidationError(
                    "Expected 'latitude,longitude' in degrees.", field_name="near"
                )
            data["lat"], data["lon"] = latitude, longitude
        if ("lat" in data) != ("lon" in data):
            missing = "lon" if "lat" in data else "lat"
            raise ValidationError("Give both lat and lon.", field_name=missing)
        if "radius_km" in data and "lat" not in data:
            raise ValidationError(
                "Needs a position (near, or lat and lon).", field_name="radius_km"
            )


# -- responses -------------------------------------------------------------------------------


class ProcedureSummarySchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "in the request's language"})
    field = fields.String(required=True)
    level = fields.String(required=True)
    agency = fields.String(required=True)
    online_level = fields.String(required=True)


class FacetsSchema(Schema):
    field = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    level = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    online_level = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    agency = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class ProcedureSearchPageSchema(Schema):
    items = fields.List(fields.Nested(ProcedureSummarySchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
    total = fields.Integer(required=True, metadata={"description": "matches with the filters"})
    facets = fields.Nested(
        FacetsSchema,
        required=True,
        metadata={"description": "counts per value, each under the query and the other filters"},
    )


class ChannelOutSchema(ChannelSchema):
    payments_url = fields.String(
        allow_none=True,
        dump_default=None,
        metadata={"description": "pay this fee in the payments utility, when it is installed"},
    )


class ProcedureDetailSchema(ProcedureRecordSchema):
    name_vi = fields.String(required=True, metadata={"description": "the official name"})
    channels = fields.List(fields.Nested(ChannelOutSchema), required=True)
    checklist_url = fields.String(required=True)
    offices_url = fields.String(required=True)
    updated_at = fields.DateTime(required=True)
    retired_at = fields.DateTime(allow_none=True)


class BundleProcedureSchema(ProcedureSummarySchema):
    position = fields.Integer(required=True)
    fee_vnd = fields.Integer(
        allow_none=True, required=True, metadata={"description": "the cheapest channel's fee"}
    )


class CombinedDocumentSchema(Schema):
    name = fields.String(required=True)
    template = fields.String(allow_none=True)
    originals = fields.Integer(required=True)
    copies = fields.Integer(required=True)
    procedures = fields.List(fields.String(), required=True)


class ProvenanceOutSchema(Schema):
    source = fields.String(allow_none=True, required=True)
    verified_at = fields.Date(allow_none=True, required=True)
    unverified = fields.Boolean(required=True)


class BundleSummarySchema(ProvenanceOutSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    official = fields.Boolean(
        required=True,
        metadata={
            "description": "false: a grouping of this project's own, not a published service"
        },
    )


class BundleDetailSchema(BundleSummarySchema):
    procedures = fields.List(fields.Nested(BundleProcedureSchema), required=True)
    documents = fields.List(
        fields.Nested(CombinedDocumentSchema),
        required=True,
        metadata={"description": "every document once, for all steps"},
    )
    total_fee_vnd = fields.Integer(required=True)
    fees_complete = fields.Boolean(
        required=True, metadata={"description": "false when a step's fee is not known in đồng"}
    )


class OfficeSchema(ProvenanceOutSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    address = fields.String(required=True)
    ward_code = fields.Integer(allow_none=True)
    latitude = fields.Float(required=True)
    longitude = fields.Float(required=True)
    coordinates_approximate = fields.Boolean(required=True)
    opening_hours = fields.String(required=True)
    phone = fields.String(required=True)
    distance_km = fields.Float(allow_none=True, metadata={"description": "with a position"})
