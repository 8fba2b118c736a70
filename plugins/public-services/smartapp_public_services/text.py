"""Folding Vietnamese text for search, and the abbreviations citizens type.

Text is folded in Python on both databases (``Đăng ký`` → ``dang ky``) and stored folded, so
SQLite FTS5 and PostgreSQL ``to_tsvector('simple', …)`` see the same ASCII words, and the
query side folds the same way. No database extension is needed to strip diacritics.
"""

from __future__ import annotations

import re

from unidecode import unidecode

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces (``Đ`` → ``d``, punctuation dropped)."""
    return _NOT_WORD.sub(" ", unidecode(text).casefold()).strip()


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order."""
    return fold(text).split()


#: Abbreviations and common names, folded, expanded on the query side (the folded query
#: words on the left are matched longest first). Documented in the plugin's README.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "cccd": ("can cuoc",),
    "cmnd": ("can cuoc", "chung minh nhan dan"),
    "cmt": ("can cuoc", "chung minh nhan dan"),
    "bhyt": ("bao hiem y te",),
    "bhxh": ("bao hiem xa hoi",),
    "bhtn": ("bao hiem that nghiep",),
    "gplx": ("giay phep lai xe",),
    "bang lai": ("giay phep lai xe",),
    "gcn qsdd": ("giay chung nhan quyen su dung dat",),
    "gcnqsdd": ("giay chung nhan quyen su dung dat",),
    "qsdd": ("quyen su dung dat",),
    "so do": ("giay chung nhan quyen su dung dat",),
    "so hong": ("giay chung nhan quyen su dung dat", "quyen so huu nha o"),
    "dkkd": ("dang ky kinh doanh",),
    "gcn dkkd": ("giay chung nhan dang ky kinh doanh", "dang ky kinh doanh"),
    "hkd": ("ho kinh doanh",),
    "htx": ("hop tac xa",),
    "dn": ("doanh nghiep",),
    "lltp": ("ly lich tu phap",),
    "gpxd": ("giay phep xay dung",),
    "gks": ("khai sinh",),
    "giay khai sinh": ("khai sinh",),
    "dkkh": ("dang ky ket hon",),
    "tthc": ("thu tuc hanh chinh",),
    "dvc": ("dich vu cong",),
    "mst": ("ma so thue",),
    "attp": ("an toan thuc pham",),
    "atvstp": ("an toan thuc pham", "ve sinh an toan thuc pham"),
    "pccc": ("phong chay chua chay",),
    "btxh": ("bao tro xa hoi",),
    "ncc": ("nguoi co cong",),
    "thpt": ("trung hoc pho thong",),
    "thcs": ("trung hoc co so",),
    "tnhh": ("trach nhiem huu han",),
    "ubnd": ("uy ban nhan dan",),
    "dtm": ("danh gia tac dong moi truong",),
}

#: Longest abbreviation, in words: how far the matcher looks ahead.
ABBREVIATION_WORDS = max(len(key.split()) for key in ABBREVIATIONS)
