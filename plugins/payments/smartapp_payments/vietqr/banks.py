"""The banks and wallets reachable through NAPAS 247, by BIN: versioned data shipped in
``data/banks.json`` (see its ``source`` and ``version``), not fetched at run time."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Bank:
    #: the NAPAS acquirer BIN (6 digits) carried in the QR code; kept when a bank is renamed
    bin: str
    #: the code banks' apps and vietqr.io use, e.g. ``VCB``
    code: str
    short_name: str
    name: str
    #: accounts there can be the beneficiary of a NAPAS 247 transfer (and so of a VietQR code)
    receives_transfers: bool
    #: the bank's own app scans VietQR codes and pays them
    scans_vietqr: bool
    #: the names it had before (renamed banks keep their BIN)
    former_names: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "bin": self.bin,
            "code": self.code,
            "short_name": self.short_name,
            "name": self.name,
            "receives_transfers": self.receives_transfers,
            "scans_vietqr": self.scans_vietqr,
            "former_names": list(self.former_names),
        }


@dataclass(frozen=True)
class BankList:
    version: str
    source: str
    banks: tuple[Bank, ...]

    @functools.cached_property
    def by_bin(self) -> dict[str, Bank]:
        return {bank.bin: bank for bank in self.banks}


@functools.cache
def bank_list() -> BankList:
    """The shipped list, read once per process."""
    raw = json.loads(
        resources.files("smartapp_payments").joinpath("data/banks.json").read_text(encoding="utf-8")
    )
    banks = tuple(
        Bank(**{**entry, "former_names": tuple(entry.get("former_names", ()))})
        for entry in raw["banks"]
    )
    return BankList(raw["version"], raw["source"], banks)


def bank_by_bin(bin_code: str) -> Bank | None:
    return bank_list().by_bin.get(bin_code)
