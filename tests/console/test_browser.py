"""The console in a real browser (Debian's chromium through Playwright) against the app
served over HTTP: every page valid HTML with one h1, unique ids, no console error (a CSP
violation is one) and no serious or critical axe-core violation."""

from __future__ import annotations

import io
from pathlib import Path

from playwright.sync_api import Page, expect
from pypdf import PdfReader
from smartapp_example import ExamplePlugin
from smartapp_feedback import FeedbackPlugin
from smartapp_feedback.categories import seed_demo_categories
from smartapp_public_services import PublicServicesPlugin
from sqlalchemy import select

from smartapp.extensions import db
from smartapp.identity.models import Staff
from smartapp.notifications.models import CampaignStatus
from smartapp.testing import TEST_PASSWORD, with_plugins
from tests.console.notification_data import a_campaign, a_test_device

pytestmark = with_plugins(ExamplePlugin)


def sign_in(page: Page, base: str, email: str, password: str = TEST_PASSWORD) -> None:
    page.goto(f"{base}/admin/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tổng quan")


def tiles(page: Page, base: str) -> list[str]:
    body = page.request.get(f"{base}/api/v1/utilities").json()
    return [tile["slug"] for tile in body["items"]]


def test_every_page_is_valid_accessible_and_quiet(
    live_server, page, checked, admin, make_citizen, make_staff
):
    make_citizen()
    pending = a_campaign(CampaignStatus.PENDING_APPROVAL, author_id=make_staff().account.id)
    device = a_test_device(admin.account.id)
    page.goto(f"{live_server}/admin/")
    checked.check()  # the sign-in form
    sign_in(page, live_server, admin.account.email)
    checked.check()
    assert page.evaluate(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".every(c => Chart.getChart(c) !== undefined)"
    )
    for path, status in (
        ("/admin/plugins", 200),
        ("/admin/plugins/example", 200),
        ("/admin/staff", 200),
        (f"/admin/staff/{admin.account.id}", 200),
        ("/admin/audit", 200),
        ("/admin/audit?since=x", 422),
        ("/admin/reports", 200),
        ("/admin/reports?month=2026-13", 422),
        ("/admin/plugins/missing", 404),
        ("/admin/notifications", 200),
        ("/admin/notifications/new", 200),
        (f"/admin/notifications/{pending.id}", 200),
        (f"/admin/notifications/{a_campaign(CampaignStatus.SENT).id}", 200),
        ("/admin/notifications/devices", 200),
        (f"/admin/notifications/devices/{device.id}", 200),
        ("/admin/notifications/999", 404),
    ):
        assert page.goto(f"{live_server}{path}").status == status
        checked.check(status)
    page.goto(f"{live_server}/admin/staff")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff accounts")
    checked.check()


def test_disable_a_plugin_and_its_tile_leaves_the_home_screen(live_server, page, checked, admin):
    sign_in(page, live_server, admin.account.email)
    assert "example" in tiles(page, live_server)
    page.get_by_role("link", name="Tiện ích").click()
    page.get_by_role("button", name="Tắt Ví dụ").click()
    expect(page.get_by_text("Đang tắt")).to_be_visible()
    assert "example" not in tiles(page, live_server)
    checked.check()
    page.get_by_role("button", name="Bật Ví dụ").click()
    expect(page.get_by_text("Đang bật")).to_be_visible()
    assert "example" in tiles(page, live_server)


@with_plugins(ExamplePlugin, PublicServicesPlugin)
def test_order_the_tiles_by_dragging(live_server, page, checked, admin):
    sign_in(page, live_server, admin.account.email)
    page.get_by_role("link", name="Tiện ích").click()
    assert tiles(page, live_server) == ["public-services", "example"]
    page.drag_and_drop("#plugin-example", "#plugin-public-services")
    expect(page.locator("tbody tr").first).to_have_id("plugin-example")
    assert tiles(page, live_server) == ["example", "public-services"]
    checked.check()


