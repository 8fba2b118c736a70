"""``smartapp demo seed``: demonstration places and fee accounts (marked as demo data), and
the real how-to guides. Safe to run twice: it adds only what is missing, and never commits
(the core commits once every plugin has seeded)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlalchemy import select

from smartapp.plugin import db

from ..models import FeeAccount, FeeItem, Guide, Place
from ..schemas import PlaceRecordSchema
from . import guides, places


def _data(name: str) -> Any:
    return json.loads(
        resources.files("smartapp_payments").joinpath(f"data/{name}").read_text(encoding="utf-8")
    )


def seed() -> None:
    existing = set(db.session.scalars(select(Place.code)))
    for raw in _data("demo_places.json")["places"]:
        if raw["code"] not in existing:
            place = Place()
            places.apply(place, PlaceRecordSchema().load(raw))
            db.session.add(place)
    agencies = set(db.session.scalars(select(FeeAccount.agency_code)))
    items = set(db.session.scalars(select(FeeItem.code)))
    for raw in _data("demo_fees.json")["fee_accounts"]:
        if raw["agency_code"] in agencies:
            continue
        fee_items = raw.pop("fee_items")
        account = FeeAccount(**raw)
        db.session.add(account)
        db.session.add_all(
            FeeItem(fee_account=account, **item) for item in fee_items if item["code"] not in items
        )
    slugs = set(db.session.scalars(select(Guide.slug)))
    for raw in _data("guides.json"):
        if raw["slug"] not in slugs:
            guide = Guide()
            guides.apply(guide, raw)
            db.session.add(guide)
