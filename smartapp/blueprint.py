"""The flask-smorest ``Blueprint`` every smartapp route (core and plugins) is declared on."""

from __future__ import annotations

from typing import Any

import flask_smorest
from marshmallow import Schema


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's blueprint, parsing each route's arguments with one schema instance:
    given a schema class, webargs builds a new schema (deep-copying every field) on every
    request, about 40 µs of the home screen's budget."""

    def arguments(self, schema: type[Schema] | Schema, *args: Any, **kwargs: Any) -> Any:
        return super().arguments(schema() if isinstance(schema, type) else schema,
                                 *args, **kwargs)
