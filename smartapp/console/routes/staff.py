"""``/admin/staff``: accounts, roles, agencies, permissions, deactivation, through the
identity services and the API's schemas (the API's rules are the console's rules)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, render_template, request
from marshmallow import ValidationError
from sqlalchemy import select
from werkzeug.wrappers import Response

from smartapp.console.blueprint import back_to, blp, console_language, page, t
from smartapp.errors import DomainError
from smartapp.extensions import db
from smartapp.i18n import localize
from smartapp.identity.models import Role, Staff
from smartapp.identity.schemas import StaffChangeSchema, StaffCreateSchema
from smartapp.identity.services import change_staff, create_staff, deactivate_staff
from smartapp.ioc.routes import IOC_PERMISSION
from smartapp.plugins.registry import registry

CREATE = StaffCreateSchema()
CHANGE = StaffChangeSchema()
ROLE_NAMES = {
    Role.ADMIN: {"vi": "Quản trị", "en": "Administrator"},
    Role.COMMUNICATOR: {"vi": "Truyền thông", "en": "Communicator"},
    Role.AGENCY_STAFF: {"vi": "Cán bộ cơ quan", "en": "Agency staff"},
}


def _permission_choices() -> list[tuple[str, str]]:
    """Every permission staff can be granted: the IOC's and each loaded plugin's."""
    language = console_language()
    choices = [
        (IOC_PERMISSION, localize({"vi": "Xem số liệu IOC", "en": "Read IOC figures"}, language))
    ]
    for plugin in registry().loaded():
        for name, label in sorted(plugin.permissions.items()):
            choices.append(
                (
                    f"{plugin.slug}:{name}",
                    f"{localize(plugin.title, language)}: {localize(label, language)}",
                )
            )
    return choices


def _grants(form: Any) -> dict[str, Any]:
    return {
        "role": form.get("role", ""),
        "agency_code": form.get("agency_code", "").strip() or None,
        "permissions": form.getlist("permissions"),
    }


def _errors(error: DomainError) -> dict[str, list[str]]:
    """What the service refused, by form field (the service's own message when it names none)."""
    return error.errors or {"": [str(error)]}


def _list_page(status: int = 200, **context: Any) -> tuple[str, int]:
    accounts = db.session.scalars(select(Staff).order_by(Staff.id)).all()
    return render_template(
        "console/staff.html",
        accounts=accounts,
        roles=ROLE_NAMES,
        permissions=_permission_choices(),
        **context,
    ), status


@blp.get("/staff")
@page(Role.ADMIN)
def staff() -> tuple[str, int]:
    """Every staff account, and a form to add one."""
    return _list_page()


@blp.post("/staff")
@page(Role.ADMIN)
def create_account() -> Any:
    """Create a staff account."""
    submitted = {
        "email": request.form.get("email", "").strip(),
        "password": request.form.get("password", ""),
        **_grants(request.form),
    }
    try:
        body = CREATE.load(submitted)
        account = create_staff(
            body["email"],
            body["password"],
            body["role"],
            body.get("agency_code"),
            body.get("permissions"),
        )
    except ValidationError as error:
        return _list_page(422, errors=error.normalized_messages(), submitted=submitted)
    except DomainError as error:
        return _list_page(error.status, errors=_errors(error), submitted=submitted)
    flash(t(f"Đã tạo tài khoản {account.email}.", f"Account {account.email} created."), "success")
    return back_to("console.staff")


def _account(staff_id: int) -> Staff:
    account = db.session.get(Staff, staff_id)
    if account is None:
        abort(404)
    return account


def _edit_page(account: Staff, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(
        "console/staff_account.html",
        account=account,
        roles=ROLE_NAMES,
        permissions=_permission_choices(),
        **context,
    ), status


@blp.get("/staff/<int:staff_id>")
@page(Role.ADMIN)
def account(staff_id: int) -> tuple[str, int]:
    """One account's role, agency and permissions."""
    return _edit_page(_account(staff_id))


@blp.post("/staff/<int:staff_id>")
@page(Role.ADMIN)
def change_account(staff_id: int) -> Any:
    """Change an account's role, agency or permissions."""
    account = _account(staff_id)
    try:
        changes = CHANGE.load(_grants(request.form))
        change_staff(account, changes)
    except ValidationError as error:
        db.session.rollback()
        return _edit_page(account, 422, errors=error.normalized_messages())
    except DomainError as error:
        return _edit_page(account, error.status, errors=_errors(error))
    flash(t("Đã lưu.", "Saved."), "success")
    return back_to("console.account", staff_id=staff_id)


@blp.post("/staff/<int:staff_id>/deactivate")
@page(Role.ADMIN)
def deactivate(staff_id: int) -> Response | tuple[str, int]:
    """Close an account: its sessions and tokens stop working at once."""
    account = _account(staff_id)
    try:
        deactivate_staff(account)
    except DomainError as error:
        return _edit_page(account, error.status, errors=_errors(error))
    flash(
        t(f"Đã khoá tài khoản {account.email}.", f"Account {account.email} deactivated."), "success"
    )
    return back_to("console.staff")
