"""Overrides are checked against their hook specs as pluggy checks its implementations, and
are called by keyword with only the parameters they declare."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest
from smartapp_example import ExamplePlugin

from smartapp.plugin import Citizen, Plugin, SearchHit
from smartapp.plugins.hooks import hook_problems, unknown_hooks
from smartapp.plugins.registry import ENTRY_POINT_GROUP, registry
from smartapp.testing import check_plugin, with_plugins


def tile(slug: str, **namespace: object) -> type[Plugin]:
    return type(
        f"{slug.title()}Plugin",
        (Plugin,),
        {
            "__doc__": slug,
            "slug": slug,
            "version": "1.0",
            "core_requires": ">=0.1",
            "title": {"vi": slug},
            **namespace,
        },
    )


def search_without_limit(self, query):
    return [SearchHit(title=f"bến {query}", subtitle="", path="stops/1", deep_link="x://1")]


def search_with_extra(self, query, language, limit, page):
    return []


def search_with_star_args(self, *args):
    return []


def badge_with_kwargs(self, citizen, **rest):
    return 1


OlderPlugin = tile("older", search=search_without_limit)
ExtraPlugin = tile("extra", search=search_with_extra)
StarPlugin = tile("star", search=search_with_star_args)
KwargsPlugin = tile("kwargs", tile_badge=badge_with_kwargs)
NotAMethodPlugin = tile("static", ioc_metrics=staticmethod(lambda: {}))


@with_plugins(OlderPlugin, ExtraPlugin, StarPlugin, KwargsPlugin, NotAMethodPlugin)
def test_overrides_that_do_not_fit_their_spec_make_the_plugin_invalid(app, client):
    records = registry().records
    assert {slug: record.state.value for slug, record in records.items()} == {
        "older": "loaded",
        "extra": "invalid",
        "star": "invalid",
        "kwargs": "invalid",
        "static": "invalid",
    }
    assert records["extra"].reason == (
        "search() takes 'page', which the hook does not pass (it passes: query, language, limit)"
    )
    assert records["star"].reason.startswith("search() declares *args: hooks pass named")
    assert records["kwargs"].reason.startswith("tile_badge() declares **rest")
    assert records["static"].reason == "ioc_metrics must be a method, like the hook it overrides"
    assert client.get("/readyz").json["plugins"]["extra"] == "invalid"


@with_plugins(OlderPlugin)
def test_an_override_gets_only_the_parameters_it_declares(client):
    """A hook can gain parameters: a plugin written before ``limit`` existed still answers."""
    hits = client.get("/api/v1/search", query_string={"q": "xe"}).json["items"]
    assert [hit["title"] for hit in hits] == ["bến xe"]


@with_plugins(ExamplePlugin)
def test_the_core_calling_a_hook_wrongly_fails_loudly(app):
    with pytest.raises(TypeError, match="hook search takes"):
        registry().call_hook(Plugin.search, query="x")


def test_a_misspelt_hook_is_caught_by_a_test_not_at_run_time():
    def tile_badges(self, citizen: Citizen) -> int:
        return 3

    def fee_payment_link(self, procedure_code: str, amount_vnd: int) -> str:
        return "/pay"  # a plugin's own offer to other plugins: allowed

    misspelt = tile("typo", tile_badges=tile_badges, fee_payment_link=fee_payment_link)
    assert hook_problems(misspelt, Plugin) == []  # registration keeps it loaded
    assert unknown_hooks(misspelt, Plugin) == [
        "tile_badges() is not a hook: did you mean tile_badge()?"
    ]
    with pytest.raises(AssertionError, match="did you mean tile_badge"):
        check_plugin(misspelt)
    check_plugin(tile("offers", fee_payment_link=fee_payment_link))


def test_every_installed_plugin_keeps_the_hook_contract():
    plugins = [entry.load() for entry in entry_points(group=ENTRY_POINT_GROUP)]
    assert plugins, "no plugin installed"
    for plugin_class in plugins:
        check_plugin(plugin_class)
