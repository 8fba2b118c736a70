"""``/api/v1/admin/privacy/…``: administrators publish the privacy notice's versions."""

from __future__ import annotations

from typing import Any

from smartapp.blueprint import Blueprint
from smartapp.consent.models import PrivacyNotice
from smartapp.consent.services import notices, publish_notice
from smartapp.identity.auth import staff_required
from smartapp.identity.models import Role
from smartapp.privacy.schemas import NoticeSchema

blp = Blueprint(
    "privacy_admin",
    __name__,
    url_prefix="/api/v1/admin/privacy",
    description="Administration of the privacy notice",
)


@blp.route("/notices")
@staff_required(Role.ADMIN)
@blp.response(200, NoticeSchema(many=True))
def list_notices() -> list[PrivacyNotice]:
    """Every version of the notice, newest first."""
    return notices()


@blp.route("/notices", methods=["POST"])
@staff_required(Role.ADMIN)
@blp.arguments(NoticeSchema)
@blp.response(201, NoticeSchema)
def post_notice(body: dict[str, Any]) -> PrivacyNotice:
    """Publish the next version: every citizen is asked to accept it again."""
    return publish_notice(body["title"], body["body"], body["purposes"])
