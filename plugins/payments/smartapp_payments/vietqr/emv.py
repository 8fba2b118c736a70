"""EMVCo merchant-presented QR data objects: ``ID`` (2 digits), ``length`` (2 digits, counted
in characters), ``value``; templates nest the same structure in their value.

The checksum is CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF, no reflection,
no final XOR) over the whole payload up to and including ``6304``. The standard library's
``binascii.crc_hqx`` is exactly that algorithm when started at 0xFFFF, so no CRC package is
needed.
"""

from __future__ import annotations

import binascii
from collections.abc import Iterable

CRC_ID = "63"
#: an object's value is 1–99 characters: the length has two digits and empty values are omitted
MAX_VALUE_LENGTH = 99


class EMVError(ValueError):
    """A payload that is not a well-formed sequence of data objects."""


def crc16(text: str) -> str:
    """CRC-16/CCITT-FALSE of ``text`` as four upper-case hexadecimal digits."""
    return f"{binascii.crc_hqx(text.encode('utf-8'), 0xFFFF):04X}"


def data_object(object_id: str, value: str) -> str:
    """``value`` under ``object_id``; refuses what the two-digit length cannot carry."""
    if not 1 <= len(value) <= MAX_VALUE_LENGTH:
        raise EMVError(f"object {object_id} would be {len(value)} characters (1–99 allowed)")
    return f"{object_id}{len(value):02d}{value}"


def objects(pairs: Iterable[tuple[str, str | None]]) -> str:
    """The (id, value) objects one after the other, those without a value left out."""
    return "".join(data_object(i, v) for i, v in pairs if v)


def template(object_id: str, pairs: Iterable[tuple[str, str | None]]) -> str:
    """A template: an object whose value is its sub-objects."""
    return data_object(object_id, objects(pairs))


def with_crc(body: str) -> str:
    """``body`` followed by the CRC object that closes every payload."""
    head = f"{body}{CRC_ID}04"
    return head + crc16(head)


def parse(text: str) -> list[tuple[str, str]]:
    """The (id, value) data objects of ``text``, in order."""
    objects, position = [], 0
    while position < len(text):
        header = text[position : position + 4]
        if len(header) < 4 or not header.isdigit() or not header.isascii():
            raise EMVError(f"no data object header at character {position}")
        length = int(header[2:])
        value = text[position + 4 : position + 4 + length]
        if length == 0 or len(value) < length:
            raise EMVError(f"object {header[:2]} at character {position} is cut short")
        objects.append((header[:2], value))
        position += 4 + length
    return objects
