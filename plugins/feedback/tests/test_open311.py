"""Open311 GeoReport v2 at ``/open311/v2/``: every call in JSON and XML, checked against
the GeoReport JSON Schemas and read by an outside client library (``georeport``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import pytest
from georeport import GeoReport
from werkzeug.serving import make_server

V2 = "/open311/v2"


def xml(response: Any, root: str) -> ElementTree.Element:
    assert response.mimetype == "text/xml"
    document = ElementTree.fromstring(response.data)
    assert document.tag == root
    return document


@pytest.fixture
def public_report(citizen, submit) -> int:
    report_id: int = submit(citizen, privacy="public").get_json()["id"]
    return report_id


def test_discovery_in_both_formats(client):
    answer = client.get(f"{V2}/discovery.json")
    assert answer.mimetype == "application/json"
    endpoint = answer.json["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://localhost/open311/v2"
    assert endpoint["formats"] == ["application/json", "text/xml"]
    document = xml(client.get(f"{V2}/discovery.xml"), "discovery")
    assert document.findtext("endpoints/endpoint/formats/format") == "application/json"


def test_services_are_the_categories_by_stable_code(georeport, client, demo_categories):
    services = georeport("services", client.get(f"{V2}/services.json").json)
    codes = [s["service_code"] for s in services]
    assert "road-damage" in codes
    assert not any(code.startswith("emergency") for code in codes)  # a hotline, no form
    road = next(s for s in services if s["service_code"] == "road-damage")
    assert road["metadata"] is True and road["group"] == "SXD"
    assert client.get(f"{V2}/services.json?api_key=x&locale=vi").json == services
    english = client.get(f"{V2}/services.json", headers={"Accept-Language": "en"}).json
    assert any(s["service_name"] == "Damaged road, bridge or pavement" for s in english)
    document = xml(client.get(f"{V2}/services.xml"), "services")
    assert "road-damage" in [e.text for e in document.iter("service_code")]


def test_a_service_definition_has_the_categorys_questions(georeport, client, demo_categories):
    definition = georeport("service-definition", client.get(f"{V2}/services/road-damage.json").json)
    size = definition["attributes"][0]
    assert (size["code"], size["datatype"], size["required"]) == ("size", "singlevaluelist", True)
    assert {"key": "large", "name": "Lớn (trên 3 m)"} in size["values"]
    document = xml(client.get(f"{V2}/services/road-damage.xml"), "service_definition")
    assert document.findtext("attributes/attribute/values/value/key") == "small"


def test_requests_list_public_reports_without_the_reporter(georeport, client, make_citizen, submit):
    citizen = make_citizen(display_name="Lê Văn C")
    shown = submit(citizen, privacy="public").get_json()
    submit(citizen, public=False)
    answer = client.get(f"{V2}/requests.json")
    requests = georeport("requests", answer.json)
    assert [r["service_request_id"] for r in requests] == [str(shown["id"])]
    request = requests[0]
    assert request["status"] == "open" and request["service_code"] == "road-damage"
    assert request["expected_datetime"].startswith(shown["resolve_due_at"][:16])
    assert request["media_url"].startswith("http://localhost/api/v1/u/feedback/photos/")
    assert "Lê Văn C" not in answer.get_data(as_text=True)
    document = xml(client.get(f"{V2}/requests.xml"), "service_requests")
    assert document.findtext("request/service_request_id") == str(shown["id"])
    assert "Lê Văn C" not in client.get(f"{V2}/requests.xml").get_data(as_text=True)


def test_requests_filters(georeport, client, public_report):
    def ids(query: str) -> list[str]:
        return [
            r["service_request_id"]
            for r in georeport("requests", client.get(f"{V2}/requests.json?{query}").json)
        ]

    mine = [str(public_report)]
    assert ids(f"service_request_id={public_report},999999") == mine
    assert ids("service_code=road-damage,flooding") == mine
    assert ids("service_code=flooding") == []
    assert ids("status=open") == mine and ids("status=closed") == []
    assert ids("start_date=2000-01-01T00:00:00Z&end_date=2001-01-01T00:00:00Z") == []
    assert ids("start_date=2000-01-01T00:00:00Z") == mine


def test_one_request(georeport, client, public_report):
    answer = georeport("requests", client.get(f"{V2}/requests/{public_report}.json").json)
    assert len(answer) == 1 and answer[0]["service_request_id"] == str(public_report)
    document = xml(client.get(f"{V2}/requests/{public_report}.xml"), "service_requests")
    assert document.findtext("request/status") == "open"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/services/nope.json", 404),
        ("GET", "/requests/12345.json", 404),
        ("GET", "/requests/abc.json", 404),
        ("GET", "/requests.json?status=pending", 400),
        ("GET", "/requests.json?start_date=yesterday", 400),
        ("GET", "/requests.json?service_request_id=1,x", 400),
        ("GET", "/nothing-here", 404),
        ("GET", "/services.csv", 404),
        ("DELETE", "/services.json", 405),
        ("PUT", "/requests.json", 405),
    ],
)
def test_every_failure_is_the_specs_error_list(
    georeport, client, demo_categories, method, path, status
):
    answer = client.open(V2 + path, method=method)
    assert answer.status_code == status and answer.mimetype == "application/json"
    assert georeport("errors", answer.json)[0]["code"] == status
    as_xml = client.open(V2 + path.replace(".json", ".xml"), method=method)
    if path.endswith(".json") or ".json?" in path:
        assert as_xml.status_code == status
        assert xml(as_xml, "errors").findtext("error/code") == str(status)


def test_too_large_a_body_is_the_specs_413(client, demo_categories):
    answer = client.post(f"{V2}/requests.xml", data={"description": "x" * 2_000_000})
    assert answer.status_code == 413
    assert xml(answer, "errors").findtext("error/code") == "413"


def test_the_open311_calls_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json["paths"]
    assert {
        "/open311/v2/services.{fmt}",
        "/open311/v2/requests.{fmt}",
        "/open311/v2/tokens/{token}.{fmt}",
    } <= paths.keys()
    assert set(paths["/open311/v2/requests.{fmt}"]) >= {"get", "post"}
    assert not any(path.startswith("/open311/v2/{path}") for path in paths)


def test_a_disabled_utility_answers_404(client, admin, demo_categories):
    client.patch("/api/v1/admin/plugins/feedback", json={"enabled": False}, headers=admin.headers)
    assert client.get(f"{V2}/services.json").status_code == 404


@pytest.fixture
def served(app) -> Iterator[str]:
    """The app on a real local port, for a client library that makes its own requests."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}{V2}"
    server.shutdown()
    thread.join()


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_an_open311_client_library_reads_every_answer(served, public_report, output_format):
    client = GeoReport(served, output_format=output_format)
    services = client.get_service_list()
    assert "road-damage" in [s["service_code"] for s in services]
    definition = client.get_service_definition("road-damage")
    assert definition["service_code"] == "road-damage"
    requests = client.get_service_requests(status="open")
    requests = requests if isinstance(requests, list) else [requests]
    assert [r["service_request_id"] for r in requests] == [str(public_report)]
