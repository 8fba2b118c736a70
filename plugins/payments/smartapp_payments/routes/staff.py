"""What staff change, under ``/admin/``: administrators, and staff granted
``payments:manage`` (staff bound to an agency manage that agency's fee accounts only).
Every change is audited in the transaction that makes it."""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload

from smartapp.plugin import Schema, abort, current_language, staff_required

from ..schemas import (
    FeeAccountChangesSchema,
    FeeAccountRecordSchema,
    FeeAccountSchema,
    FeeItemChangesSchema,
    FeeItemRecordSchema,
    FeeItemSchema,
    GuideChangesSchema,
    GuideRecordSchema,
    GuideSchema,
    ImportReportSchema,
    PlaceChangesSchema,
    PlaceRecordSchema,
    PlaceSchema,
)
from ..services import fees, guides, imports, places
from ..settings import MANAGE
from .blueprint import blueprint


class ImportFileSchema(Schema):
    file = Upload(required=True, metadata={"description": "a UTF-8 CSV file (see README)"})


# -- places ----------------------------------------------------------------------------------


@blueprint.route("/admin/places", methods=["POST"])
@staff_required(permission=MANAGE)
@blueprint.arguments(PlaceRecordSchema)
@blueprint.response(201, PlaceSchema)
def create_place(record: dict[str, Any]) -> dict[str, Any]:
    """Add a place accepting cashless payment."""
    return places.view(places.PLACES.create(record))


@blueprint.route("/admin/places/<code>", methods=["PATCH"])
@staff_required(permission=MANAGE)
@blueprint.arguments(PlaceChangesSchema(partial=True))
@blueprint.response(200, PlaceSchema)
def update_place(changes: dict[str, Any], code: str) -> dict[str, Any]:
    """Change some fields of a place; a retired one is listed again."""
    place = places.place_by_code(code, include_retired=True)
    return places.view(places.PLACES.update(place, changes))


@blueprint.route("/admin/places/<code>", methods=["DELETE"])
@staff_required(permission=MANAGE)
@blueprint.response(204)
def retire_place(code: str) -> None:
    """Retire a place: kept, no longer listed."""
    places.PLACES.retire(places.place_by_code(code, include_retired=True))


@blueprint.route("/admin/places/import", methods=["POST"])
@staff_required(permission=MANAGE)
@blueprint.arguments(ImportFileSchema, location="files")
@blueprint.response(200, ImportReportSchema)
def import_places(files: dict[str, Any]) -> imports.ImportReport:
    """Upsert places by code from a CSV file: all rows or none; bad rows are a 422 naming
    each by line and field (``"line 3.ward_code"``)."""
    try:
        plan = imports.plan(files["file"].read(imports.MAX_BYTES + 1))
    except imports.ImportFileError as error:
        abort(422, message=str(error), errors={"file": [str(error)]})
    if plan.errors:
        abort(
            422,
            message=f"{len(plan.errors)} rows are not valid: nothing was imported.",
            errors=plan.error_fields(),
        )
    return imports.write(plan)


# -- fee accounts and items ------------------------------------------------------------------


@blueprint.route("/admin/fee-accounts", methods=["POST"])
@staff_required(permission=MANAGE)
@blueprint.arguments(FeeAccountRecordSchema)
@blueprint.response(201, FeeAccountSchema)
def create_fee_account(record: dict[str, Any]) -> dict[str, Any]:
    """Add an agency's collecting account (unknown bank or bad number: 422)."""
    return fees.account_view(fees.write_account(None, record))


@blueprint.route("/admin/fee-accounts/<int:account_id>", methods=["PATCH"])
@staff_required(permission=MANAGE)
@blueprint.arguments(FeeAccountChangesSchema(partial=True))
@blueprint.response(200, FeeAccountSchema)
def update_fee_account(changes: dict[str, Any], account_id: int) -> dict[str, Any]:
    """Change a fee account."""
    account = fees.account_by_id(account_id, include_retired=True)
    return fees.account_view(fees.write_account(account, changes))


@blueprint.route("/admin/fee-accounts/<int:account_id>", methods=["DELETE"])
@staff_required(permission=MANAGE)
@blueprint.response(204)
def retire_fee_account(account_id: int) -> None:
    """Retire a fee account: its fee items are no longer listed."""
    fees.retire_account(fees.account_by_id(account_id, include_retired=True))


@blueprint.route("/admin/fee-items", methods=["POST"])
@staff_required(permission=MANAGE)
@blueprint.arguments(FeeItemRecordSchema)
@blueprint.response(201, FeeItemSchema)
def create_fee_item(record: dict[str, Any]) -> dict[str, Any]:
    """Add a fee item paid into a fee account."""
    return fees.item_view(fees.write_item(None, record))


@blueprint.route("/admin/fee-items/<code>", methods=["PATCH"])
@staff_required(permission=MANAGE)
@blueprint.arguments(FeeItemChangesSchema(partial=True))
@blueprint.response(200, FeeItemSchema)
def update_fee_item(changes: dict[str, Any], code: str) -> dict[str, Any]:
    """Change a fee item."""
    return fees.item_view(fees.write_item(fees.item_by_code(code, include_retired=True), changes))


@blueprint.route("/admin/fee-items/<code>", methods=["DELETE"])
@staff_required(permission=MANAGE)
@blueprint.response(204)
def retire_fee_item(code: str) -> None:
    """Retire a fee item."""
    fees.retire_item(fees.item_by_code(code, include_retired=True))


# -- guides ----------------------------------------------------------------------------------


@blueprint.route("/admin/guides", methods=["POST"])
@staff_required(permission=MANAGE)
@blueprint.arguments(GuideRecordSchema)
@blueprint.response(201, GuideSchema)
def create_guide(record: dict[str, Any]) -> dict[str, Any]:
    """Add a guide (Vietnamese required, English advised)."""
    return guides.view(guides.GUIDES.create(record), current_language())


@blueprint.route("/admin/guides/<slug>", methods=["PATCH"])
@staff_required(permission=MANAGE)
@blueprint.arguments(GuideChangesSchema(partial=True))
@blueprint.response(200, GuideSchema)
def update_guide(changes: dict[str, Any], slug: str) -> dict[str, Any]:
    """Change a guide; a retired one is listed again."""
    guide = guides.guide_by_slug(slug, include_retired=True)
    return guides.view(guides.GUIDES.update(guide, changes), current_language())


@blueprint.route("/admin/guides/<slug>", methods=["DELETE"])
@staff_required(permission=MANAGE)
@blueprint.response(204)
def retire_guide(slug: str) -> None:
    """Retire a guide."""
    guides.GUIDES.retire(guides.guide_by_slug(slug, include_retired=True))
