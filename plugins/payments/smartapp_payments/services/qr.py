"""VietQR codes as the API answers them: the payload, what it decodes back to, the images,
and the count of codes generated per agency and month."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from smartapp.plugin import cache, db, utcnow

from ..models import VIETNAM, FeeAccount, QRCount
from ..vietqr import (
    Transfer,
    VietQRDecodeError,
    VietQRError,
    bank_by_bin,
    decode,
    encode,
    png,
    svg,
)

#: drawing a code takes tens of milliseconds (pure Python); a code is a pure function of
#: its payload, so the drawing is kept as long as clients may keep it
IMAGE_SECONDS = 86_400
RENDERERS = {"png": png, "svg": svg}
TRANSFER_FIELDS = ("bank", "account", "service", "amount", "purpose", "bill", "reference", "name")


def transfer_from(args: Mapping[str, Any]) -> Transfer:
    return Transfer(**{name: args[name] for name in TRANSFER_FIELDS if name in args})


def payload_of(transfer: Transfer, max_amount: int) -> str:
    """The strict encoder's payload; its refusals become 422s naming the request field."""
    try:
        return encode(transfer, max_amount)
    except VietQRError as error:
        raise ValidationError(error.message, field_name=error.field) from None


def answer(
    payload: str, path: str, query: Mapping[str, str], account: FeeAccount | None
) -> dict[str, Any]:
    """The JSON answer: the payload and its fields as a payer's bank will read them (decoded
    back from the payload, not echoed from the request), with links to its images. The
    ``name`` is the payload's, or else the holder of the agency's fee account it pays."""
    decoded = decode(payload)
    bank = bank_by_bin(decoded.bank)
    kept = {name: value for name, value in query.items() if name != "format"}
    return {
        "payload": payload,
        "bank": bank.as_dict() if bank else None,
        "account": decoded.account,
        "service": decoded.service,
        "name": decoded.name or (account.account_name if account else None),
        "amount": decoded.amount,
        "purpose": decoded.purpose,
        "bill": decoded.bill,
        "reference": decoded.reference,
        "initiation": decoded.initiation,
        "crc": decoded.crc,
        **{
            f"{kind}_url": f"{path}?{urlencode({**kept, 'format': kind})}"
            for kind in ("png", "svg")
        },
    }


def scanned(payload: str) -> dict[str, Any]:
    """A scanned code's details, read leniently; a damaged or foreign one is a 422 on
    ``payload``."""
    try:
        decoded = decode(payload)
    except VietQRDecodeError as error:
        raise ValidationError(str(error), field_name="payload") from None
    bank = bank_by_bin(decoded.bank)
    # JSON has no decimal type: a whole amount stays an integer, a fractional one a number
    amount = float(decoded.amount) if isinstance(decoded.amount, Decimal) else decoded.amount
    return {
        **vars(decoded),
        "amount": amount,
        "bin": decoded.bank,
        "bank": bank.as_dict() if bank else None,
    }


def image(payload: str, kind: str) -> bytes:
    """The code drawn as ``png`` or ``svg``, from the cache when it was drawn before."""
    key = f"payments:qr:{kind}:{payload}"
    drawn = cache.get(key)
    if drawn is None:
        drawn = RENDERERS[kind](payload)
        cache.set(key, drawn, timeout=IMAGE_SECONDS)
    return drawn


def fee_account_of(transfer: Transfer) -> FeeAccount | None:
    """The agency's active fee account the transfer pays into, if it is one."""
    return db.session.scalar(
        select(FeeAccount)
        .where(
            FeeAccount.bank_bin == transfer.bank,
            FeeAccount.account_number == transfer.account,
            FeeAccount.retired_at.is_(None),
        )
        .order_by(FeeAccount.id)
        .limit(1)
    )


def count_generated(account: FeeAccount | None) -> None:
    """Add one to this month's count of codes for the account's agency (``""`` for accounts
    of no agency), atomically: an upsert
    (both databases support ``ON CONFLICT``), so concurrent workers never lose a count."""
    month = utcnow().astimezone(VIETNAM).strftime("%Y-%m")
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    agency_code = account.agency_code if account else ""
    # End the request's reads first: on SQLite a transaction that read before writing fails
    # at once (SQLITE_BUSY_SNAPSHOT) when another worker wrote meanwhile, while one that
    # starts with the write waits for the lock. Nothing is pending, so this commits nothing.
    db.session.commit()
    statement = dialect.insert(QRCount).values(agency_code=agency_code, month=month, codes=1)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[QRCount.agency_code, QRCount.month], set_={"codes": QRCount.codes + 1}
        )
    )
    db.session.commit()
