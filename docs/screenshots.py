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
from smartapp.plugins.registry import registry
from smartapp.testing import serve

CHROMIUM = "/usr/bin/chromium"
OUT = Path(__file__).resolve().parent / "console"
EMAIL, PASSWORD = "admin@demo.smartapp.local", secrets.token_urlsafe(12)


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
        registry().call_hook("seed_demo")
        db.session.commit()
    return app


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
        browser.close()


def registry_slugs(page: Page, base: str) -> list[str]:
    return [tile["slug"] for tile in page.request.get(f"{base}/api/v1/utilities").json()["items"]]


if __name__ == "__main__":
    main()
