import json

import pytest
from sqlalchemy import select

from smartapp.admin.models import AuditEntry
from smartapp.plugin import db

BASE = "/api/v1/u/public-services"
SEARCH = f"{BASE}/procedures"


@pytest.fixture
def record(fixtures):
    procedure = json.loads((fixtures / "procedures.json").read_text())[0]
    return {**procedure, "code": "1.999001", "name": "Đăng ký nuôi chim yến",
            "keywords": ["nhà yến"]}


def found(client, query):
    return [i["code"] for i in client.get(SEARCH, query_string={"q": query}).json["items"]]


def audit_actions():
    return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()


def test_create_update_retire_procedure_clears_cached_searches(client, catalog, admin, record):
    assert found(client, "chim yen") == []  # cached now
    created = client.post(f"{BASE}/admin/procedures", json=record, headers=admin.headers)
    assert created.status_code == 201, created.json
    assert created.json["name"] == "Đăng ký nuôi chim yến"
    assert found(client, "chim yen") == ["1.999001"]

    patched = client.patch(f"{BASE}/admin/procedures/1.999001", headers=admin.headers,
                           json={"name": "Đăng ký nuôi ong mật"})
    assert patched.status_code == 200 and patched.json["field"] == "Hộ tịch"
    assert found(client, "ong mat")[0] == "1.999001"
    assert client.delete(f"{BASE}/admin/procedures/1.999001",
                         headers=admin.headers).status_code == 204
    assert "1.999001" not in found(client, "ong mat")
    assert client.get(f"{SEARCH}/1.999001").status_code == 404
    assert audit_actions() == ["public-services.procedure.create",
                               "public-services.procedure.update",
                               "public-services.procedure.retire"]
    # writing to a retired procedure brings it back
    client.patch(f"{BASE}/admin/procedures/1.999001", headers=admin.headers,
                 json={"online_level": "partial"})
    assert found(client, "ong mat")[0] == "1.999001"


@pytest.mark.smartapp_config(SMARTAPP_REDIS_URL="redis://127.0.0.1:6379/15")
def test_invalidation_goes_through_redis(app, client, catalog, admin, record):
    assert app.config["CACHE_TYPE"] == "RedisCache"
    assert found(client, "chim yen") == []
    client.post(f"{BASE}/admin/procedures", json=record, headers=admin.headers)
    assert found(client, "chim yen") == ["1.999001"]


def test_permission_is_required(client, catalog, make_staff, record):
    communicator = make_staff("communicator")
    manager = make_staff("agency_staff", agency_code="STP",
                         permissions=["public-services:manage"])
    url = f"{BASE}/admin/procedures"
    assert client.post(url, json=record).status_code == 401
    assert client.post(url, json=record, headers=communicator.headers).status_code == 403
    assert client.post(url, json=record, headers=manager.headers).status_code == 201


def test_bad_staff_input_names_the_field(client, catalog, admin, record):
    url = f"{BASE}/admin/procedures"
    duplicate = client.post(url, json={**record, "code": "1.001193"}, headers=admin.headers)
    assert duplicate.status_code == 409 and "code" in duplicate.json["errors"]
    bad = client.post(url, json={**record, "channels": [{"channel": "fax"}]},
                      headers=admin.headers)
    assert bad.status_code == 422 and "channels" in bad.json["errors"]
    wrong = client.patch(f"{url}/1.001193", json={"level": "district"}, headers=admin.headers)
    assert wrong.status_code == 422 and "level" in wrong.json["errors"]
    renamed = client.patch(f"{url}/1.001193", json={"code": "2.0"}, headers=admin.headers)
    assert renamed.status_code == 422 and "code" in renamed.json["errors"]
    assert client.patch(f"{url}/9.9", json={}, headers=admin.headers).status_code == 404


def test_offices_are_managed_too(client, catalog, admin):
    url = f"{BASE}/admin/offices"
    office = {"code": "X-C", "name": "Trung tâm xã C", "kind": "commune_centre",
              "address": "Xã C", "latitude": 10.7, "longitude": 106.3}
    created = client.post(url, json=office, headers=admin.headers)
    assert created.status_code == 201 and created.json["opening_hours"] == ""
    moved = client.patch(f"{url}/X-C", json={"latitude": 10.8}, headers=admin.headers)
    assert moved.json["latitude"] == 10.8
    assert client.patch(f"{url}/X-C", json={"ward_code": 1},
                        headers=admin.headers).status_code == 422
    assert client.delete(f"{url}/X-C", headers=admin.headers).status_code == 204
    assert client.get(f"{BASE}/offices/X-C").status_code == 404
    assert audit_actions() == ["public-services.office.create", "public-services.office.update",
                               "public-services.office.retire"]
