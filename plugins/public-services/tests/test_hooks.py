from datetime import timedelta

from smartapp_public_services import PublicServicesPlugin
from smartapp_public_services.models import Bundle, Office, Procedure, SearchStat
from smartapp_public_services.search import search_revision
from sqlalchemy import func, select

from smartapp.plugin import db, utcnow

SEARCH = "/api/v1/u/public-services/procedures"


def _search(client, query: str, address: str, **args) -> dict:
    return client.get(
        SEARCH, query_string={"q": query, **args}, environ_base={"REMOTE_ADDR": address}
    ).json


def test_hook_ioc_metrics(client, catalog, admin):
    for query, address in [
        ("khai sinh", "10.0.0.1"),
        ("Khai sinh", "10.0.0.2"),
        ("khai sinh", "10.0.0.3"),
        ("khai sinh", "10.0.0.3"),
        ("giấy phép bay", "10.0.0.1"),
        ("giay phep bay", "10.0.0.2"),
        ("giấy phép bay", "10.0.0.4"),
        ("thường trú", "10.0.0.1"),
        ("thường trú", "10.0.0.2"),
    ]:
        _search(client, query, address)
    first = _search(client, "khai sinh", "10.0.0.5", limit=1)
    _search(client, "khai sinh", "10.0.0.6", cursor=first["next_cursor"])
    db.session.add(
        SearchStat(day=utcnow().date() - timedelta(days=40), query="cu qua", searches=99, results=0)
    )
    db.session.commit()

    figures = client.get("/api/v1/ioc/metrics", headers=admin.headers).json
    mine = figures["utilities"]["public-services"]
    assert mine["procedures"] == 4 and mine["offices"] == 3
    assert mine["procedures_by_field"] == {
        "Hộ tịch": 2,
        "Cấp, quản lý căn cước": 1,
        "Đăng ký, quản lý cư trú": 1,
    }
    assert mine["procedures_by_online_level"] == {"full": 2, "partial": 2}
    # folded; once per client and day (10.0.0.3 twice is one); a next page is not a new
    # search; two clients are too few to be listed; older than 30 days: out
    assert mine["top_searches"] == [
        {"query": "khai sinh", "searches": 4},
        {"query": "giay phep bay", "searches": 3},
    ]
    assert mine["searches_without_result"] == [{"query": "giay phep bay", "searches": 3}]


def test_one_client_cannot_write_the_dashboard_or_flood_the_log(client, catalog, admin):
    statuses = [
        client.get(SEARCH, query_string={"q": f"quảng cáo {n}"}).status_code for n in range(70)
    ]
    assert statuses.count(200) == 60 and statuses[60:] == [429] * 10  # 60 per minute
    for _ in range(30):
        _search(client, "mua thuoc gia re", "10.0.0.9")
    assert db.session.scalar(select(func.count()).select_from(SearchStat)) == 61
    assert (
        db.session.scalar(select(SearchStat.searches).where(SearchStat.query == "mua thuoc gia re"))
        == 1
    )
    figures = client.get("/api/v1/ioc/metrics", headers=admin.headers).json
    assert figures["utilities"]["public-services"]["top_searches"] == []


def test_hook_search(app, catalog):
    with app.test_request_context():
        hits = PublicServicesPlugin().search("khai sinh", "en", 2)
    assert len(hits) == 2 and hits[0].path == "procedures/1.001193"
    assert hits[0].title == "Birth registration"
    assert hits[0].deep_link == "smartapp://u/public-services/procedures/1.001193"
    assert hits[0].score > hits[1].score


def test_cross_utility_search_route_includes_procedures(client, catalog):
    body = client.get("/api/v1/search", query_string={"q": "dang ky khai sinh"}).json
    assert body["items"][0]["path"] == "/api/v1/u/public-services/procedures/1.001193"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_hook_seed_demo(app):
    runner = app.test_cli_runner()
    for _ in range(2):  # safe to run twice
        result = runner.invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
        assert "public-services" in result.output
    assert count(Procedure) >= 150 and count(Office) >= 97 and count(Bundle) >= 2


def test_seed_demo_leaves_the_commit_to_the_core(app):
    PublicServicesPlugin().seed_demo()
    assert count(Procedure) >= 150 and search_revision() == 1
    db.session.rollback()  # what the core does when another part of the seed fails
    assert count(Procedure) == 0 and count(Office) == 0 and search_revision() == 0
