"""Wards and communes of the configured province (``SMARTAPP_PROVINCE_CODE``).

The list comes from the ``vietnam-provinces`` package, which follows the official map
(Tây Ninh, code 80, has 96 units since the 1 July 2025 reform); it is read once per process.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context
from marshmallow import ValidationError, fields
from vietnam_provinces import ProvinceCode, Ward

from smartapp.config import DEFAULT_PROVINCE_CODE
from smartapp.i18n import message
from smartapp.text import fold


@dataclass(frozen=True)
class WardInfo:
    code: int
    name: str
    division_type: str
    codename: str
    #: lower-case, without diacritics: what name filters compare against
    folded: str

    @property
    def sort_key(self) -> str:
        """Unique and ordered by folded name first (NUL sorts before every letter)."""
        return f"{self.folded}\x00{self.code:08d}"


@functools.cache
def _wards(province_code: int) -> tuple[WardInfo, ...]:
    code = ProvinceCode(province_code)
    wards = [
        WardInfo(int(w.code), w.name, w.division_type.value, w.codename, fold(w.name))
        for w in Ward.iter_all()
        if w.province_code == code
    ]
    return tuple(sorted(wards, key=lambda w: w.sort_key))


def province_code() -> int:
    if has_app_context():
        return current_app.config["SMARTAPP_SETTINGS"].province_code
    return DEFAULT_PROVINCE_CODE


def wards(name_filter: str | None = None) -> list[WardInfo]:
    """The province's wards, optionally those whose name contains ``name_filter``, whatever
    its diacritics or case ("tan an", "Tân An")."""
    all_wards = _wards(province_code())
    if not name_filter:
        return list(all_wards)
    needle = fold(name_filter)
    return [w for w in all_wards if needle in w.folded]


@functools.cache
def _codes(province: int) -> frozenset[int]:
    return frozenset(w.code for w in _wards(province))


def is_ward_code(code: int) -> bool:
    return code in _codes(province_code())


def validate_ward_code(code: int) -> None:
    """Raise a marshmallow ``ValidationError`` unless ``code`` is a ward of the province."""
    if not is_ward_code(code):
        raise ValidationError(message("unknown_ward"))


class WardCodeField(fields.Integer):
    """An integer field accepting only ward codes of the configured province; a number with
    a fraction (25459.5) is refused, not truncated into a ward."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, float):
            raise self.make_error("invalid")
        code = super()._deserialize(value, attr, data, **kwargs)
        validate_ward_code(code)
        return code
