"""A small but complete plugin the core's tests load: routes, a model, a migration,
settings and a permission."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from smartapp.plugin import (
    Blueprint,
    CursorPageArgs,
    Model,
    Page,
    Plugin,
    db,
    page_schema,
    paginate,
    record_audit,
    staff_required,
)


class Note(Model):
    __tablename__ = "example_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(200))


class NoteSchema(Schema):
    id = fields.Integer(dump_only=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ExampleSettings(Schema):
    greeting = fields.String(load_default="Xin chào", validate=validate.Length(max=50))
    daily_limit = fields.Integer(load_default=10, validate=validate.Range(1, 100))


blp = Blueprint("example", __name__, description="Example utility")


@blp.route("/notes")
@blp.arguments(CursorPageArgs, location="query")
@blp.response(200, page_schema(NoteSchema))
def list_notes(args: dict[str, Any]) -> Page[Note]:
    """Notes, oldest first."""
    return paginate(select(Note), [Note.id], args)


@blp.route("/notes", methods=["POST"])
@blp.arguments(NoteSchema)
@blp.response(201, NoteSchema)
@staff_required(permission="example:manage")
def create_note(body: dict[str, Any]) -> Note:
    """Add a note (staff with ``example:manage``)."""
    note = Note(text=body["text"])
    db.session.add(note)
    db.session.flush()
    record_audit("example.note.create", "note", note.id)
    db.session.commit()
    return note


@blp.route("/greeting")
@blp.response(200)
def greeting() -> dict[str, str]:
    """The administrators' greeting setting."""
    return {"greeting": ExamplePlugin.settings()["greeting"]}


class ExamplePlugin(Plugin):
    """Example utility"""

    slug = "example"
    version = "1.2.0"
    core_requires = ">=0.1,<1"
    title = {"vi": "Ví dụ", "en": "Example"}
    description = {"vi": "Tiện ích mẫu", "en": "A sample utility"}
    icon = "science"
    category = "information"
    position = 20
    min_app_version = {"android": "3.0.0", "ios": "3.1.0"}
    blueprint = blp
    settings_schema = ExampleSettings
    permissions = {"manage": {"vi": "Quản lý ghi chú", "en": "Manage notes"}}
