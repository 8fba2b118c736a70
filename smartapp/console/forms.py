"""HTML forms generated from marshmallow schemas, so a console form obeys the very schema the
API validates with: the schema gives the fields, their types, choices and defaults, and its
``load`` gives the errors. (WTForms would be a second description of the same fields.)

A field's label is ``metadata={"label": {"vi": …, "en": …}}``, else its name; its help text
is ``metadata["description"]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, fields, validate
from werkzeug.datastructures import MultiDict

from smartapp.i18n import localize


@dataclass
class FormField:
    """One input, ready for ``console/fields.html``."""

    name: str
    label: str
    kind: str  # checkbox, number, select, textarea, email, text
    value: Any
    required: bool = False
    help: str | None = None
    choices: list[str] = field(default_factory=list)
    step: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    errors: list[str] = field(default_factory=list)


def _kind(schema_field: fields.Field[Any]) -> str:
    if isinstance(schema_field, fields.Boolean):
        return "checkbox"
    if isinstance(schema_field, fields.Number):
        return "number"
    if isinstance(schema_field, fields.List):
        return "textarea"
    if _choices(schema_field):
        return "select"
    return "email" if isinstance(schema_field, fields.Email) else "text"


def _choices(schema_field: fields.Field[Any]) -> list[str]:
    validators = schema_field.validators
    return next(
        (list(map(str, v.choices)) for v in validators if isinstance(v, validate.OneOf)), []
    )


def _range(schema_field: fields.Field[Any]) -> tuple[float | None, float | None]:
    found = next((v for v in schema_field.validators if isinstance(v, validate.Range)), None)
    return (found.min, found.max) if found else (None, None)


def _shown(value: Any) -> Any:
    return "\n".join(map(str, value)) if isinstance(value, list | tuple) else value


def form_fields(
    schema: Schema,
    values: Mapping[str, Any],
    language: str,
    errors: Mapping[str, Any] | None = None,
) -> list[FormField]:
    """The inputs of ``schema``'s loadable fields, filled with ``values``."""
    errors = errors or {}
    result = []
    for name, schema_field in schema.load_fields.items():
        label = schema_field.metadata.get("label")
        kind = _kind(schema_field)
        minimum, maximum = _range(schema_field)
        messages = errors.get(name, [])
        result.append(
            FormField(
                name=name,
                kind=kind,
                value=_shown(values.get(name)),
                label=localize(label, language) if isinstance(label, Mapping) else name,
                required=schema_field.required,
                help=schema_field.metadata.get("description"),
                choices=_choices(schema_field),
                minimum=minimum,
                maximum=maximum,
                step="1" if isinstance(schema_field, fields.Integer) else "any",
                errors=messages if isinstance(messages, list) else [str(messages)],
            )
        )
    return result


def form_values(schema: Schema, form: MultiDict[str, str]) -> dict[str, Any]:
    """What the browser sent, shaped for ``schema.load``: a checkbox is present or not, a
    list is one item per line, an empty input is left out (the schema's default applies)."""
    values: dict[str, Any] = {}
    for name, schema_field in schema.load_fields.items():
        if isinstance(schema_field, fields.Boolean):
            values[name] = name in form
        elif isinstance(schema_field, fields.List):
            lines = (line.strip() for line in form.get(name, "").splitlines())
            values[name] = [line for line in lines if line]
        elif (text := form.get(name, "").strip()) != "":
            values[name] = text
    return values
