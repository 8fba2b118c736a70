"""Citizens' routes under ``/api/v1/u/feedback/``: categories, photos, reports, the map."""

from __future__ import annotations

from smartapp.plugin import Blueprint

from . import categories
from .category_schemas import CategorySchema
from .models import Category

blp = Blueprint("smartapp_feedback", __name__,
                description="Citizen feedback: reports with photos, routed to an agency")


@blp.route("/categories")
@blp.response(200, CategorySchema(many=True))
def list_categories() -> list[Category]:
    """The categories a citizen can report under, in the request's language. One with a
    ``hotline`` is an emergency: the app shows the number to call instead of a form."""
    return categories.active_categories()
