"""Drawing a payload as a QR code, locally, with segno (pure Python, no image library).

Error correction ``M`` (15 %) survives a scratched print-out or a cracked phone screen and
keeps a full VietQR (≈ 150 characters) at version 7–8: large modules for weak cameras.
"""

from __future__ import annotations

import io

import segno

#: pixels per module in a PNG, and quiet-zone modules around the code (the standard's 4)
PNG_SCALE = 8
BORDER = 4


def png(payload: str, scale: int = PNG_SCALE) -> bytes:
    buffer = io.BytesIO()
    segno.make_qr(payload, error="m").save(buffer, kind="png", scale=scale, border=BORDER)
    return buffer.getvalue()


def svg(payload: str) -> bytes:
    buffer = io.BytesIO()
    # a viewBox without a fixed size: the app scales it to the screen
    segno.make_qr(payload, error="m").save(
        buffer, kind="svg", border=BORDER, omitsize=True, xmldecl=False, title="VietQR"
    )
    return buffer.getvalue()
