"""The monthly report (``/admin/reports``, its CSV and PDF) and the ``monthly_report`` hook:
roles, agency scoping, the files' contents, the core's notification figures."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from smartapp.extensions import db, utcnow
from smartapp.ioc.monthly import month_bounds, notification_figures
from smartapp.notifications.models import (
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryStatus,
    InboxItem,
    Origin,
)
from smartapp.plugin import MonthlyFigure, Plugin
from smartapp.testing import with_plugins

HTML = {"Accept": "text/html"}
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
calls: list[tuple[datetime, datetime]] = []


class WaterPlugin(Plugin):
    """Water"""

    slug = "water"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Cấp nước", "en": "Water"}

    def monthly_report(self, month_start: datetime, month_end: datetime) -> list[MonthlyFigure]:
        calls.append((month_start, month_end))
        label = {"vi": "Sự cố đường ống đã xử lý", "en": "Pipe repairs"}
        unit = {"vi": "vụ", "en": "repairs"}
        return [
            MonthlyFigure("SXD", "repairs", label, 12, unit),
            MonthlyFigure("CAT", "repairs", label, 3, unit),
            MonthlyFigure(None, "coverage", {"vi": "Tỷ lệ hộ có nước sạch"}, 97.25, {"vi": "%"}),
        ]


class BrokenPlugin(Plugin):
    """Broken"""

    slug = "broken-report"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Hỏng"}

    def monthly_report(self) -> list[MonthlyFigure]:
        raise RuntimeError("the agency's database is down")


pytestmark = with_plugins(WaterPlugin, BrokenPlugin)


def test_hook_monthly_report(client, admin, sign_in):
    sign_in(admin)
    calls.clear()
    response = client.get("/admin/reports?month=2026-02", headers=HTML)
    assert response.status_code == 200
    # by keyword, the province's calendar month
    assert calls == [(datetime(2026, 2, 1, tzinfo=HCM), datetime(2026, 3, 1, tzinfo=HCM))]
    page = response.get_data(as_text=True)
    assert "Báo cáo tháng 02/2026" in page
    for text in ("Cơ quan: CAT", "Cơ quan: SXD", "Cơ quan: Toàn tỉnh", "Sự cố đường ống"):
        assert text in page
    assert "97,25" in page  # Vietnamese decimals
    # agencies in order, the province last; a failing plugin is named, the rest still shown
    assert page.index("Cơ quan: CAT") < page.index("Cơ quan: SXD") < page.index("Toàn tỉnh")
    assert "broken-report" in page and "the agency&#39;s database is down" in page


def test_agency_staff_see_their_agency_only(client, make_staff, sign_in):
    sign_in(make_staff("agency_staff", agency_code="SXD"))
    page = client.get("/admin/reports?month=2026-02", headers=HTML).get_data(as_text=True)
    assert "Cơ quan: SXD" in page
    assert "Cơ quan: CAT" not in page and "Toàn tỉnh" not in page
    assert "Mọi cơ quan" not in page  # no picker of other agencies
    refused = client.get("/admin/reports?month=2026-02&agency=CAT", headers=HTML)
    assert refused.status_code == 403
    assert client.get("/admin/reports.csv?agency=CAT").status_code == 403
    assert client.get("/admin/reports.pdf?agency=CAT").status_code == 403
    own = client.get("/admin/reports.csv?month=2026-02&agency=SXD").get_data()
    assert b"CAT" not in own and "Sự cố".encode() in own


@pytest.mark.parametrize(
    ("role", "permissions", "status"),
    [("communicator", [], 403), ("communicator", ["ioc:read"], 200), ("admin", [], 200)],
)
def test_who_may_open_it(client, make_staff, sign_in, role, permissions, status):
    sign_in(make_staff(role, permissions=permissions))
    assert client.get("/admin/reports", headers=HTML).status_code == status
    assert client.get("/admin/reports.csv").status_code == status


def test_signed_out_is_sent_to_sign_in(client):
    response = client.get("/admin/reports.pdf?month=2026-02", headers=HTML)
    assert response.status_code == 303
    assert "/admin/?next=" in response.headers["Location"]


def test_an_admin_picks_one_agency(client, admin, sign_in):
    sign_in(admin)
    page = client.get("/admin/reports?month=2026-02&agency=CAT", headers=HTML)
    text = page.get_data(as_text=True)
    assert "Cơ quan: CAT" in text and "Cơ quan: SXD" not in text
    assert 'href="/admin/reports.pdf?month=2026-02&amp;agency=CAT"' in text
    # the picker offers every agency with figures, not only those staff are bound to
    assert '<option value="SXD">SXD</option>' in text
    assert '<option value="CAT" selected>CAT</option>' in text
    quiet = client.get("/admin/reports?month=2026-02&agency=SYT", headers=HTML)
    assert "Không có số liệu trong tháng." in quiet.get_data(as_text=True)


@pytest.mark.parametrize("month", ["2026-13", "11/2026", "2026-1", "9999-01", "0001-01"])
def test_a_bad_month_names_the_field(client, admin, sign_in, month):
    sign_in(admin)
    page = client.get(f"/admin/reports?month={month}", headers=HTML)
    assert page.status_code == 422
    assert 'id="report-month-error"' in page.get_data(as_text=True)
    refused = client.get(f"/admin/reports.csv?month={month}")
    assert refused.status_code == 422
    assert "month" in refused.get_json()["message"]


def test_the_csv_opens_in_excel_with_its_accents(client, admin, sign_in):
    sign_in(admin)
    response = client.get("/admin/reports.csv?month=2026-02")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="bao-cao-thang-2026-02.csv"'
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == [
        "Tháng",
        "Mã cơ quan",
        "Nguồn",
        "Mã chỉ tiêu",
        "Chỉ tiêu",
        "Giá trị",
        "Đơn vị",
    ]
    assert [
        "2026-02",
        "SXD",
        "Cấp nước",
        "water.repairs",
        "Sự cố đường ống đã xử lý",
        "12",
        "vụ",
    ] in (rows)
    assert ["2026-02", "", "Cấp nước", "water.coverage", "Tỷ lệ hộ có nước sạch", "97.25", "%"] in (
        rows
    )
    assert ["2026-02", "", "Thông báo", "core.campaigns_sent", "Thông báo đã gửi", "0", "đợt"] in (
        rows
    )


def test_the_pdf_has_the_agency_in_vietnamese(client, admin, sign_in):
    sign_in(admin)
    response = client.get("/admin/reports.pdf?month=2026-02&agency=SXD")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    body = response.get_data()
    assert body.startswith(b"%PDF-")
    assert "bao-cao-thang-2026-02-SXD.pdf" in response.headers["Content-Disposition"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    for expected in ("BÁO CÁO THÁNG 02/2026", "Cơ quan: SXD", "Sự cố đường ống đã xử lý", "12"):
        assert expected in text, text
    assert "CAT" not in text


def test_month_bounds_at_the_provinces_midnight():
    assert month_bounds(date(2026, 12, 15)) == (
        datetime(2026, 12, 1, tzinfo=HCM),
        datetime(2027, 1, 1, tzinfo=HCM),
    )
    start, _ = month_bounds(date(2026, 3, 1))
    assert start.astimezone(UTC) == datetime(2026, 2, 28, 17, tzinfo=UTC)


def _campaign(completed: datetime, status: str = CampaignStatus.SENT, **extra) -> Campaign:
    campaign = Campaign(
        title={"vi": "Lịch cắt điện"},
        body={"vi": "Chủ nhật"},
        audience={"kind": "province"},
        ttl_seconds=3600,
        status=status,
        completed_at=completed,
        **extra,
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def test_notifications_sent_are_the_provinces(admin, make_citizen):
    start, end = month_bounds(date(2026, 11, 1))
    sent = _campaign(start + timedelta(days=3), author_id=admin.account.id)
    _campaign(start + timedelta(days=4), CampaignStatus.CANCELLED)
    _campaign(start - timedelta(minutes=1))  # October's, by the province's clock
    _campaign(start + timedelta(days=5), origin=Origin.TEST)
    db.session.add_all(
        [
            Delivery(campaign_id=sent.id, topic="all", status=DeliveryStatus.SENT),
            Delivery(campaign_id=sent.id, topic="vi", status=DeliveryStatus.FAILED),
        ]
    )
    citizens = [make_citizen(f"+8491200000{n}").account for n in range(2)]
    db.session.add_all(
        [
            InboxItem(citizen_id=citizens[0].id, campaign_id=sent.id, opened_at=utcnow()),
            InboxItem(citizen_id=citizens[1].id, campaign_id=sent.id),
        ]
    )
    db.session.commit()
    figures = {(f.agency_code, f.key): f.value for f in notification_figures(start, end)}
    assert figures == {(None, "campaigns_sent"): 1, (None, "pushes_sent"): 1, (None, "opened"): 1}
