"""The OpenAPI document and a docs UI that needs no internet."""

from __future__ import annotations

import re

from smartapp_example import ExamplePlugin

from smartapp.testing import with_plugins


@with_plugins(ExamplePlugin)
def test_openapi_covers_core_and_plugin_routes(client):
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.")
    for path in [
        "/api/v1/utilities",
        "/api/v1/me",
        "/api/v1/locations/wards",
        "/api/v1/auth/staff/token",
        "/api/v1/admin/plugins",
        "/api/v1/ioc/metrics",
        "/api/v1/search",
        "/healthz",
        "/readyz",
        "/api/v1/u/example/notes",
    ]:
        assert path in spec["paths"], path
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["paths"]["/api/v1/me"]["get"]["security"] == [{"bearerAuth": []}]


def test_docs_ui_is_served_from_local_files(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.get_data(as_text=True))
    assert assets, "the docs page loads no assets?"
    for asset in assets:
        assert asset.startswith("/api/docs/static/"), f"{asset} is not served locally"
        assert client.get(asset).status_code == 200, asset
