"""The ward an address names, for reports filed by address alone (Open311's
``address_string`` without ``lat``/``long``): matched against the province's list of wards,
whatever the diacritics, case or abbreviation ("P. Tân Ninh", "phuong tan ninh", "25459").

No geocoder: the province's wards are a closed list, and an address that names one of them
is enough to route the report; staff then place it on the map.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from marshmallow import ValidationError

from smartapp.plugin import fold, wards

#: how addresses write the kind of unit before its name, folded ("P.", "Phường", "X.", "Xã")
_KINDS = {"phuong": ("phuong", "p"), "xa": ("xa", "x")}
#: a name right after one of these is a province, an old district, a street or a hamlet,
#: not a ward ("tỉnh Long An" is not Phường Long An, "đường Gò Dầu" not Phường Gò Dầu)
_NOT_A_WARD = re.compile(r"\b(tinh|huyen|quan|thi xa|thanh pho|tp|duong|ap)\s*$")


@dataclass(frozen=True)
class _Ward:
    code: int
    name: str
    #: the folded name without its kind: "tan ninh" for Phường Tân Ninh
    bare: str
    kind: str
    #: the name without its kind, with its diacritics, lower-case, as a pattern
    exact_bare: str


@functools.cache
def _indexed(province_wards: tuple[tuple[int, str, str, str], ...]) -> tuple[_Ward, ...]:
    indexed = []
    for code, name, division_type, folded in province_wards:
        kind = fold(division_type)
        bare = _words(folded).removeprefix(f"{kind} ")
        exact_bare = _exact(name).removeprefix(f"{_exact(division_type)} ")
        indexed.append(_Ward(code, name, bare, kind, re.escape(exact_bare)))
    return tuple(indexed)


def _words(text: str) -> str:
    """Folded words separated by single spaces: punctuation (``P.Tân-Ninh``) is a space."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))


def _exact(text: str) -> str:
    """Lower-case words with their diacritics, one composed form (NFC) for each letter."""
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFC", text).casefold()))


def _province_wards() -> tuple[_Ward, ...]:
    return _indexed(tuple((w.code, w.name, w.division_type, w.folded) for w in wards()))


def _mentions(address: str, ward: _Ward, with_kind: bool) -> list[tuple[int, int]]:
    """Where the folded ``address`` names ``ward``, as (start, end): with its kind in front
    ("phuong tan ninh", "p tan ninh") or by its name alone."""
    name = re.escape(ward.bare)
    kinds = "|".join(_KINDS.get(ward.kind, (ward.kind,)))
    pattern = rf"\b(?:{kinds}) {name}\b" if with_kind else rf"\b{name}\b"
    return [
        match.span()
        for match in re.finditer(pattern, address)
        if not _NOT_A_WARD.search(address[: match.start()])
    ]


def _named(address: str, province: tuple[_Ward, ...]) -> list[_Ward]:
    """The wards ``address`` names: those written with their kind if any is ("xã Tân Thành"
    is not Phường Tân Thành), and where names overlap ("Tân Ninh" in "Tân Ninh Đông"),
    the longer one."""
    for with_kind in (True, False):
        found = {ward: spans for ward in province if (spans := _mentions(address, ward, with_kind))}
        if found:
            break
    spans = [(span, ward) for ward, ward_spans in found.items() for span in ward_spans]
    return [
        ward
        for ward, ward_spans in found.items()
        if any(
            not any(
                o_start <= start and end <= o_end and o_end - o_start > end - start
                for (o_start, o_end), other in spans
                if other is not ward
            )
            for start, end in ward_spans
        )
    ]


def ward_in_address(address: str) -> int:
    """The code of the one ward of the province ``address`` names (by name or code); a 422
    naming ``address`` when it names none, or several it cannot choose between."""
    text = _words(address)
    province = _province_wards()
    chosen = _named(text, province)
    if not chosen:
        numbers = set(re.findall(r"\b\d{5}\b", text))
        chosen = [ward for ward in province if f"{ward.code:05d}" in numbers]
    if len(chosen) > 1:  # "Tân Thành" and "Tân Thạnh" fold alike: the diacritics decide
        written = _exact(address)
        chosen = [w for w in chosen if re.search(rf"\b{w.exact_bare}\b", written)] or chosen
    if len(chosen) == 1:
        return chosen[0].code
    if not chosen:
        raise ValidationError("Names no ward or commune of the province.", "address")
    names = ", ".join(sorted(ward.name for ward in chosen))
    raise ValidationError(f"Names several wards ({names}): say which.", "address")
