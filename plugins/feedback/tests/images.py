"""Real image files for the tests, made with Pillow (and pillow-heif for HEIC)."""

from __future__ import annotations

import io

import pillow_heif
from PIL import ExifTags, Image

#: EXIF orientation 6: the camera was turned; viewers rotate the pixels 90° clockwise
ROTATED_90 = 6
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
       b'02/22-rdf-syntax-ns#"><rdf:Description photoshop:City="Tay Ninh"/></rdf:RDF>'
       b'</x:xmpmeta>')


def _save(image: Image.Image, format_name: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format_name, **options)
    return buffer.getvalue()


def jpeg_bytes(size: tuple[int, int] = (64, 48), colour: str = "orange") -> bytes:
    return _save(Image.new("RGB", size, colour), "JPEG")


def phone_jpeg(size: tuple[int, int] = (400, 300)) -> bytes:
    """What a phone writes: GPS position, camera model, orientation, XMP. The top half is
    red, so a test can see which way up the result is."""
    image = Image.new("RGB", size, "blue")
    image.paste((255, 0, 0), (0, 0, size[0], size[1] // 2))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = ROTATED_90
    exif[ExifTags.Base.Model] = "iPhone 15"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (11.0, 18.0, 36.0),
        ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (106.0, 5.0, 53.0)}
    return _save(image, "JPEG", exif=exif, xmp=XMP)


def png_with_alpha(size: tuple[int, int] = (300, 200)) -> bytes:
    return _save(Image.new("RGBA", size, (0, 128, 0, 0)), "PNG")


def webp_bytes(size: tuple[int, int] = (3000, 1500)) -> bytes:
    return _save(Image.new("RGB", size, "green"), "WEBP")


def heic_bytes(size: tuple[int, int] = (320, 240)) -> bytes:
    pillow_heif.register_heif_opener()
    return _save(Image.new("RGB", size, "purple"), "HEIF")


def bomb(pixels: int) -> bytes:
    """A PNG of a few kilobytes that decodes to ``pixels`` pixels."""
    side = int(pixels ** 0.5) + 1
    return _save(Image.new("1", (side, side)), "PNG")