def test_edit_a_setting(live_server, page, checked, admin):
    sign_in(page, live_server, admin.account.email)
    page.goto(f"{live_server}/admin/plugins/example")
    page.get_by_label("daily_limit").fill("500")
    page.get_by_role("button", name="Lưu cài đặt").click()  # the schema's Range, in the form
    assert page.get_by_label("daily_limit").evaluate("input => input.validity.rangeOverflow")
    page.get_by_label("daily_limit").fill("20")
    page.get_by_label("greeting").fill("x" * 60)  # the schema's Length: the server says so
    page.get_by_role("button", name="Lưu cài đặt").click()
    expect(page.locator(".field.invalid")).to_have_count(1)
    checked.check(422)
    page.get_by_label("greeting").fill("Chào buổi sáng")
    page.get_by_role("button", name="Lưu cài đặt").click()
    expect(page.get_by_text("Đã lưu cài đặt.")).to_be_visible()
    greeting = page.request.get(f"{live_server}/api/v1/u/example/greeting").json()
    assert greeting == {"greeting": "Chào buổi sáng"}


def test_staff_create_and_deactivate(live_server, page, checked, admin):
    sign_in(page, live_server, admin.account.email)
    page.get_by_role("link", name="Cán bộ").click()
    page.locator("#new-email").fill("can.bo@sxd.tayninh.gov.vn")
    page.locator("#new-password").fill("mật khẩu đủ dài")
    page.locator("#new-role").select_option("agency_staff")
    page.locator("#new-agency").fill("SXD")
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.get_by_text("Đã tạo tài khoản can.bo@sxd.tayninh.gov.vn.")).to_be_visible()
    checked.check()
    page.get_by_role("button", name="Khoá can.bo@sxd.tayninh.gov.vn").click()
    expect(page.get_by_text("Đã khoá tài khoản can.bo@sxd.tayninh.gov.vn.")).to_be_visible()
    db.session.rollback()  # a fresh snapshot: the server wrote in its own transaction
    officer = db.session.scalars(select(Staff).where(Staff.email.startswith("can.bo"))).one()
    assert officer.agency_code == "SXD" and officer.active is False


def test_sign_out_and_the_session_is_gone(live_server, page, checked, admin):
    sign_in(page, live_server, admin.account.email)
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập bảng điều khiển")
    page.goto(f"{live_server}/admin/staff")
    expect(page.get_by_label("Email")).to_be_visible()
    checked.check()


@with_plugins(PublicServicesPlugin)
def test_a_plugin_pages_pass_the_same_checks(live_server, page, checked, admin):
    PublicServicesPlugin().seed_demo()
    db.session.commit()
    sign_in(page, live_server, admin.account.email)
    page.get_by_role("link", name="Thủ tục hành chính").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thủ tục hành chính")
    checked.check()
    page.get_by_role("link", name="Nơi tiếp nhận").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nơi tiếp nhận hồ sơ")
    checked.check()
    first = page.locator("tbody tr").first.locator("code").inner_text()
    page.get_by_role("button", name=f"Ngừng áp dụng {first}").click()
    expect(page.get_by_text(f"{first}: đã ngừng áp dụng")).to_be_visible()
    checked.check()


@with_plugins(FeedbackPlugin, PublicServicesPlugin)
def test_download_the_monthly_report(live_server, page, checked, admin):
    seed_demo_categories()
    db.session.commit()
    sign_in(page, live_server, admin.account.email)
    page.get_by_role("link", name="Báo cáo tháng").click()
    checked.check()
    page.get_by_label("Tháng", exact=True).fill("2026-11")
    page.get_by_label("Cơ quan", exact=True).select_option("")
    page.get_by_role("button", name="Xem báo cáo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Báo cáo tháng 11/2026")
    expect(page.get_by_role("heading", name="Cơ quan: SXD")).to_be_visible()
    checked.check()
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Tải PDF").click()
    assert pdf.value.suggested_filename == "bao-cao-thang-2026-11.pdf"
    body = Path(pdf.value.path()).read_bytes()
    assert body.startswith(b"%PDF-")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert "Cơ quan: SXD" in text and "Phản ánh tiếp nhận" in text
    with page.expect_download() as spreadsheet:
        page.get_by_role("link", name="Tải CSV (Excel)").click()
    assert spreadsheet.value.suggested_filename == "bao-cao-thang-2026-11.csv"
    rows = Path(spreadsheet.value.path()).read_bytes()
    assert rows.startswith("\ufeffTháng,Mã cơ quan".encode())
    assert "2026-11,SXD,Phản ánh kiến nghị,feedback.received,Phản ánh tiếp nhận,0,phản ánh" in (
        rows.decode("utf-8-sig")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Báo cáo tháng 11/2026")
    page.emulate_media(media="print")  # printed: the report alone
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.get_by_role("button", name="Xem báo cáo")).to_be_hidden()
    expect(page.get_by_role("heading", name="Cơ quan: SXD")).to_be_visible()
