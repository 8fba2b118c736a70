"""The ``console_pages`` hook: plugins' pages under ``/admin/u/<slug>/``, laid out by the
core's templates and guarded like the core's pages."""

from __future__ import annotations

import io

from flask import flash, render_template, request, url_for
from werkzeug.utils import redirect

from smartapp.identity.models import Role
from smartapp.plugin import ConsolePage, Plugin
from smartapp.testing import with_plugins
from tests.console.conftest import csrf_token

HTML = {"Accept": "text/html"}
SAVED: list[str] = []


def note_page(note_id: int = 1) -> str:
    return render_template("console-demo/note.html", note_id=note_id)


def save_note() -> object:
    SAVED.append(request.form["text"])
    flash("saved", "success")
    return redirect(url_for("console.plugin_page", slug="console-demo", path=""), 303)


def upload() -> str:
    return str(len(request.files["file"].read()))


class ConsoleDemoPlugin(Plugin):
    """Console demo"""

    slug = "console-demo"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Thử bảng điều khiển", "en": "Console demo"}
    permissions = {"manage": {"vi": "Quản lý", "en": "Manage"}}

    def console_pages(self) -> list[ConsolePage]:
        """A first page, a page with an argument, and a form."""
        return [
            ConsolePage(
                "", {"vi": "Ghi chú", "en": "Notes"}, note_page, permission="console-demo:manage"
            ),
            ConsolePage(
                "notes/<int:note_id>",
                {"vi": "Một ghi chú", "en": "A note"},
                note_page,
                permission="console-demo:manage",
                in_menu=False,
            ),
            ConsolePage(
                "notes",
                {"vi": "Lưu", "en": "Save"},
                save_note,
                permission="console-demo:manage",
                methods=("POST",),
                in_menu=False,
            ),
            ConsolePage(
                "upload",
                {"vi": "Tải lên", "en": "Upload"},
                upload,
                permission="console-demo:manage",
                methods=("POST",),
                in_menu=False,
                max_upload_bytes=3 * 1024 * 1024,
            ),
        ]


class BrokenPagesPlugin(Plugin):
    """Broken pages"""

    slug = "broken-pages"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Hỏng"}

    def console_pages(self) -> list[ConsolePage]:
        """Raises: only this plugin loses its pages."""
        raise RuntimeError("no pages today")


@with_plugins(ConsoleDemoPlugin, BrokenPagesPlugin)
def test_hook_console_pages(client, admin, sign_in):
    sign_in(admin)
    home = client.get("/admin/", headers=HTML).get_data(as_text=True)
    assert 'href="/admin/u/console-demo/"' in home  # in the menu; not its argument pages
    assert "/admin/u/console-demo/notes" not in home
    page = client.get("/admin/u/console-demo/", headers=HTML)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<h1>Ghi chú 1</h1>" in text and 'aria-current="page"' in text
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "<h1>Ghi chú 7</h1>" in client.get("/admin/u/console-demo/notes/7").get_data(
        as_text=True
    )
    assert client.get("/admin/u/console-demo/notes/seven", headers=HTML).status_code == 404
    assert client.get("/admin/u/broken-pages/", headers=HTML).status_code == 404


@with_plugins(ConsoleDemoPlugin)
def test_plugin_page_forms_are_csrf_checked(client, admin, sign_in):
    sign_in(admin)
    refused = client.post("/admin/u/console-demo/notes", data={"text": "x"}, headers=HTML)
    assert refused.status_code == 400 and SAVED == []
    saved = client.post(
        "/admin/u/console-demo/notes",
        headers=HTML,
        data={"text": "Họp giao ban", "csrf_token": csrf_token(client)},
    )
    assert saved.status_code == 303 and SAVED == ["Họp giao ban"]
    assert client.get("/admin/u/console-demo/notes", headers=HTML).status_code == 405
    SAVED.clear()


@with_plugins(ConsoleDemoPlugin)
def test_plugin_pages_follow_the_permission(client, make_staff, sign_in):
    assert client.get("/admin/u/console-demo/").status_code == 303  # sign in first
    sign_in(make_staff(Role.AGENCY_STAFF, agency_code="SXD"))
    assert client.get("/admin/u/console-demo/", headers=HTML).status_code == 403
    assert "console-demo" not in client.get("/admin/").get_data(as_text=True)
    granted = make_staff(Role.AGENCY_STAFF, agency_code="SXD", permissions=["console-demo:manage"])
    sign_in(granted)
    assert client.get("/admin/u/console-demo/", headers=HTML).status_code == 200


@with_plugins(ConsoleDemoPlugin)
def test_a_disabled_plugin_pages_answer_404(client, admin, sign_in, post):
    sign_in(admin)
    post("/admin/plugins/console-demo/enabled", {"enabled": "false"})
    assert client.get("/admin/u/console-demo/", headers=HTML).status_code == 404
    assert "console-demo" not in client.get("/admin/").get_data(as_text=True)


@with_plugins(ConsoleDemoPlugin)
def test_upload_pages_take_bigger_bodies_and_static_files_are_served(client, admin, sign_in):
    """``max_upload_bytes`` lifts the app's 1 MB body limit for that page only (before the
    CSRF check reads the form); ``static/`` beside the plugin is served."""
    sign_in(admin)

    def send(path, megabytes):
        data = b"x" * (megabytes * 1024 * 1024)
        body = {"csrf_token": csrf_token(client), "file": (io.BytesIO(data), "a.jpg")}
        return client.post(path, data=body, headers=HTML, content_type="multipart/form-data")

    taken = send("/admin/u/console-demo/upload", 2)
    assert taken.status_code == 200 and taken.get_data(as_text=True) == str(2 * 1024 * 1024)
    assert send("/admin/u/console-demo/notes", 2).status_code == 413  # the app's limit
    assert send("/admin/u/console-demo/upload", 4).status_code == 413  # the page's
    served = client.get("/admin/u/console-demo/static/console-demo.txt")
    assert served.status_code == 200 and served.data == b"console-demo static file\n"
    assert client.get("/admin/u/console-demo/static/missing.txt").status_code == 404
