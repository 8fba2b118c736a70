"""Photos: judged by their bytes, re-encoded without metadata, stored whole or not at all,
shown only to whom may see them."""

from __future__ import annotations

import io
from pathlib import Path

import pillow_heif
import pytest
from PIL import ExifTags, Image
from smartapp_feedback import imaging
from smartapp_feedback.models import Photo
from smartapp_feedback.storage import EXTENSION_KEY, DiskStorage
from sqlalchemy import func, select

from smartapp.plugin import db

API = "/api/v1/u/feedback"

# -- real image files, made with Pillow (and pillow-heif for HEIC) ---------------------------

#: EXIF orientation 6: the camera was turned; viewers rotate the pixels 90° clockwise
ROTATED_90 = 6
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
    b'02/22-rdf-syntax-ns#"><rdf:Description photoshop:City="Tay Ninh"/></rdf:RDF>'
    b"</x:xmpmeta>"
)


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
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (11.0, 18.0, 36.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (106.0, 5.0, 53.0),
    }
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
    side = int(pixels**0.5) + 1
    return _save(Image.new("1", (side, side)), "PNG")


def _stored_files(app) -> list[Path]:
    root = Path(app.instance_path) / "feedback-photos"
    return sorted(root.iterdir()) if root.exists() else []


def _fetch(client, url: str, who=None) -> Image.Image | None:
    response = client.get(url, headers=who.headers if who else {})
    if response.status_code != 200:
        return None
    assert response.mimetype == "image/jpeg"
    assert "private" in response.headers["Cache-Control"]
    return Image.open(io.BytesIO(response.data))


def test_a_phone_photo_is_turned_upright_and_loses_its_metadata(client, citizen, upload):
    response = upload(citizen, phone_jpeg((400, 300)), name="IMG_0001.JPG")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["width"], body["height"]) == (300, 400)  # orientation applied
    stored = _fetch(client, body["url"], citizen)
    assert stored is not None and stored.format == "JPEG" and stored.size == (300, 400)
    assert not stored.getexif() and "xmp" not in stored.info and "exif" not in stored.info
    data = client.get(body["url"], headers=citizen.headers).data
    assert b"iPhone" not in data and b"Tay Ninh" not in data and b"Exif" not in data
    # the red half, on top before rotating, is now on the right
    assert stored.getpixel((280, 200))[0] > 200 and stored.getpixel((20, 200))[2] > 200
    thumbnail = _fetch(client, body["thumbnail_url"], citizen)
    assert thumbnail is not None and max(thumbnail.size) == imaging.THUMBNAIL_EDGE
    assert not thumbnail.getexif()


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (png_with_alpha, "a.png"),
        (webp_bytes, "a.webp"),
        (heic_bytes, "IMG_0002.HEIC"),
    ],
)
def test_png_webp_and_heic_become_jpeg(client, citizen, upload, make, name):
    response = upload(citizen, make(), name=name)
    assert response.status_code == 201, response.get_json()
    stored = _fetch(client, response.get_json()["url"], citizen)
    assert stored is not None and stored.format == "JPEG"
    assert max(stored.size) <= imaging.LONG_EDGE
    if name == "a.png":  # transparency painted white, not black
        assert stored.getpixel((5, 5)) > (240, 240, 240)
    if name == "a.webp":
        assert stored.size == (2048, 1024)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n", "Not a JPEG"),
        (b"", "Not a JPEG"),
        (jpeg_bytes((400, 400))[:300], "Not a JPEG"),  # cut off on the way
        (bomb(imaging.MAX_PIXELS + 1_000_000), "too many pixels"),  # Pillow warns
        (bomb(imaging.MAX_PIXELS * 2 + 1_000_000), "too many pixels"),  # Pillow refuses
    ],
    ids=["pdf-named-jpg", "empty", "truncated", "bomb-warning", "bomb-error"],
)
def test_what_is_not_a_safe_photo_is_refused_and_leaves_nothing(
    app, client, citizen, upload, data, message
):
    response = upload(citizen, data, name="photo.jpg")
    assert response.status_code == 422
    assert message in response.get_json()["errors"]["file"][0]
    assert _stored_files(app) == []
    assert db.session.scalar(select(func.count(Photo.id))) == 0


def test_a_gif_is_refused_though_pillow_reads_it(client, citizen, upload):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    assert upload(citizen, buffer.getvalue()).status_code == 422


def test_a_storage_failure_half_way_leaves_nothing(app, client, citizen, upload):
    class ThumbnailDiskFull(DiskStorage):
        def save(self, key: str, data: bytes) -> None:
            if key.endswith(".thumb.jpg"):
                raise OSError(28, "No space left on device")
            super().save(key, data)

    app.extensions[EXTENSION_KEY] = ThumbnailDiskFull(Path(app.instance_path) / "feedback-photos")
    response = upload(citizen)
    assert response.status_code == 500 and response.get_json()["code"] == 500
    assert _stored_files(app) == []
    assert db.session.scalar(select(func.count(Photo.id))) == 0


def test_upload_needs_a_citizen_a_file_and_multipart(client, citizen, upload):
    assert client.post(f"{API}/photos").status_code == 401
    missing = client.post(
        f"{API}/photos", data={}, headers=citizen.headers, content_type="multipart/form-data"
    )
    assert missing.status_code == 422 and "file" in missing.get_json()["errors"]
    raw = client.post(
        f"{API}/photos", data=jpeg_bytes(), headers=citizen.headers, content_type="image/jpeg"
    )
    assert raw.status_code == 415 and raw.get_json()["code"] == 415


def test_an_upload_over_the_limit_is_413(client, citizen, upload, monkeypatch):
    from smartapp_feedback import photos

    monkeypatch.setattr(photos, "MAX_UPLOAD_BYTES", 10_000)
    response = upload(citizen, jpeg_bytes() + b"\0" * 20_000)
    assert response.status_code == 413 and response.get_json()["code"] == 413


def test_an_unattached_photo_is_its_uploaders_only(
    client, citizen, make_citizen, admin, sxd_staff, upload
):
    body = upload(citizen).get_json()
    other = make_citizen("+84912000002")
    assert _fetch(client, body["url"], citizen) is not None
    for who in (None, other, sxd_staff, admin):
        assert client.get(body["url"], headers=who.headers if who else {}).status_code == 404
        assert (
            client.get(body["thumbnail_url"], headers=who.headers if who else {}).status_code == 404
        )
    assert client.get(f"{API}/photos/{'0' * 32}", headers=citizen.headers).status_code == 404
    assert (
        client.get(body["url"] + "?original=true", headers=citizen.headers).status_code == 404
    )  # staff only


def test_staff_upload_their_own_photos(client, sxd_staff, upload):
    response = upload(sxd_staff, path="/admin/photos")
    assert response.status_code == 201
    assert _fetch(client, response.get_json()["url"], sxd_staff) is not None


def test_the_stored_photo_is_not_exif_tagged_with_gps_even_in_the_thumbnail(app, citizen, upload):
    upload(citizen, phone_jpeg())
    for path in _stored_files(app):
        image = Image.open(path)
        assert ExifTags.Base.GPSInfo not in image.getexif()
        assert b"GPS" not in path.read_bytes()
