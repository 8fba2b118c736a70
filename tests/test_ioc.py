"""Figures for the provincial operations centre."""

from __future__ import annotations

from smartapp_example import ExamplePlugin
from smartapp_samples import BrokenSetupPlugin

from smartapp.testing import with_plugins


@with_plugins(ExamplePlugin, BrokenSetupPlugin)
def test_core_figures_and_access(client, make_staff, make_citizen):
    make_citizen("+84912000011")
    make_citizen("+84912000012", language="en")
    ioc = make_staff("communicator", permissions=["ioc:read"])
    figures = client.get("/api/v1/ioc/metrics", headers=ioc.headers).json
    assert figures["province_code"] == 80
    assert figures["core"]["citizens"] == 2
    assert figures["core"]["citizens_by_language"] == {"vi": 1, "en": 1}
    assert figures["core"]["plugins"] == {
        "loaded": 1,
        "import_error": 0,
        "invalid": 0,
        "incompatible": 0,
        "setup_error": 1,
    }
    assert (
        client.get("/api/v1/ioc/metrics", headers=make_staff("communicator").headers).status_code
        == 403
    )
    assert client.get("/api/v1/ioc/metrics").status_code == 401
