"""How-to guides (paying a public fee online, paying by VietQR, a transfer that failed):
written by staff in Vietnamese and English, read by citizens, found by the app's search."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select

from smartapp.plugin import SearchHit, abort, db, localize

from ..models import Guide
from ..schemas import SLUG_PATTERN
from ..settings import SLUG
from ..text import fold
from . import records

OBJECT_TYPE = "payments.guide"


def listed() -> Select[tuple[Guide]]:
    return select(Guide).where(Guide.retired_at.is_(None))


def view(guide: Guide, language: str, with_body: bool = True) -> dict[str, Any]:
    """A guide in ``language`` (Vietnamese where it has no English)."""
    shown = {
        "slug": guide.slug,
        "position": guide.position,
        "updated_at": guide.updated_at,
        "title": localize({"vi": guide.title_vi, "en": guide.title_en or ""}, language),
    }
    if with_body:
        shown["body"] = localize({"vi": guide.body_vi, "en": guide.body_en or ""}, language)
    return shown


def guide_by_slug(slug: str, include_retired: bool = False) -> Guide:
    guide = (
        db.session.scalar(select(Guide).where(Guide.slug == slug))
        if SLUG_PATTERN.match(slug)
        else None
    )
    if guide is None or (guide.retired_at is not None and not include_retired):
        abort(404, message=f"No guide {slug}.")
    return guide


def apply(guide: Guide, record: Mapping[str, Any]) -> bool:
    changed = records.write_fields(guide, record)
    guide.search_text = fold(
        " ".join(filter(None, (guide.title_vi, guide.title_en, guide.body_vi, guide.body_en)))
    )
    return changed


GUIDES = records.Managed(Guide, OBJECT_TYPE, "slug", apply)


def search(query: str, language: str, limit: int) -> list[SearchHit]:
    """Guides whose folded text holds every folded word of ``query``; a match in the title
    ranks above one in the body only."""
    words = fold(query).split()
    if not words:
        return []
    statement = listed()
    for word in words:
        statement = statement.where(Guide.search_text.contains(word))
    hits = []
    for guide in db.session.scalars(statement.order_by(Guide.position, Guide.id).limit(limit)):
        shown = view(guide, language, with_body=False)
        title = fold(f"{guide.title_vi} {guide.title_en or ''}")
        in_title = sum(word in title for word in words) / len(words)
        hits.append(
            SearchHit(
                title=shown["title"],
                subtitle=localize({"vi": "Hướng dẫn thanh toán", "en": "Payment guide"}, language),
                path=f"guides/{guide.slug}",
                deep_link=f"smartapp://u/{SLUG}/guides/{guide.slug}",
                score=round(0.4 + 0.5 * in_title, 3),
            )
        )
    return sorted(hits, key=lambda hit: -hit.score)
