import json

import pytest
import redis
from smartapp_public_services import PublicServicesPlugin
from sqlalchemy import select

from smartapp import create_app
from smartapp.identity.models import AuditEntry
from smartapp.plugin import db

BASE = "/api/v1/u/public-services"
SEARCH = f"{BASE}/procedures"
#: a Redis database of this suite's own, emptied around the tests that use it
REDIS_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture
def record(fixtures):
    procedure = json.loads((fixtures / "procedures.json").read_text())[0]
    return {
        **procedure,
        "code": "1.999001",
        "name": "Đăng ký nuôi chim yến",
        "keywords": ["nhà yến"],
    }


def found(client, query):
    return [i["code"] for i in client.get(SEARCH, query_string={"q": query}).json["items"]]


def audit_actions():
    """What staff did through the routes (the fixtures' imports are audited too)."""
    return db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.action.not_like("%.import"))
        .order_by(AuditEntry.id)
    ).all()


def test_create_update_retire_procedure_clears_cached_searches(client, catalog, admin, record):
    assert found(client, "chim yen") == []  # cached now
    created = client.post(f"{BASE}/admin/procedures", json=record, headers=admin.headers)
    assert created.status_code == 201, created.json
    assert created.json["name"] == "Đăng ký nuôi chim yến"
    assert found(client, "chim yen") == ["1.999001"]

    patched = client.patch(
        f"{BASE}/admin/procedures/1.999001",
        headers=admin.headers,
        json={"name": "Đăng ký nuôi ong mật"},
    )
    assert patched.status_code == 200 and patched.json["field"] == "Hộ tịch"
    assert found(client, "ong mat")[0] == "1.999001"
    assert (
        client.delete(f"{BASE}/admin/procedures/1.999001", headers=admin.headers).status_code == 204
    )
    assert "1.999001" not in found(client, "ong mat")
    assert client.get(f"{SEARCH}/1.999001").status_code == 404
    assert audit_actions() == [
        "public-services.procedure.create",
        "public-services.procedure.update",
        "public-services.procedure.retire",
    ]
    # writing to a retired procedure brings it back
    client.patch(
        f"{BASE}/admin/procedures/1.999001", headers=admin.headers, json={"online_level": "partial"}
    )
    assert found(client, "ong mat")[0] == "1.999001"


@pytest.fixture
def empty_redis():
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()


@pytest.mark.smartapp_config(SMARTAPP_REDIS_URL=REDIS_URL)
def test_invalidation_goes_through_redis(app, client, catalog, admin, record, empty_redis):
    assert app.config["CACHE_TYPE"] == "RedisCache"
    assert found(client, "chim yen") == []
    assert empty_redis.keys("smartapp:cache:public-services:search:*")
    client.post(f"{BASE}/admin/procedures", json=record, headers=admin.headers)
    assert found(client, "chim yen") == ["1.999001"]


@pytest.mark.smartapp_config(SMARTAPP_REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens
def test_with_redis_down_search_still_answers(client, catalog):
    assert found(client, "khai sinh")[0] == "1.001193"


def test_a_change_reaches_every_worker_at_once(
    app, client, catalog, admin, record, fixtures, smartapp_database, tmp_path
):
    """Two apps on one database stand for two worker processes without Redis: the second
    sees the first's changes at its next search, although it cached the answers before."""
    other = create_app(
        {
            "SMARTAPP_DATABASE_URL": smartapp_database.url,
            "SMARTAPP_ENV": "testing",
            "SMARTAPP_REDIS_URL": "",
        },
        plugins=[PublicServicesPlugin],
        instance_path=tmp_path / "other",
    )
    other_client = other.test_client()
    records = json.loads((fixtures / "procedures.json").read_text())
    records[0]["name"] = "Đăng ký khai sinh cho trẻ bị bỏ rơi"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(records, ensure_ascii=False))
    # each change in an app context (so a session) of its own, as a worker serves a request
    try:
        assert found(other_client, "chim yen") == []
        assert "1.001193" not in found(other_client, "bi bo roi")
        with app.app_context():
            client.post(f"{BASE}/admin/procedures", json=record, headers=admin.headers)
        assert found(other_client, "chim yen") == ["1.999001"]
        with app.app_context():
            client.delete(f"{BASE}/admin/procedures/1.999001", headers=admin.headers)
        assert found(other_client, "chim yen") == []
        with app.app_context():
            imported = app.test_cli_runner().invoke(
                args=["public-services", "import", "--yes", str(changed)]
            )
        assert imported.exit_code == 0, imported.output
        assert found(other_client, "bi bo roi") == ["1.001193"]
    finally:
        with other.app_context():
            db.engine.dispose()


def test_permission_is_required(client, catalog, make_staff, record):
    communicator = make_staff("communicator")
    manager = make_staff("agency_staff", agency_code="STP", permissions=["public-services:manage"])
    url = f"{BASE}/admin/procedures"
    assert client.post(url, json=record).status_code == 401
    assert client.post(url, json=record, headers=communicator.headers).status_code == 403
    assert client.post(url, json=record, headers=manager.headers).status_code == 201


def test_bad_staff_input_names_the_field(client, catalog, admin, record):
    url = f"{BASE}/admin/procedures"
    duplicate = client.post(url, json={**record, "code": "1.001193"}, headers=admin.headers)
    assert duplicate.status_code == 409 and "code" in duplicate.json["errors"]
    bad = client.post(url, json={**record, "channels": [{"channel": "fax"}]}, headers=admin.headers)
    assert bad.status_code == 422 and "channels" in bad.json["errors"]
    wrong = client.patch(f"{url}/1.001193", json={"level": "district"}, headers=admin.headers)
    assert wrong.status_code == 422 and "level" in wrong.json["errors"]
    renamed = client.patch(f"{url}/1.001193", json={"code": "2.0"}, headers=admin.headers)
    assert renamed.status_code == 422 and "code" in renamed.json["errors"]
    assert client.patch(f"{url}/9.9", json={}, headers=admin.headers).status_code == 404
    nul = client.patch(f"{url}/1.001193", json={"name": "Khai\x00sinh"}, headers=admin.headers)
    assert nul.status_code == 422 and "name" in nul.json["errors"]
    assert client.get(f"{SEARCH}/1.001\x00193").status_code == 404


def test_offices_are_managed_too(client, catalog, admin):
    url = f"{BASE}/admin/offices"
    office = {
        "code": "X-C",
        "name": "Trung tâm xã C",
        "kind": "commune_centre",
        "address": "Xã C",
        "latitude": 10.7,
        "longitude": 106.3,
    }
    created = client.post(url, json=office, headers=admin.headers)
    assert created.status_code == 201 and created.json["opening_hours"] == ""
    moved = client.patch(f"{url}/X-C", json={"latitude": 10.8}, headers=admin.headers)
    assert moved.json["latitude"] == 10.8
    assert (
        client.patch(f"{url}/X-C", json={"ward_code": 1}, headers=admin.headers).status_code == 422
    )
    assert client.delete(f"{url}/X-C", headers=admin.headers).status_code == 204
    assert client.get(f"{BASE}/offices/X-C").status_code == 404
    assert audit_actions() == [
        "public-services.office.create",
        "public-services.office.update",
        "public-services.office.retire",
    ]
