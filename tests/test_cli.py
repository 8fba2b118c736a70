"""Operator commands beyond those of other modules' tests."""

from __future__ import annotations

import subprocess
import sys

from smartapp_example import ExamplePlugin

from smartapp.testing import TEST_PASSWORD, with_plugins


@with_plugins(ExamplePlugin)
def test_plugins_disable_and_enable_from_the_command_line(app, client, admin):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["plugins", "disable", "example"])
    assert result.exit_code == 0 and "example disabled for every worker" in result.output
    assert client.get("/api/v1/u/example/notes").status_code == 404
    assert runner.invoke(args=["plugins", "enable", "example"]).exit_code == 0
    assert client.get("/api/v1/u/example/notes").status_code == 200
    unknown = runner.invoke(args=["plugins", "enable", "nope"])
    assert unknown.exit_code == 2 and "no plugin 'nope'" in unknown.output
    audit = client.get("/api/v1/admin/audit", headers=admin.headers).json["items"]
    assert [(e["actor"], e["details"]) for e in audit] == [
        ("system", {"enabled": True}),
        ("system", {"enabled": False}),
    ]


def test_staff_password_change_and_deactivation_revoke_tokens(app, client, admin, make_staff):
    make_staff("admin")  # the last active admin could not be closed
    runner = app.test_cli_runner()
    email = admin.account.email
    assert client.get("/api/v1/admin/plugins", headers=admin.headers).status_code == 200
    short = runner.invoke(args=["staff", "set-password", email, "--password", "short"])
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    changed = runner.invoke(args=["staff", "set-password", email, "--password", "a new long one"])
    assert changed.exit_code == 0, changed.output
    assert client.get("/api/v1/admin/plugins", headers=admin.headers).status_code == 401
    assert (
        client.post(
            "/api/v1/auth/staff/token", json={"email": email, "password": TEST_PASSWORD}
        ).status_code
        == 401
    )
    token = client.post(
        "/api/v1/auth/staff/token", json={"email": email, "password": "a new long one"}
    ).json["access_token"]

    assert runner.invoke(args=["staff", "deactivate", email]).exit_code == 0
    assert (
        client.get(
            "/api/v1/admin/plugins", headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 401
    )
    assert (
        client.post(
            "/api/v1/auth/staff/token", json={"email": email, "password": "a new long one"}
        ).status_code
        == 401
    )
    missing = runner.invoke(args=["staff", "deactivate", "nobody@x.vn"])
    assert missing.exit_code == 2 and "no staff account" in missing.output


def test_staff_permissions_must_name_a_plugin_permission(app):
    result = app.test_cli_runner().invoke(
        args=[
            "staff",
            "create",
            "ioc@tayninh.gov.vn",
            "--role",
            "communicator",
            "--permission",
            "nonsense",
            "--password",
            "long enough password",
        ]
    )
    assert result.exit_code == 2 and "nonsense" in result.output


def test_python_dash_m_smartapp():
    result = subprocess.run(
        [sys.executable, "-m", "smartapp", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "plugins" in result.stdout


def test_admin_changes_and_closes_a_staff_account_through_the_api(client, admin, make_staff):
    clerk = make_staff("communicator")
    url = f"/api/v1/admin/staff/{clerk.account.id}"
    bad = client.patch(url, json={"role": "agency_staff"}, headers=admin.headers)
    assert bad.status_code == 422 and list(bad.json["errors"]) == ["agency_code"]
    moved = client.patch(
        url, json={"role": "agency_staff", "agency_code": "SO-XAY-DUNG"}, headers=admin.headers
    )
    assert moved.status_code == 200 and moved.json["agency_code"] == "SO-XAY-DUNG"
    assert client.get("/api/v1/admin/plugins", headers=clerk.headers).status_code == 403
    closed = client.patch(url, json={"active": False}, headers=admin.headers)
    assert closed.json["active"] is False
    assert client.get("/api/v1/admin/plugins", headers=clerk.headers).status_code == 401
    assert (
        client.patch(
            "/api/v1/admin/staff/999", json={"active": False}, headers=admin.headers
        ).status_code
        == 404
    )
    actions = [
        e["action"] for e in client.get("/api/v1/admin/audit", headers=admin.headers).json["items"]
    ]
    assert actions[:2] == ["staff.change", "staff.change"]
