"""Folding Vietnamese text to ASCII: for search (``Chợ Long Hoa`` → ``cho long hoa``) and
for the fields of a VietQR code, which bank apps read as plain ASCII (``Lệ phí`` → ``Le phi``).

``unidecode`` does the transliteration (``Đ``/``đ`` → ``D``/``d`` included), so no database
extension or hand-written table of diacritics is needed.
"""

from __future__ import annotations

import re

from unidecode import unidecode

_NOT_WORD = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")
_NOT_PRINTABLE_ASCII = re.compile(r"[^\x20-\x7e]")


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces, punctuation dropped."""
    return _NOT_WORD.sub(" ", unidecode(text).casefold()).strip()


def ascii_text(text: str) -> str:
    """``text`` in printable ASCII, case and punctuation kept, runs of spaces made one."""
    plain = _NOT_PRINTABLE_ASCII.sub("", unidecode(text))
    return _SPACES.sub(" ", plain).strip()
