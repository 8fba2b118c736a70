"""The lenient VietQR decoder: reads the codes found in the wild — upper- or lower-case CRC,
data objects in any order, merchant names longer than the standard's 25 characters, amounts
written with decimals, objects it does not know — but never one whose checksum is wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .emv import CRC_ID, EMVError, crc16, parse
from .encoder import DYNAMIC, MERCHANT_ACCOUNT_ID, NAPAS_GUID, SERVICES, STATIC

_CRC = re.compile(r"^[0-9A-Fa-f]{4}$")
_SERVICE_NAMES = {code: name for name, code in SERVICES.items()}


class VietQRDecodeError(ValueError):
    """Not a VietQR payload, or a damaged one."""


@dataclass(frozen=True)
class Decoded:
    """What a payload asks for, as a payer's bank would read it."""

    bank: str
    account: str
    #: ``account`` or ``card`` (the NAPAS service code when it is neither)
    service: str
    #: ``static`` (the payer types the amount) or ``dynamic`` (the amount is in the code)
    initiation: str | None
    amount: int | Decimal | None
    currency: str | None
    country: str | None
    name: str | None
    city: str | None
    bill: str | None
    reference: str | None
    purpose: str | None
    crc: str


def decode(payload: str) -> Decoded:
    """The transfer in ``payload``; raises :class:`VietQRDecodeError` for a wrong checksum,
    a malformed structure, or a code that is not a NAPAS transfer."""
    text = payload.strip()
    if len(text) < 8 or text[-8:-4] != f"{CRC_ID}04" or not _CRC.match(text[-4:]):
        raise VietQRDecodeError("the payload does not end with its CRC object (6304….)")
    if crc16(text[:-4]) != text[-4:].upper():
        raise VietQRDecodeError(f"wrong checksum: {text[-4:]} given, {crc16(text[:-4])} computed")
    try:
        root = dict(parse(text[:-8]))
        if root.get("00") != "01":
            raise VietQRDecodeError("not an EMVCo payload (format indicator 00 is not 01)")
        if MERCHANT_ACCOUNT_ID not in root:
            raise VietQRDecodeError("no NAPAS merchant account information (object 38)")
        merchant = dict(parse(root[MERCHANT_ACCOUNT_ID]))
        if merchant.get("00", "").upper() != NAPAS_GUID:
            raise VietQRDecodeError("object 38 is not NAPAS's (GUID A000000727)")
        beneficiary = dict(parse(merchant.get("01", "")))
        additional = dict(parse(root["62"])) if "62" in root else {}
    except EMVError as error:
        raise VietQRDecodeError(str(error)) from None
    if "00" not in beneficiary or "01" not in beneficiary:
        raise VietQRDecodeError("object 38/01 lacks the BIN (00) or the account (01)")
    initiation = {STATIC: "static", DYNAMIC: "dynamic"}.get(root.get("01", ""))
    service = merchant.get("02", "")
    return Decoded(
        bank=beneficiary["00"],
        account=beneficiary["01"],
        service=_SERVICE_NAMES.get(service.upper(), service),
        initiation=initiation,
        amount=_amount(root.get("54")),
        currency=root.get("53"),
        country=root.get("58"),
        name=root.get("59"),
        city=root.get("60"),
        bill=additional.get("01"),
        reference=additional.get("05"),
        purpose=additional.get("08"),
        crc=text[-4:].upper(),
    )


def _amount(text: str | None) -> int | Decimal | None:
    if text is None:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise VietQRDecodeError(f"the amount {text!r} is not a number") from None
    if not amount.is_finite() or amount < 0:
        raise VietQRDecodeError(f"the amount {text!r} is not a number")
    return int(amount) if amount == amount.to_integral_value() else amount
