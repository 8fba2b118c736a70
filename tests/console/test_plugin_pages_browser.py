"""First-party plugins' console pages in a real browser, each passing the console's checks
(valid HTML, one h1, unique ids, no console error, axe-core): feedback's, where an agency
officer triages a citizen's report from received to resolved with a photo chosen in the
browser, moderates it and closes it; payments' places and fee accounts."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import expect
from smartapp_feedback import FeedbackPlugin
from smartapp_feedback.categories import seed_demo_categories
from smartapp_feedback.models import Photo, Report
from smartapp_payments import PaymentsPlugin
from sqlalchemy import select

from smartapp.extensions import db
from smartapp.testing import with_plugins

from .test_browser import sign_in


def file_a_report(client, citizen) -> int:
    seed_demo_categories()
    db.session.commit()
    response = client.post(
        "/api/v1/u/feedback/reports",
        headers=citizen.headers,
        json={
            "category": "road-damage",
            "title": "Ổ gà trước chợ Long Hoa",
            "description": "Ổ gà sâu giữa đường, xe máy dễ té.",
            "latitude": 11.3101,
            "longitude": 106.0983,
            "ward_code": 25459,
            "answers": {"size": "large"},
            "public": True,
        },
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


@with_plugins(FeedbackPlugin)
def test_an_officer_triages_a_report_to_resolved_with_a_photo_then_closes_it(
    live_server, page, checked, client, citizen, make_staff, tmp_path
):
    number = file_a_report(client, citizen)
    officer = make_staff("agency_staff", agency_code="SXD", permissions=["ioc:read"])
    sign_in(page, live_server, officer.account.email)
    page.get_by_role("link", name="Phản ánh", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phản ánh")
    checked.check()

    page.get_by_role("link", name="Xem trên bản đồ").click()  # a whole page load: Leaflet
    expect(page.get_by_role("heading", level=1)).to_have_text("Bản đồ phản ánh")
    expect(page.locator("#feedback-map path.leaflet-interactive")).to_have_count(1)
    checked.check()

    page.get_by_role("link", name="Danh sách phản ánh").click()
    page.get_by_role("link", name="Ổ gà trước chợ Long Hoa").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"#{number} Ổ gà trước chợ Long Hoa")
    checked.check()

    status = page.locator(".facts div").first.locator("dd")
    expect(status).to_have_text("Mới tiếp nhận")
    for button, shown in (
        ("Tiếp nhận", "Đã tiếp nhận"),
        ("Giao xử lý", "Đã giao xử lý"),
        ("Bắt đầu xử lý", "Đang xử lý"),
    ):
        page.get_by_role("button", name=button, exact=True).click()
        expect(status).to_have_text(shown)
        expect(page.locator(".flash.success")).to_have_text("Đã lưu")
        checked.check()

    photo = tmp_path / "ket-qua.jpg"
    Image.new("RGB", (640, 480), "teal").save(photo, "JPEG")
    resolve = page.locator("form", has=page.locator("#step-resolve-title"))
    resolve.get_by_label("Nội dung trả lời người dân").fill("Đã vá ổ gà, mặt đường đã phẳng.")
    resolve.get_by_label("Ảnh kết quả").set_input_files(photo)
    resolve.get_by_role("button", name="Báo đã giải quyết").click()
    expect(status).to_have_text("Đã giải quyết")
    result = page.locator(".timeline img").last
    expect(result).to_be_visible()
    assert result.evaluate("image => image.complete && image.naturalWidth > 0")
    checked.check()

    page.get_by_label("Lý do", exact=True).first.fill("Lộ biển số xe")
    page.get_by_role("button", name="Ẩn phản ánh").click()
    expect(page.get_by_role("table", name="Lịch sử kiểm duyệt")).to_be_visible()
    checked.check()

    page.get_by_role("button", name="Đóng phản ánh").click()
    expect(status).to_have_text("Đã đóng · đã ẩn khỏi công chúng")
    checked.check()

    db.session.rollback()  # a fresh snapshot: the server wrote in its own transactions
    report = db.session.get(Report, number)
    assert report.status == "closed" and report.answer.startswith("Đã vá ổ gà")
    stored = db.session.scalars(select(Photo).where(Photo.event_id.is_not(None))).one()
    assert stored.report_id == number and (stored.width, stored.height) == (640, 480)
    served = page.request.get(f"{live_server}/admin/u/feedback/photos/{stored.id}/full")
    assert Image.open(io.BytesIO(served.body())).size == (640, 480)


@with_plugins(PaymentsPlugin)
def test_payments_pages(live_server, page, checked, admin):
    sign_in(page, live_server, admin.account.email)
    page.get_by_role("link", name="Điểm thanh toán không tiền mặt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Điểm thanh toán không tiền mặt")
    checked.check()
    page.get_by_role("link", name="Thêm mới").click()
    checked.check()
    for label, value in (
        ("Mã điểm *", "TN-CHO"),
        ("Tên *", "Chợ Long Hoa"),
        ("Mã phường/xã *", "25459"),
        ("Vĩ độ *", "11.2837"),
        ("Kinh độ *", "106.1373"),
        ("Ngày xác minh *", "2025-11-01"),
    ):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Hình thức thanh toán (mỗi dòng một) *").fill("vietqr\ntiền mặt")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".field.invalid")).to_have_count(1)  # "tiền mặt" is no method
    checked.check(422)
    page.get_by_label("Hình thức thanh toán (mỗi dòng một) *").fill("vietqr\nmomo")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("TN-CHO: đã lưu")).to_be_visible()
    checked.check()
    page.get_by_role("link", name="Sửa TN-CHO").click()
    expect(page.get_by_label("Tên *", exact=True)).to_have_value("Chợ Long Hoa")
    checked.check()
    page.get_by_role("link", name="Tài khoản thu phí").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản thu phí")
    checked.check()
    page.get_by_role("link", name="Thêm mới").click()
    checked.check()
