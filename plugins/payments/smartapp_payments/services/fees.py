"""Agencies' fee accounts and fee items, and the link ``public-services`` shows beside a
procedure's fee (a soft dependency both ways: each works without the other)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from marshmallow import ValidationError
from sqlalchemy import Select, select

from smartapp.plugin import abort, current_staff, db, get_plugin

from ..models import FeeAccount, FeeItem
from ..schemas import CODE_PATTERN
from ..settings import SLUG
from ..vietqr import Transfer, VietQRError, bank_by_bin, beneficiary_bank
from ..vietqr.encoder import check_account
from . import records

PUBLIC_SERVICES = "public-services"
ACCOUNT, ITEM = "payments.fee_account", "payments.fee_item"
API_ROOT = f"/api/v1/u/{SLUG}"


# -- reading ---------------------------------------------------------------------------------


def accounts_query(filters: Mapping[str, Any]) -> Select[tuple[FeeAccount]]:
    statement = select(FeeAccount).where(FeeAccount.retired_at.is_(None))
    if "agency_code" in filters:
        statement = statement.where(FeeAccount.agency_code == filters["agency_code"])
    return statement


def items_query(filters: Mapping[str, Any]) -> Select[tuple[FeeItem]]:
    statement = (
        select(FeeItem)
        .join(FeeItem.fee_account)
        .where(FeeItem.retired_at.is_(None), FeeAccount.retired_at.is_(None))
    )
    if "procedure_code" in filters:
        statement = statement.where(FeeItem.procedure_code == filters["procedure_code"])
    if "agency_code" in filters:
        statement = statement.where(FeeAccount.agency_code == filters["agency_code"])
    return statement


def account_view(account: FeeAccount) -> dict[str, Any]:
    # a bank dropped from a later bank list shows as null rather than failing the list
    bank = bank_by_bin(account.bank_bin)
    return {
        "id": account.id,
        "agency_code": account.agency_code,
        "agency_name": account.agency_name,
        "bank": bank.as_dict() if bank else None,
        "account_number": account.account_number,
        "account_name": account.account_name,
        "service": account.service,
        "vietqr_url": f"{API_ROOT}/vietqr?"
        + urlencode(
            {
                "bank": account.bank_bin,
                "account": account.account_number,
                "service": account.service,
            }
        ),
    }


def item_view(item: FeeItem) -> dict[str, Any]:
    """A fee item with its account, its ready VietQR (add ``dossier=``), and the procedure in
    ``public-services`` when that utility is there."""
    procedure_url = (
        f"/api/v1/u/{PUBLIC_SERVICES}/procedures/{item.procedure_code}"
        if item.procedure_code and get_plugin(PUBLIC_SERVICES)
        else None
    )
    return {
        "code": item.code,
        "name": item.name,
        "name_en": item.name_en,
        "amount_vnd": item.amount_vnd,
        "procedure_code": item.procedure_code,
        "procedure_url": procedure_url,
        "fee_account": account_view(item.fee_account),
        "vietqr_url": f"{API_ROOT}/fee-items/{item.code}/vietqr",
    }


def item_by_code(code: str, include_retired: bool = False) -> FeeItem:
    item = (
        db.session.scalar(select(FeeItem).where(FeeItem.code == code))
        if CODE_PATTERN.match(code)
        else None
    )
    if item is None or (
        not include_retired
        and (item.retired_at is not None or item.fee_account.retired_at is not None)
    ):
        abort(404, message=f"No fee item {code}.")
    return item


def account_by_id(account_id: int, include_retired: bool = False) -> FeeAccount:
    account = db.session.get(FeeAccount, account_id)
    if account is None or (account.retired_at is not None and not include_retired):
        abort(404, message=f"No fee account {account_id}.")
    return account


def item_transfer(item: FeeItem, args: Mapping[str, Any]) -> Transfer:
    """The transfer paying ``item``: its fixed amount (or the ``amount`` given when it has
    none), the dossier number as reference and purpose (what the agency matches payments
    on), the item's code as bill number."""
    if item.amount_vnd is not None and args.get("amount", item.amount_vnd) != item.amount_vnd:
        raise ValidationError(f"this fee is {item.amount_vnd} đồng", field_name="amount")
    dossier = args.get("dossier")
    account = item.fee_account
    return Transfer(
        bank=account.bank_bin,
        account=account.account_number,
        service=account.service,
        amount=args.get("amount", item.amount_vnd),
        purpose=dossier or item.code,
        bill=item.code,
        reference=dossier,
    )


