"""Generated requests against every route of this utility (schemathesis, from the app's
OpenAPI document): never a server error, and each answer as documented."""

from __future__ import annotations

import secrets
import tempfile
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from smartapp_payments import PaymentsPlugin

from smartapp import create_app

CHECKS = [
    checks.not_a_server_error,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def published_document() -> dict[str, Any]:
    """This utility's document, read once at collection time (one test per operation)."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SMARTAPP_ENV": "testing",
                "SMARTAPP_DATABASE_URL": f"sqlite:///{folder}/db",
                "SMARTAPP_SECRET_KEY": secrets.token_urlsafe(32),
                "SMARTAPP_REDIS_URL": "",
                "SMARTAPP_FIREBASE_PROJECT_ID": "",
            },
            plugins=[PaymentsPlugin],
            instance_path=folder,
        )
        return app.test_client().get("/api/openapi.json").json


contract = schemathesis.openapi.from_dict(published_document()).include(
    path_regex="^/api/v1/u/payments/"
)


@contract.parametrize()
@settings(max_examples=15, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_payments_route_keeps_the_contract(case, app, admin):
    case.call_and_validate(app=app, headers=admin.headers, checks=CHECKS)
