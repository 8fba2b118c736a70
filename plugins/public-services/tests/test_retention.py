"""Retention of the search log: the per-client rows go after their period, the daily counts
the IOC reads stay, so the figures do not change."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from smartapp_public_services.models import SearchClient, SearchStat
from sqlalchemy import func, select, update

from smartapp.plugin import cache, db, utcnow
from smartapp.testing import SignedIn

SEARCH = "/api/v1/u/public-services/procedures"
METRICS = "/api/v1/ioc/metrics"


def _figures(client, admin: SignedIn) -> dict:
    cache.clear()  # the IOC answer is cached for a minute
    response = client.get(METRICS, headers=admin.headers)
    assert response.status_code == 200
    return response.json["utilities"]["public-services"]


def _purge(app) -> dict:
    result = app.test_cli_runner().invoke(args=["retention", "purge", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["plugins"]["public-services"]


def test_old_search_clients_go_and_the_top_searches_stay(app, client, catalog, admin):
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        for query in ("khai sinh", "giấy phép bay"):
            response = client.get(
                SEARCH, query_string={"q": query}, environ_base={"REMOTE_ADDR": address}
            )
            assert response.status_code == 200
    ten_days_ago = utcnow().date() - timedelta(days=10)
    for model in (SearchStat, SearchClient):  # searched ten days ago: in the IOC's 30 days
        db.session.execute(update(model).values(day=ten_days_ago))
    db.session.add(SearchStat(day=utcnow().date() - timedelta(days=91), query="cu", searches=9))
    db.session.commit()
    before = _figures(client, admin)
    assert {row["query"] for row in before["top_searches"]} == {"khai sinh", "giay phep bay"}

    assert _purge(app) == {"search_clients": 6, "search_stats": 1}
    assert db.session.scalar(select(func.count()).select_from(SearchClient)) == 0
    assert set(db.session.scalars(select(SearchStat.query))) == {"khai sinh", "giay phep bay"}
    assert _figures(client, admin) == before
    assert _purge(app) == {"search_clients": 0, "search_stats": 0}


@pytest.mark.smartapp_config(SMARTAPP_PUBLIC_SERVICES_SEARCH_LOG_RETENTION_DAYS="20")
def test_the_period_is_a_setting(app, client, catalog):
    client.get(SEARCH, query_string={"q": "khai sinh"})
    db.session.execute(update(SearchClient).values(day=utcnow().date() - timedelta(days=10)))
    db.session.commit()
    assert _purge(app)["search_clients"] == 0  # 10 days old, kept for 20


@pytest.mark.smartapp_config(SMARTAPP_PUBLIC_SERVICES_SEARCH_LOG_RETENTION_DAYS="a week")
def test_a_wrong_period_is_a_setup_error_naming_it(client, admin):
    plugins = client.get("/api/v1/admin/plugins", headers=admin.headers).json
    mine = next(p for p in plugins["items"] if p["slug"] == "public-services")
    assert mine["state"] == "setup_error"
    assert "SMARTAPP_PUBLIC_SERVICES_SEARCH_LOG_RETENTION_DAYS" in mine["reason"]