def payment_link(procedure_code: str, amount_vnd: int) -> str | None:
    """Where a procedure's fee of ``amount_vnd`` is paid: the fee item of that procedure
    with that amount (or with none fixed); ``None`` when no account collects it."""
    items = db.session.scalars(
        items_query({"procedure_code": procedure_code}).order_by(FeeItem.id)
    ).all()
    item = next((i for i in items if i.amount_vnd == amount_vnd), None) or next(
        (i for i in items if i.amount_vnd is None), None
    )
    if item is None:
        return None
    return f"{API_ROOT}/fee-items/{item.code}/vietqr?" + urlencode({"amount": amount_vnd})


# -- writing (staff) -------------------------------------------------------------------------


def _check_agency(agency_code: str) -> None:
    """Staff bound to an agency manage that agency's accounts only."""
    staff = current_staff()
    if staff is not None and staff.agency_code and staff.agency_code != agency_code:
        abort(
            403,
            message=f"Your account manages agency {staff.agency_code} only.",
            errors={"agency_code": [f"must be {staff.agency_code}"]},
        )


def _check_beneficiary(bank_bin: str, account_number: str, service: str) -> None:
    fields = {"bank": "bank_bin", "account": "account_number", "service": "service"}
    try:
        beneficiary_bank(bank_bin)
        check_account(account_number, service)
    except VietQRError as error:
        raise ValidationError(error.message, field_name=fields[error.field]) from None


def write_account(account: FeeAccount | None, record: Mapping[str, Any]) -> FeeAccount:
    """Create (``account`` is ``None``) or change a fee account, audited."""
    merged = {
        **(
            {}
            if account is None
            else {
                "agency_code": account.agency_code,
                "bank_bin": account.bank_bin,
                "account_number": account.account_number,
                "service": account.service,
            }
        ),
        **record,
    }
    if account is not None:
        _check_agency(account.agency_code)
    _check_agency(merged["agency_code"])
    _check_beneficiary(merged["bank_bin"], merged["account_number"], merged["service"])
    if account is None:
        account = FeeAccount()
        db.session.add(account)
        records.write_fields(account, record)
        db.session.flush()  # the id the audit entry names
        records.commit_changes(ACCOUNT, account.id, record, action="create")
    elif records.write_fields(account, record):
        records.commit_changes(ACCOUNT, account.id, record)
    return account


def retire_account(account: FeeAccount) -> None:
    _check_agency(account.agency_code)
    records.retire(account, ACCOUNT, account.id)


def write_item(item: FeeItem | None, record: Mapping[str, Any]) -> FeeItem:
    """Create (``item`` is ``None``) or change a fee item, audited; its account must be an
    active one of the staff member's agency."""
    if item is not None:
        _check_agency(item.fee_account.agency_code)
    if "fee_account_id" in record:
        account = db.session.get(FeeAccount, record["fee_account_id"])
        if account is None or account.retired_at is not None:
            raise ValidationError("no active fee account has this id", field_name="fee_account_id")
        _check_agency(account.agency_code)
    if item is None:
        item = FeeItem()
        records.write_fields(item, record)
        records.add_new(item, ITEM, "code")
    elif records.write_fields(item, record):
        records.commit_changes(ITEM, item.code, record)
    return item


def retire_item(item: FeeItem) -> None:
    _check_agency(item.fee_account.agency_code)
    records.retire(item, ITEM, item.code)
