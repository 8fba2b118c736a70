"""Staff routes under ``/api/v1/u/feedback/admin/``: categories, the reports of an agency,
their workflow, moderation and Open311 keys."""

from __future__ import annotations

from typing import Any

from smartapp.plugin import abort, staff_required

from . import categories
from .category_schemas import CategoryAdminSchema, CategoryChangesSchema, CategoryRecordSchema
from .models import Category
from .routes import blp


def _category(code: str) -> Category:
    category = categories.category_by_code(code, active_only=False)
    if category is None:
        abort(404)
    return category


@blp.route("/admin/categories")
@staff_required("admin")
@blp.response(200, CategoryAdminSchema(many=True))
def admin_list_categories() -> list[Category]:
    """Every category, retired ones too, with every language."""
    return categories.all_categories()


@blp.route("/admin/categories", methods=["POST"])
@staff_required("admin")
@blp.arguments(CategoryRecordSchema)
@blp.response(201, CategoryAdminSchema)
def admin_create_category(body: dict[str, Any]) -> Category:
    """Add a category: the agency it goes to, its priority and deadline, its questions."""
    return categories.create_category(body)


@blp.route("/admin/categories/<code>", methods=["PATCH"])
@staff_required("admin")
@blp.arguments(CategoryChangesSchema)
@blp.response(200, CategoryAdminSchema)
def admin_update_category(body: dict[str, Any], code: str) -> Category:
    """Change some fields of a category (``active: false`` retires it)."""
    return categories.update_category(_category(code), body)
