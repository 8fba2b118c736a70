"""Screenshots of the staff console for ``docs/console.md``, taken with the browser the
tests drive (Debian's chromium through Playwright) from the real app served over HTTP.

    .venv/bin/python docs/screenshots.py            # writes docs/console/*.png

The app runs on a throw-away SQLite database with every installed plugin and its demo data
(``smartapp demo seed``'s hook), a demo administrator and a few citizens.
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

from flask import Flask
from playwright.sync_api import Page, sync_playwright

from smartapp import create_app, lineages
from smartapp.extensions import db
from smartapp.identity.models import Citizen, Role
from smartapp.identity.services import create_staff
from smartapp.plugins.base import Plugin
from smartapp.plugins.registry import registry
from smartapp.testing import serve

CHROMIUM = "/usr/bin/chromium"
OUT = Path(__file__).resolve().parent / "console"
EMAIL, PASSWORD = "admin@demo.smartapp.local", secrets.token_urlsafe(12)
TAN_NINH = {"latitude": 11.3101, "longitude": 106.0983, "ward_code": 25459, "public": True}
DEMO_REPORTS = [
    {"category": "road-damage", "title": "Ổ gà lớn trước chợ", "answers": {"size": "large"}},
    {"category": "rubbish", "title": "Rác thải bên kênh", "answers": {}},
    {"category": "road-damage", "title": "Nắp cống bị vỡ", "answers": {"size": "small"}},
]
DEMO_REPORTS = [
    {**report, **TAN_NINH, "description": "Phản ánh mẫu để minh hoạ."} for report in DEMO_REPORTS
]


def demo_app(folder: Path) -> Flask:
    app = create_app(
        {
            "SMARTAPP_ENV": "development",
            "SMARTAPP_DATABASE_URL": f"sqlite:///{folder}/demo.db",
            "SMARTAPP_SECRET_KEY": secrets.token_urlsafe(32),
            "SMARTAPP_REDIS_URL": "",
            "SMARTAPP_FIREBASE_PROJECT_ID": "",
        },
        instance_path=folder,
    )
    with app.app_context():
        for lineage in lineages.lineages():
            lineages.upgrade(lineage)
        create_staff(EMAIL, PASSWORD, Role.ADMIN)
        create_staff("vanthu@sxd.tayninh.gov.vn", PASSWORD, Role.AGENCY_STAFF, "SXD")
        create_staff("truyenthong@tayninh.gov.vn", PASSWORD, Role.COMMUNICATOR)
        db.session.add_all(
            Citizen(firebase_uid=f"demo-{n}", language="vi" if n % 4 else "en") for n in range(12)
        )
        db.session.commit()
        registry().call_hook(Plugin.seed_demo)
        db.session.commit()
        if registry().enabled_plugin("feedback"):
            demo_reports()
        demo_activity(app)
    return app


def demo_activity(app: Flask) -> None:
    """A little of what citizens do, through the public API, so the dashboard and the
    monthly report have figures: reports filed, searches, procedures opened."""
    client = app.test_client()
    verifier = app.extensions["smartapp.verifiers"]["development"]
    slugs = {plugin.slug for plugin in registry().enabled()}
    for n, phone in enumerate(("+84912000101", "+84912000102", "+84912000103")):
        headers = {"Authorization": f"Bearer {verifier.issue(phone, None)}"}
        address = {"REMOTE_ADDR": f"10.0.0.{n + 1}"}
        if "feedback" in slugs:
            client.post("/api/v1/u/feedback/reports", headers=headers, json=DEMO_REPORTS[n])
        if "public-services" in slugs:
            api = "/api/v1/u/public-services/procedures"
            for query in ("khai sinh", "giấy phép bay flycam"):
                client.get(api, query_string={"q": query}, environ_base=address)
            found = client.get(api, query_string={"q": "khai sinh"}).get_json()["items"]
            for procedure in found[: n + 1]:
                client.get(f"{api}/{procedure['code']}", environ_base=address)


def demo_reports() -> None:
    """A few citizens' reports to the construction department (SXD), one overdue and one
    with a photo, for the feedback pages' screenshots (demo seed files no reports)."""
    import io
    from datetime import timedelta

    from PIL import Image
    from smartapp_feedback import reports
    from smartapp_feedback.photos import Owner, store_photo

    from smartapp.extensions import utcnow

    citizen = db.session.scalars(db.select(Citizen)).first()
    owner = Owner(citizen_id=citizen.id)
    picture = io.BytesIO()
    Image.new("RGB", (960, 720), "#8a7f72").save(picture, "JPEG")
    photo = store_photo(picture.getvalue(), owner)
    filed = [
        reports.submit(
            {
                "category": category,
                "title": title,
                "description": description,
                "latitude": latitude,
                "longitude": longitude,
                "ward_code": 25459,
                "answers": answers,
                "photo_ids": photo_ids,
                "public": True,
                "privacy": "hidden",
            },
            owner,
            {"name": "Nguyễn Văn An", "phone": "+84912000001"},
        )
        for category, title, description, latitude, longitude, answers, photo_ids in (
            (
                "road-damage",
                "Ổ gà trước chợ Long Hoa",
                "Ổ gà sâu giữa đường, xe máy dễ té.",
                11.2905,
                106.1305,
                {"size": "large"},
                [photo.id],
            ),
            (
                "street-lighting",
                "Đèn đường hỏng đường 30/4",
                "Ba cột đèn không sáng từ tuần trước.",
                11.3101,
                106.0983,
                {},
                [],
            ),
            (
                "flooding",
                "Ngập nước sau mưa ở hẻm 12",
                "Nước ngập 30 cm, không thoát được.",
                11.3202,
                106.1101,
                {},
                [],
            ),
        )
    ]
    late = utcnow() - timedelta(hours=2)
    filed[2].acknowledge_due_at = filed[2].resolve_due_at = late
    db.session.commit()


