"""Text helpers shared by the core and plugins (through ``smartapp.plugin``)."""

from __future__ import annotations

from unidecode import unidecode


def fold(text: str) -> str:
    """Lower-case ASCII form for diacritic- and case-insensitive matching: ``"Tây Ninh"``,
    ``"TAY NINH"`` and ``"tay ninh"`` all fold to ``"tay ninh"`` (``Đ`` → ``d``).

    SQL ``ILIKE`` folds neither diacritics nor, on SQLite, the case of non-ASCII letters:
    store ``fold(name)`` in a column and compare it with ``fold(query)``."""
    return unidecode(text).casefold().strip()
