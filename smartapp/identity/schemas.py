"""Request and response bodies of the identity routes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from smartapp.i18n import LANGUAGES
from smartapp.identity.models import Role
from smartapp.locations.services import WardCodeField
from smartapp.pagination import CursorPageArgs

PHONE = validate.Regexp(r"^\+[1-9]\d{7,14}$", error="must be an E.164 phone number (+84…)")


class CitizenUpdateSchema(Schema):
    """What a citizen may change about themselves."""

    display_name = fields.String(allow_none=True, validate=validate.Length(min=1, max=120))
    language = fields.String(validate=validate.OneOf(LANGUAGES))
    ward_code = WardCodeField(allow_none=True)


class CitizenSchema(CitizenUpdateSchema):
    id = fields.Integer(dump_only=True)
    phone_number = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class StaffTokenRequestSchema(Schema):
    email = fields.Email(required=True)
    password = fields.String(
        required=True, validate=validate.Length(min=1, max=256), load_only=True
    )


class StaffSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = fields.Email(required=True)
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    agency_code = fields.String(
        allow_none=True, validate=validate.Regexp(r"^[A-Za-z0-9._-]{2,32}$")
    )
    permissions = fields.List(fields.String(validate=validate.Length(max=100)))
    active = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class StaffChangeSchema(Schema):
    role = fields.String(validate=validate.OneOf([r.value for r in Role]))
    agency_code = fields.String(
        allow_none=True, validate=validate.Regexp(r"^[A-Za-z0-9._-]{2,32}$")
    )
    permissions = fields.List(fields.String(validate=validate.Length(max=100)))
    active = fields.Boolean()


class StaffCreateSchema(StaffSchema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))


class StaffTokenSchema(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_in = fields.Integer(required=True)
    staff = fields.Nested(StaffSchema, required=True)


class DevelopmentSignInSchema(Schema):
    phone_number = fields.String(required=True, validate=PHONE)
    display_name = fields.String(validate=validate.Length(min=1, max=120))


class DevelopmentTokenSchema(Schema):
    id_token = fields.String(required=True)
    expires_in = fields.Integer(required=True)


#: the ids of ``Integer`` primary keys
ROW_ID = validate.Range(min=1, max=2**31 - 1)


class PersonalDataReadArgs(CursorPageArgs):
    """Filters of staff reads of personal data: by staff member, by citizen, by dates."""

    staff_id = fields.Integer(
        validate=ROW_ID, metadata={"description": "the staff member who looked"}
    )
    citizen_id = fields.Integer(
        validate=ROW_ID, metadata={"description": "the citizen whose data was shown"}
    )
    since = fields.Date(metadata={"description": "from this day (UTC), inclusive"})
    until = fields.Date(metadata={"description": "until this day (UTC), inclusive"})


class AuditFilterArgs(PersonalDataReadArgs):
    """Filters of the audit log."""

    action = fields.String(
        validate=validate.Length(max=100), metadata={"description": "the action starts with"}
    )
    actor = fields.String(
        validate=validate.Length(max=254), metadata={"description": "part of the actor's e-mail"}
    )
    object_type = fields.String(validate=validate.Length(max=64))
