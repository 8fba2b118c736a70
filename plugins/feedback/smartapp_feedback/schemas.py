"""Request and response shapes of photos and reports."""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields

from .models import Photo


def photo_url(photo: Photo, thumbnail: bool = False) -> str:
    endpoint = "smartapp_feedback.photo_thumbnail" if thumbnail else "smartapp_feedback.photo_file"
    return url_for(endpoint, photo_id=photo.id)


class PhotoSchema(Schema):
    """A stored photo: fetch its files with the same credentials."""

    id = fields.String()
    url = fields.Function(photo_url)
    thumbnail_url = fields.Function(lambda photo: photo_url(photo, thumbnail=True))
    width = fields.Integer()
    height = fields.Integer()


class PhotoFileArgs(Schema):
    original = fields.Boolean(load_default=False,
                              metadata={"description": "staff: the photo before moderation"})
