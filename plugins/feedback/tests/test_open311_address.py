"""Open311 reports by ``address_string`` alone: the ward read from the address, no
coordinates until staff place the report, off the map and out of duplicate search until then."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import pytest
from marshmallow import ValidationError
from smartapp_feedback.addresses import ward_in_address

V2 = "/open311/v2"
API = "/api/v1/u/feedback"
TAN_NINH = 25459


def post(client: Any, api_key: str, fmt: str = "json", **form: str) -> Any:
    body = {
        "api_key": api_key,
        "service_code": "road-damage",
        "description": "Ổ gà",
        "attribute[size]": "large",
        **form,
    }
    return client.post(f"{V2}/requests.{fmt}", data=body)


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("12 Nguyễn Trãi, P. Tân Ninh, Tây Ninh", TAN_NINH),
        ("12 nguyen trai, phuong tan ninh", TAN_NINH),  # typed without diacritics
        ("P.TÂN-NINH", TAN_NINH),
        ("số 5 đường Gò Dầu, phường Tân Ninh, tỉnh Tây Ninh", TAN_NINH),  # a street, no ward
        ("Phường Long An, tỉnh Long An", 27694),  # the old province's name is no ward
        ("Ấp 3, xã Tân Thạnh", 27826),  # Tân Thạnh and Tân Thành fold alike
        ("xã Tân Thành", 25534),
        ("mã phường 25459", TAN_NINH),
    ],
)
def test_the_ward_is_read_from_the_address(app, address, code):
    assert ward_in_address(address) == code


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("36 Hàng Bạc, Hoàn Kiếm, Hà Nội", "no ward"),
        ("tỉnh Long An", "no ward"),
        ("tan thanh", "several"),  # Tân Thành or Tân Thạnh: say which
        ("Phường Tân Ninh, Phường Long An", "several"),
    ],
)
def test_an_address_naming_no_single_ward_is_refused(app, address, says):
    with pytest.raises(ValidationError) as refused:
        ward_in_address(address)
    assert refused.value.field_name == "address" and says in str(refused.value.messages)


def test_a_report_by_address_waits_for_staff_to_place_it(
    georeport, client, api_key, admin, make_staff, make_citizen
):
    sxd = make_staff("agency_staff", agency_code="SXD")
    other_agency = make_staff("agency_staff", agency_code="SNNMT")
    answer = post(client, api_key, address_string="12 Nguyễn Trãi, P. Tân Ninh, Tây Ninh")
    assert answer.status_code == 201, answer.json
    report_id = answer.json[0]["service_request_id"]
    [listed] = georeport("requests", client.get(f"{V2}/requests/{report_id}.json").json)
    assert listed["lat"] is None and listed["long"] is None
    assert listed["address"] == "12 Nguyễn Trãi, P. Tân Ninh, Tây Ninh"
    as_xml = ElementTree.fromstring(client.get(f"{V2}/requests/{report_id}.xml").data)
    assert as_xml.findtext("request/lat") == "" and as_xml.findtext("request/long") == ""
    assert as_xml.findtext("request/address") == listed["address"]

    staff_path = f"{API}/admin/reports/{report_id}"
    report = client.get(staff_path, headers=sxd.headers).json
    assert report["needs_location"] is True and report["ward_code"] == TAN_NINH
    waiting = client.get(
        f"{API}/admin/reports", query_string={"needs_location": "true"}, headers=sxd.headers
    ).json["items"]
    assert [r["id"] for r in waiting] == [int(report_id)]
    assert client.get(f"{API}/map").json["features"] == []
    nearby = {"category": "road-damage", "latitude": 11.3101, "longitude": 106.0983}
    assert client.get(f"{API}/nearby", query_string=nearby).json == []

    place = {"action": "place", "latitude": 11.3101, "longitude": 106.0983}
    actions = f"{staff_path}/actions"
    assert client.post(actions, json=place, headers=other_agency.headers).status_code == 404
    assert client.post(actions, json=place).status_code == 401
    assert client.post(actions, json=place, headers=make_citizen().headers).status_code == 403
    outside = client.post(actions, json={**place, "latitude": 21.03}, headers=sxd.headers)
    assert outside.status_code == 422 and "latitude" in outside.json["errors"]
    missing = client.post(actions, json={"action": "place"}, headers=sxd.headers)
    assert set(missing.json["errors"]) == {"latitude", "longitude"}
    placed = client.post(actions, json={**place, "note": "Trước chợ"}, headers=sxd.headers)
    assert placed.status_code == 200, placed.json
    assert placed.json["needs_location"] is False and placed.json["status"] == "received"
    assert placed.json["timeline"][-1]["action"] == "place"
    assert [f["id"] for f in client.get(f"{API}/map").json["features"]] == [int(report_id)]
    assert [n["report"]["id"] for n in client.get(f"{API}/nearby", query_string=nearby).json] == [
        int(report_id)
    ]
    assert client.get(f"{V2}/requests/{report_id}.json").json[0]["lat"] == 11.3101


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("form", "names"),
    [
        ({"address_string": "36 Hàng Bạc, Hà Nội"}, "address_string"),
        ({"address_string": "Tan Thanh"}, "address_string"),
        ({}, "lat"),
        ({"long": "106.0983", "address_string": "P. Tân Ninh"}, "lat"),
    ],
)
def test_an_unplaceable_report_is_a_400_in_the_specs_format(
    georeport, client, api_key, fmt, form, names
):
    answer = post(client, api_key, fmt, **form)
    assert answer.status_code == 400
    text = answer.get_data(as_text=True)
    assert names in text
    if fmt == "json":
        georeport("errors", answer.json)
    assert client.get(f"{V2}/requests.json").json == []
