"""Category shapes: what administrators write, and what the app and Open311 read."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from smartapp.plugin import localize

from .models import Priority

CODE = validate.Regexp(
    r"^[a-z0-9][a-z0-9_-]{1,63}$",
    error="Lower-case letters, digits, '_' or '-', 2 to 64 characters.",
)
QUESTION_CODE = validate.Regexp(
    r"^[a-z][a-z0-9_]{0,39}$", error="Lower-case letters, digits or '_', at most 40."
)
#: Open311 GeoReport v2 attribute datatypes
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_DATATYPES = ("singlevaluelist", "multivaluelist")


class LocalizedField(fields.Dict):
    """``{"vi": …, "en"?: …}``: Vietnamese required, English optional, nothing else."""

    def __init__(self, max_length: int = 200, **kwargs: Any) -> None:
        super().__init__(
            keys=fields.String(validate=validate.OneOf(["vi", "en"])),
            values=fields.String(validate=validate.Length(1, max_length)),
            **kwargs,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        loaded = super()._deserialize(value, attr, data, **kwargs)
        if "vi" not in loaded:
            raise ValidationError("A Vietnamese ('vi') text is required.")
        return loaded


class ValueSchema(Schema):
    key = fields.String(required=True, validate=validate.Length(1, 60))
    name = LocalizedField(required=True)


class QuestionSchema(Schema):
    """An extra question of a category, shaped as an Open311 attribute."""

    code = fields.String(required=True, validate=QUESTION_CODE)
    datatype = fields.String(required=True, validate=validate.OneOf(DATATYPES))
    required = fields.Boolean(load_default=False)
    description = LocalizedField(required=True, max_length=500)
    datatype_description = LocalizedField(max_length=300)
    order = fields.Integer(load_default=1, validate=validate.Range(1, 1000))
    values = fields.List(
        fields.Nested(ValueSchema), load_default=list, validate=validate.Length(max=50)
    )

    @validates_schema
    def _values_fit_datatype(self, data: dict[str, Any], **_: Any) -> None:
        listed = data["datatype"] in LIST_DATATYPES
        if listed and not data["values"]:
            raise ValidationError("A list question needs values.", "values")
        if not listed and data["values"]:
            raise ValidationError("Only list questions have values.", "values")
        keys = [value["key"] for value in data["values"]]
        if len(set(keys)) != len(keys):
            raise ValidationError("Value keys must be unique.", "values")


class CategoryRecordSchema(Schema):
    """A category as administrators write it."""

    code = fields.String(required=True, validate=CODE)
    name = LocalizedField(required=True)
    description = LocalizedField(load_default=lambda: {"vi": ""}, max_length=2000)
    agency_code = fields.String(required=True, validate=validate.Length(1, 32))
    priority = fields.String(
        load_default=Priority.NORMAL, validate=validate.OneOf([p.value for p in Priority])
    )
    resolve_hours = fields.Integer(
        load_default=40,
        validate=validate.Range(1, 2000),
        metadata={"description": "working hours to resolve"},
    )
    questions = fields.List(
        fields.Nested(QuestionSchema), load_default=list, validate=validate.Length(max=20)
    )
    hotline = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^\+?[0-9]{3,15}$"),
        metadata={"description": "emergencies: the number shown instead of a form"},
    )
    keywords = fields.String(load_default="", validate=validate.Length(max=300))
    position = fields.Integer(load_default=100, validate=validate.Range(0, 10_000))
    active = fields.Boolean(load_default=True)

    @validates_schema
    def _unique_question_codes(self, data: dict[str, Any], **_: Any) -> None:
        codes = [question["code"] for question in data.get("questions", [])]
        if len(set(codes)) != len(codes):
            raise ValidationError("Question codes must be unique.", "questions")


class CategoryChangesSchema(CategoryRecordSchema):
    """Some fields of a category; its code never changes (Open311 clients rely on it)."""

    class Meta:
        exclude = ("code",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(partial=True, **kwargs)


def _localized(vi: str, en: str | None) -> dict[str, str]:
    return {"vi": vi, "en": en} if en else {"vi": vi}


def _names(category: Any) -> dict[str, str]:
    return _localized(category.name_vi, category.name_en)


def _descriptions(category: Any) -> dict[str, str]:
    return _localized(category.description_vi, category.description_en)


def localized_question(question: dict[str, Any], language: str | None = None) -> dict[str, Any]:
    shown = dict(question)
    shown["description"] = localize(question["description"], language)
    if "datatype_description" in question:
        shown["datatype_description"] = localize(question["datatype_description"], language)
    shown["values"] = [
        {"key": value["key"], "name": localize(value["name"], language)}
        for value in question.get("values", [])
    ]
    return shown


class CategorySchema(Schema):
    """A category as the app shows it, in the request's language."""

    code = fields.String()
    name = fields.Function(lambda category: localize(_names(category)))
    description = fields.Function(lambda category: localize(_descriptions(category)))
    agency_code = fields.String()
    priority = fields.String()
    resolve_hours = fields.Integer()
    hotline = fields.String(
        allow_none=True, metadata={"description": "when set: call this number instead"}
    )
    questions = fields.Function(lambda c: [localized_question(q) for q in c.questions])


class CategoryAdminSchema(Schema):
    """A category with every language, as administrators edit it."""

    code = fields.String()
    name = fields.Function(_names)
    description = fields.Function(_descriptions)
    agency_code = fields.String()
    priority = fields.String()
    resolve_hours = fields.Integer()
    questions = fields.Raw()
    hotline = fields.String(allow_none=True)
    keywords = fields.String()
    position = fields.Integer()
    active = fields.Boolean()
