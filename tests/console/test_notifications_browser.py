"""Notifications in a real browser: officer A composes with the live preview and submits,
officer B (another browser context) approves, a real ``smartapp worker`` (RQ on a private
redis-server) sends it to the local FCM server, and the campaign's page, polling, shows it
sent and stops asking."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import redis
from playwright.sync_api import Browser, Page, expect
from smartapp_example import ExamplePlugin

from smartapp.identity.models import Role
from smartapp.testing import TEST_PASSWORD, with_plugins
from tests.console.conftest import PageChecks
from tests.console.notification_data import subscribed_phones
from tests.support.fcm_server import FcmServer

pytestmark = with_plugins(ExamplePlugin)
#: the worker's first poll, the send and two of the page's 2-second polls, with room to spare
SENT_WITHIN_MS = 60_000


@pytest.fixture
def fcm() -> Iterator[FcmServer]:
    with FcmServer() as server:
        yield server


@pytest.fixture
def signed_in_page(browser: Browser, live_server: str) -> Iterator[Callable[..., tuple]]:
    """``signed_in_page(email)``: a browser context of this officer's own (their own
    cookies), signed in; its page and the page's checks."""
    contexts = []

    def open_as(email: str) -> tuple[Page, PageChecks]:
        contexts.append(browser.new_context())
        page = contexts[-1].new_page()
        checks = PageChecks(page)
        page.goto(f"{live_server}/admin/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào")
        return page, checks

    yield open_as
    for context in contexts:
        context.close()


def test_compose_preview_approve_and_a_worker_sends_it(
    app, signed_in_page, fcm, private_redis, start_smartapp_worker, make_staff, make_citizen
):
    subscribed_phones(make_citizen)
    private_redis["start"]()
    app.extensions["smartapp.redis"] = redis.Redis.from_url(private_redis["url"])
    start_smartapp_worker(private_redis["url"])
    author = make_staff(Role.COMMUNICATOR, "a@truyenthong.test")
    reviewer = make_staff(Role.COMMUNICATOR, "b@truyenthong.test")

    a, checks_a = signed_in_page(author.account.email)
    a.get_by_role("navigation", name="Các trang").get_by_role("link", name="Thông báo").click()
    expect(a.get_by_role("heading", level=1)).to_have_text("Thông báo")
    checks_a.check()
    a.get_by_role("navigation", name="Thông báo").get_by_role("link", name="Soạn thông báo").click()
    a.get_by_label("Tiêu đề (tiếng Việt)").fill("Lịch cắt điện")
    a.get_by_label("Nội dung (tiếng Việt)").fill("Thứ Bảy 7:00–11:00")
    a.get_by_label("Mở tiện ích").select_option(label="Ví dụ")
    preview = a.locator("#preview-body")
    # the live preview (htmx, with the CSRF header): the phone and the audience count
    expect(preview.locator(".phone .title").first).to_have_text("Lịch cắt điện")
    expect(preview).to_contain_text("smartapp://u/example")
    expect(preview.locator(".stats dd").first).to_have_text("2")
    expect(preview).to_contain_text("Cần một cán bộ khác duyệt")
    checks_a.check()
    a.get_by_label("Nội dung (tiếng Việt)").fill("ễ" * 700)  # over FCM's 2,048 bytes
    expect(a.locator("#errors-body-vi")).to_contain_text("FCM takes at most 2048")
    a.get_by_label("Nội dung (tiếng Việt)").fill("Thứ Bảy 7:00–11:00")
    expect(a.locator("#errors-body-vi")).to_have_text("")
    a.get_by_role("button", name="Xem trước", exact=True).click()  # the same without JS
    expect(preview.locator(".stats dd").first).to_have_text("2")
    checks_a.check()
    a.get_by_role("button", name="Tạo thông báo").click()
    expect(a.locator("#campaign-state")).to_have_text("Chờ duyệt")
    expect(a.get_by_role("button", name="Duyệt", exact=True)).to_have_count(0)
    checks_a.check()
    campaign_url = a.url

    b, checks_b = signed_in_page(reviewer.account.email)
    b.goto(campaign_url)
    checks_b.check()
    b.get_by_role("button", name="Duyệt", exact=True).click()
    expect(b.locator("#campaign-state")).to_have_text("Đã gửi", timeout=SENT_WITHIN_MS)
    status = b.locator("#campaign-status")
    expect(status).not_to_have_attribute("hx-trigger", "every 2s")  # polling stopped
    expect(status.locator("dd").nth(1)).to_have_text("1")  # sent: one topic request
    assert fcm.sent_to("province-80") == 1
    checks_b.check()
    b.get_by_role("navigation", name="Thông báo").get_by_role("link", name="Danh sách").click()
    expect(b.locator("tbody tr").first).to_contain_text("Đã gửi")
    checks_b.check()
