"""The strict VietQR encoder: NAPAS IBFT (bank transfer to an account or a card) over
EMVCo merchant-presented QR. Anything the standard does not allow is refused with the name
of the request field at fault, never truncated or guessed.

Why not a VietQR package from PyPI: the few there are young single-author projects that
build payloads without refusing what the standard forbids (over-long or non-ASCII fields,
unknown BINs); the format itself is small (``emv.py``), and the tests prove it against the
published examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import ascii_text
from .banks import Bank, bank_by_bin
from .emv import data_object, objects, template, with_crc

#: NAPAS's application identifier in the merchant account information template
NAPAS_GUID = "A000000727"
MERCHANT_ACCOUNT_ID = "38"
SERVICES = {"account": "QRIBFTTA", "card": "QRIBFTTC"}
STATIC, DYNAMIC = "11", "12"
CURRENCY_VND = "704"
COUNTRY = "VN"
#: the longest value of an additional-data sub-object (bill, reference, purpose)
MAX_ADDITIONAL = 25
MAX_NAME = 25
MAX_AMOUNT_DIGITS = 13

_BIN = re.compile(r"^[0-9]{6}$")
_ACCOUNT = re.compile(r"^[0-9A-Za-z]{1,19}$")
_CARD = re.compile(r"^[0-9]{16,19}$")


class VietQRError(ValueError):
    """A transfer the standard (or the bank list) does not allow, naming the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Transfer:
    """What a VietQR code asks the payer's bank to do. Field names are the request's."""

    bank: str
    account: str
    service: str = "account"
    amount: int | None = None
    purpose: str | None = None
    bill: str | None = None
    reference: str | None = None
    name: str | None = None


def beneficiary_bank(bin_code: str) -> Bank:
    """The bank of ``bin_code``, refusing a BIN that is malformed, unknown, or of a bank
    whose accounts cannot receive NAPAS 247 transfers."""
    if not _BIN.match(bin_code):
        raise VietQRError("bank", "must be the bank's 6-digit NAPAS BIN")
    bank = bank_by_bin(bin_code)
    if bank is None:
        raise VietQRError("bank", f"no bank has the BIN {bin_code}; see /banks")
    if not bank.receives_transfers:
        raise VietQRError("bank", f"{bank.short_name} accounts cannot receive NAPAS 247 transfers")
    return bank


def check_account(account: str, service: str) -> None:
    if service not in SERVICES:
        raise VietQRError("service", f"must be one of {', '.join(SERVICES)}")
    if service == "card" and not _CARD.match(account):
        raise VietQRError("account", "a card number has 16 to 19 digits")
    if service == "account" and not _ACCOUNT.match(account):
        raise VietQRError(
            "account", "an account number has 1 to 19 letters or digits, without spaces"
        )


def _ascii_field(field: str, value: str | None, limit: int) -> str | None:
    """``value`` folded to ASCII (``đ`` → ``d``), refused when empty or over ``limit``."""
    if value is None:
        return None
    folded = ascii_text(value)
    if not folded:
        raise VietQRError(field, "must contain letters or digits")
    if len(folded) > limit:
        raise VietQRError(
            field,
            f"must be at most {limit} characters without diacritics (“{folded}” has {len(folded)})",
        )
    return folded


def _amount(amount: int | None, max_amount: int) -> str | None:
    if amount is None:
        return None
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise VietQRError("amount", "must be a whole number of đồng")
    if not 1 <= amount <= max_amount:
        raise VietQRError("amount", f"must be between 1 and {max_amount} đồng")
    text = str(amount)
    if len(text) > MAX_AMOUNT_DIGITS:
        raise VietQRError("amount", f"must have at most {MAX_AMOUNT_DIGITS} digits")
    return text


def encode(transfer: Transfer, max_amount: int) -> str:
    """The payload of ``transfer``: data objects in ascending ID order, CRC last."""
    beneficiary_bank(transfer.bank)
    check_account(transfer.account, transfer.service)
    amount = _amount(transfer.amount, max_amount)
    additional = [
        ("01", _ascii_field("bill", transfer.bill, MAX_ADDITIONAL)),
        ("05", _ascii_field("reference", transfer.reference, MAX_ADDITIONAL)),
        ("08", _ascii_field("purpose", transfer.purpose, MAX_ADDITIONAL)),
    ]
    name = _ascii_field("name", transfer.name, MAX_NAME)
    merchant = template(
        MERCHANT_ACCOUNT_ID,
        [
            ("00", NAPAS_GUID),
            ("01", objects([("00", transfer.bank), ("01", transfer.account)])),
            ("02", SERVICES[transfer.service]),
        ],
    )
    parts = [
        data_object("00", "01"),
        data_object("01", DYNAMIC if amount else STATIC),
        merchant,
        data_object("53", CURRENCY_VND),
        data_object("54", amount) if amount else "",
        data_object("58", COUNTRY),
        data_object("59", name) if name else "",
        template("62", additional) if any(v for _, v in additional) else "",
    ]
    return with_crc("".join(parts))
