"""Categories: administrators manage them; citizens pick one and answer its questions."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from smartapp.plugin import abort, db, record_audit

from .category_schemas import CategoryRecordSchema
from .models import Category

DEMO_FILE = Path(__file__).resolve().parent / "data" / "categories.json"
_FIELDS = {
    "agency_code",
    "priority",
    "resolve_hours",
    "questions",
    "hotline",
    "keywords",
    "position",
    "active",
}


def active_categories() -> list[Category]:
    statement = select(Category).where(Category.active.is_(True))
    return list(db.session.scalars(statement.order_by(Category.position, Category.code)))


def all_categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.code)))


def category_by_code(code: str, active_only: bool = True) -> Category | None:
    category = db.session.scalar(select(Category).where(Category.code == code))
    if category is None or (active_only and not category.active):
        return None
    return category


def _apply(category: Category, record: Mapping[str, Any]) -> None:
    for name in _FIELDS & record.keys():
        setattr(category, name, record[name])
    if "name" in record:
        category.name_vi, category.name_en = record["name"]["vi"], record["name"].get("en")
    if "description" in record:
        category.description_vi = record["description"]["vi"]
        category.description_en = record["description"].get("en")


def create_category(record: Mapping[str, Any]) -> Category:
    """A new category; 409 naming ``code`` when one has it already."""
    category = Category(code=record["code"])
    _apply(category, record)
    try:
        with db.session.begin_nested():  # the unique code decides, not a racing look-up
            db.session.add(category)
    except IntegrityError:
        abort(409, message=f"{record['code']} exists.", errors={"code": ["Exists already."]})
    record_audit("feedback.category.create", "feedback.category", category.code)
    db.session.commit()
    return category


def update_category(category: Category, changes: Mapping[str, Any]) -> Category:
    _apply(category, changes)
    record_audit(
        "feedback.category.update", "feedback.category", category.code, {"fields": sorted(changes)}
    )
    db.session.commit()
    return category


def seed_demo_categories() -> None:
    """Tây Ninh's demonstration categories, those not there yet (in the seed's transaction)."""
    existing = set(db.session.scalars(select(Category.code)))
    for record in CategoryRecordSchema(many=True).load(json.loads(DEMO_FILE.read_text())):
        if record["code"] not in existing:
            category = Category(code=record["code"])
            _apply(category, record)
            db.session.add(category)


# -- answers to the extra questions ------------------------------------------------------------


def _check_answer(question: Mapping[str, Any], value: Any) -> Any:
    datatype = question["datatype"]
    keys = {v["key"] for v in question.get("values", [])}
    if datatype in ("string", "text"):
        if not isinstance(value, str) or len(value) > (200 if datatype == "string" else 5000):
            raise ValueError("Not a text of the right length.")
        return value.strip()
    if datatype == "number":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError("Not a number.")
        try:
            number = float(value)
        except ValueError:
            raise ValueError("Not a number.") from None
        if not math.isfinite(number):
            raise ValueError("Not a number.")
        return number
    if datatype == "datetime":
        try:
            return datetime.fromisoformat(value).isoformat()
        except (TypeError, ValueError):
            raise ValueError("Not a date and time (ISO 8601).") from None
    if datatype == "singlevaluelist":
        if value not in keys:
            raise ValueError(f"One of: {', '.join(sorted(keys))}.")
        return value
    chosen = value if isinstance(value, list) else [value]
    if not chosen or any(not isinstance(v, str) or v not in keys for v in chosen):
        raise ValueError(f"Some of: {', '.join(sorted(keys))}.")
    return sorted(set(chosen))


def check_answers(category: Category, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers, normalized; a 422 naming ``answers.<code>`` for each wrong or missing one
    and for questions the category does not ask."""
    questions = {q["code"]: q for q in category.questions}
    errors: dict[str, list[str]] = {}
    checked: dict[str, Any] = {}
    for code in answers.keys() - questions.keys():
        errors[f"answers.{code}"] = ["Not a question of this category."]
    for code, question in questions.items():
        value = answers.get(code)
        if value in (None, "", []):
            if question.get("required"):
                errors[f"answers.{code}"] = ["Required."]
            continue
        try:
            checked[code] = _check_answer(question, value)
        except ValueError as error:
            errors[f"answers.{code}"] = [str(error)]
    if errors:
        raise ValidationError(errors)
    return checked
