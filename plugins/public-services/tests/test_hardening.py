"""Issue 6 in public-services: readers of what staff wrote, cursors of other lists, scoping."""

from __future__ import annotations

import json

import pytest
from smartapp_public_services.models import Office, Procedure

from smartapp.plugin import db

BASE = "/api/v1/u/public-services"


def error_envelope(response, code: int, fields: set[str] | None = None) -> None:
    """The response is the error envelope with ``code``, naming ``fields``."""
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.json["code"] == code and response.json["message"]
    if fields is not None:
        assert set(response.json.get("errors", {})) == fields, response.json


@pytest.fixture
def record(fixtures):
    procedure = json.loads((fixtures / "procedures.json").read_text())[0]
    return {**procedure, "code": "1.999002", "name": "Đăng ký nuôi ong"}


def test_document_items_without_copy_counts_get_the_defaults(client, catalog, admin, record):
    documents = [{"items": [{"name": "Tờ khai"}]}]
    created = client.post(
        f"{BASE}/admin/procedures", headers=admin.headers, json={**record, "documents": documents}
    )
    assert created.status_code == 201, created.json
    patched = client.patch(
        f"{BASE}/admin/procedures/1.999002",
        headers=admin.headers,
        json={"documents": [{"case": "Lần đầu", "items": [{"name": "Ảnh"}]}]},
    )
    assert patched.status_code == 200, patched.json
    checklist = client.get(f"{BASE}/procedures/1.999002/checklist")
    assert checklist.status_code == 200
    assert "[ ] Ảnh (1 bản chính, 0 bản sao)" in checklist.get_data(as_text=True)
    # a group given in a change is whole: its items are required
    partial = client.patch(
        f"{BASE}/admin/procedures/1.999002",
        headers=admin.headers,
        json={"documents": [{"case": "Thiếu giấy tờ"}]},
    )
    assert partial.status_code == 422 and "documents" in partial.json["errors"]


@pytest.mark.parametrize("cursor", ["WyJcdTAwMDAiXQ==", "WyJcdWQ4MDAiXQ=="])
def test_cursors_with_unstorable_text_are_a_422(client, catalog, cursor):
    for path in ("bundles", "offices"):
        error_envelope(
            client.get(f"{BASE}/{path}", query_string={"cursor": cursor}), 422, fields={"cursor"}
        )


def test_another_lists_cursor_is_a_422(client, catalog):
    wards = client.get("/api/v1/locations/wards", query_string={"limit": 2}).json
    response = client.get(f"{BASE}/offices", query_string={"cursor": wards["next_cursor"]})
    error_envelope(response, 422, fields={"cursor"})


# --- agency scoping -------------------------------------------------------------------------

MANAGE = ["public-services:manage"]


@pytest.fixture
def owned(app, catalog):
    """One procedure and one office of agency SXD, the rest the province's."""
    procedure = db.session.scalars(db.select(Procedure).order_by(Procedure.code)).first()
    office = db.session.scalars(db.select(Office).order_by(Office.code)).first()
    procedure.agency_code = office.agency_code = "SXD"
    db.session.commit()
    others = (
        db.session.scalars(
            db.select(Procedure.code).where(Procedure.code != procedure.code)
        ).first(),
        db.session.scalars(db.select(Office.code).where(Office.code != office.code)).first(),
    )
    return (procedure.code, office.code), others


def test_agency_staff_change_only_their_agencys_objects(client, owned, make_staff):
    (procedure, office), (other_procedure, other_office) = owned
    sxd = make_staff("agency_staff", agency_code="SXD", permissions=MANAGE)
    stp = make_staff("agency_staff", agency_code="STP", permissions=MANAGE)
    change = {"phone": "0276 3822 000"}
    assert (
        client.patch(f"{BASE}/admin/offices/{office}", json=change, headers=sxd.headers).status_code
        == 200
    )
    for staff, code in ((stp, office), (sxd, other_office)):
        error_envelope(
            client.patch(f"{BASE}/admin/offices/{code}", json=change, headers=staff.headers),
            403,
            fields={"agency_code"},
        )
        error_envelope(client.delete(f"{BASE}/admin/offices/{code}", headers=staff.headers), 403)
    rename = {"description": "Mô tả mới"}
    assert (
        client.patch(
            f"{BASE}/admin/procedures/{procedure}", json=rename, headers=sxd.headers
        ).status_code
        == 200
    )
    error_envelope(
        client.patch(
            f"{BASE}/admin/procedures/{other_procedure}", json=rename, headers=sxd.headers
        ),
        403,
    )
    # nor can they give their object away to another agency
    error_envelope(
        client.patch(
            f"{BASE}/admin/offices/{office}", json={"agency_code": "STP"}, headers=sxd.headers
        ),
        403,
        fields={"agency_code"},
    )
    assert (
        db.session.get(
            Office, db.session.scalar(db.select(Office.id).where(Office.code == other_office))
        ).phone
        != "0276 3822 000"
    )


def test_agency_staff_create_for_their_agency_and_admins_for_any(
    client, catalog, make_staff, admin, record
):
    sxd = make_staff("agency_staff", agency_code="SXD", permissions=MANAGE)
    created = client.post(f"{BASE}/admin/procedures", json=record, headers=sxd.headers)
    assert created.status_code == 201
    assert (
        db.session.scalar(db.select(Procedure.agency_code).where(Procedure.code == record["code"]))
        == "SXD"
    )
    elsewhere = {**record, "code": "1.999003", "agency_code": "STP"}
    error_envelope(
        client.post(f"{BASE}/admin/procedures", json=elsewhere, headers=sxd.headers),
        403,
        fields={"agency_code"},
    )
    assert (
        client.post(f"{BASE}/admin/procedures", json=elsewhere, headers=admin.headers).status_code
        == 201
    )
    assert (
        client.patch(
            f"{BASE}/admin/procedures/1.999002", json={"agency_code": "STP"}, headers=admin.headers
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("radius", "codes"),
    [
        (1, ["TTPVHCC-TINH"]),
        (10, ["TTPVHCC-TINH", "X-A"]),  # X-A is 7 km away
        (100, ["TTPVHCC-TINH", "X-A", "X-B"]),  # X-B about 90 km
    ],
)
def test_radius_km_decides_which_offices_are_near(client, catalog, radius, codes):
    page = client.get(
        f"{BASE}/offices", query_string={"near": "10.536,106.41", "radius_km": radius}
    ).json
    assert [office["code"] for office in page["items"]] == codes
