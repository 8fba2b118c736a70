"""The photo pipeline: decide by the bytes what an upload is, refuse what is not a photo or
is too big to decode safely, then re-encode it clean.

Everything a phone writes beside the pixels goes: EXIF (GPS position, device, time), XMP,
comments. Only the orientation survives, applied to the pixels first. Every photo comes out
as a baseline JPEG at most ``LONG_EDGE`` pixels long, with a thumbnail, which every phone
displays (HEIC does not show on Android, WebP not on old iPhones).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()  # HEIC from iPhones, decoded by libheif

#: formats accepted, as Pillow names what it finds in the bytes (a name or type says nothing)
FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
#: more pixels than this is refused before decoding: a 40 MP phone photo passes, a
#: decompression bomb (a small file that decodes to gigabytes) does not
MAX_PIXELS = 50_000_000
LONG_EDGE = 2048
THUMBNAIL_EDGE = 320
QUALITY = 85


class ImageRejected(ValueError):
    """The upload is not a photo this pipeline accepts; the message says why."""


@dataclass(frozen=True)
class CleanPhoto:
    image: bytes
    thumbnail: bytes
    width: int
    height: int


def configure() -> None:
    """Pillow's bomb check reads a module-wide limit: set it (the plugin's ``setup``)."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def _decode(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        # Over MAX_IMAGE_PIXELS Pillow only warns (and raises over twice that): refuse both.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=FORMATS) as opened:
                opened.seek(0)  # the first frame of an animation
                upright = ImageOps.exif_transpose(opened)
                upright.load()
                return upright
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            raise ImageRejected(
                f"The image has too many pixels (at most {MAX_PIXELS:,})."
            ) from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
            # a name ending in .jpg proves nothing: what Pillow cannot read is not a photo
            raise ImageRejected("Not a JPEG, PNG, WebP or HEIC photo, or a damaged one.") from error


def _flatten(image: Image.Image) -> Image.Image:
    """Opaque RGB: transparency is painted white, not black."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(
    image: Image.Image, edge: int, icc_profile: bytes | None, reducing_gap: float = 2.0
) -> tuple[bytes, Image.Image]:
    resized = image.copy()
    resized.thumbnail((edge, edge), Image.Resampling.LANCZOS, reducing_gap=reducing_gap)
    resized.info.clear()  # Pillow would write XMP it still holds from the source
    buffer = io.BytesIO()
    options = {"icc_profile": icc_profile} if icc_profile else {}
    # no Huffman optimization: it costs a third of the encode for files ~5 % smaller
    # (benchmarks/README.md, "Feedback"), and uploads wait on this under load
    resized.save(buffer, "JPEG", quality=QUALITY, optimize=False, **options)
    return buffer.getvalue(), resized


def _finish(rgb: Image.Image, icc_profile: bytes | None) -> CleanPhoto:
    image, resized = _encode(rgb, LONG_EDGE, icc_profile)
    # a thumbnail shrinks by a whole factor first (box average), LANCZOS only for the rest:
    # a third of the time, no difference seen at 320 px
    thumbnail, _ = _encode(resized, THUMBNAIL_EDGE, icc_profile, reducing_gap=1.0)
    return CleanPhoto(image, thumbnail, resized.width, resized.height)


def clean(data: bytes) -> CleanPhoto:
    """The photo in ``data``, upright, re-encoded without metadata, with its thumbnail;
    :class:`ImageRejected` for anything else."""
    decoded = _decode(data)
    # colours stay right on wide-gamut (iPhone) photos; the profile holds no personal data
    return _finish(_flatten(decoded), decoded.info.get("icc_profile"))


def black_out(data: bytes, box: tuple[int, int, int, int]) -> CleanPhoto:
    """A copy of a clean photo with the region ``box`` (left, top, right, bottom) painted
    black, e.g. a face or a number plate."""
    decoded = _decode(data)
    rgb = _flatten(decoded)
    rgb.paste((0, 0, 0), box)
    return _finish(rgb, decoded.info.get("icc_profile"))