def shoot(page: Page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    print(f"docs/console/{name}.png")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as folder,
        serve(demo_app(Path(folder))) as base,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{base}/admin/")
        shoot(page, "sign-in")
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.get_by_role("heading", name="Tổng quan").wait_for()
        shoot(page, "dashboard")
        page.goto(f"{base}/admin/plugins")
        shoot(page, "plugins")
        slug = next(iter(registry_slugs(page, base)), None)
        if slug:
            page.goto(f"{base}/admin/plugins/{slug}")
            shoot(page, "plugin-settings")
        if "public-services" in registry_slugs(page, base):
            page.goto(f"{base}/admin/u/public-services/")
            shoot(page, "procedures")
        page.goto(f"{base}/admin/reports")
        shoot(page, "monthly-report")
        page.goto(f"{base}/admin/staff")
        shoot(page, "staff")
        page.goto(f"{base}/admin/audit")
        shoot(page, "audit")
        notification_pages(page, base)
        if "feedback" in registry_slugs(page, base):
            feedback_pages(browser.new_page(viewport={"width": 1280, "height": 800}), base)
        browser.close()


def notification_pages(page: Page, base: str) -> None:
    """Compose with the live preview, then the campaign waiting for a second officer."""
    page.goto(f"{base}/admin/notifications/new")
    page.get_by_label("Tiêu đề (tiếng Việt)").fill("Lịch cắt điện Chủ Nhật")
    page.get_by_label("Nội dung (tiếng Việt)").fill(
        "Điện lực Tây Ninh tạm ngừng cấp điện 7:00–11:00 Chủ Nhật để bảo trì lưới điện."
    )
    page.get_by_label("Tiêu đề tiếng Anh (không bắt buộc)").fill("Sunday power cut")
    page.get_by_label("Nội dung tiếng Anh (không bắt buộc)").fill(
        "No power 7:00–11:00 on Sunday for grid maintenance."
    )
    page.get_by_label("Mở tiện ích").select_option(index=1)
    page.locator("#preview-body .stats").wait_for()
    shoot(page, "notification-compose")
    page.get_by_role("button", name="Tạo thông báo").click()
    page.locator("#campaign-state").wait_for()
    shoot(page, "notification-campaign")
    page.goto(f"{base}/admin/notifications")
    shoot(page, "notifications")


def feedback_pages(page: Page, base: str) -> None:
    """The feedback pages as the construction department's officer sees them."""
    page.goto(f"{base}/admin/")
    page.get_by_label("Email").fill("vanthu@sxd.tayninh.gov.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Xin chào").wait_for()
    page.goto(f"{base}/admin/u/feedback/")
    shoot(page, "feedback-queue")
    page.goto(f"{base}/admin/u/feedback/map")
    page.locator("#feedback-map path.leaflet-interactive").first.wait_for()
    shoot(page, "feedback-map")
    page.goto(f"{base}/admin/u/feedback/")
    page.get_by_role("link", name="Ổ gà trước chợ Long Hoa").click()
    page.get_by_role("button", name="Tiếp nhận", exact=True).click()
    page.locator(".flash.success").wait_for()
    shoot(page, "feedback-report")


def registry_slugs(page: Page, base: str) -> list[str]:
    return [tile["slug"] for tile in page.request.get(f"{base}/api/v1/utilities").json()["items"]]


if __name__ == "__main__":
    main()
