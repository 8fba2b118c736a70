"""Hostile input on the payments console pages: record keys and cursors that are no number,
script in a record's name."""

from __future__ import annotations

import pytest

ROOT = "/admin/u/payments/"
SCRIPT = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


@pytest.mark.parametrize("key", ["²", "١٢", "-1", "0x1"])
def test_a_key_that_is_no_plain_number_is_a_404(console, manager, key):
    console.sign_in(manager)
    assert console.get(f"{ROOT}fee-accounts/{key}").status_code == 404
    assert console.post(f"{ROOT}fee-accounts/{key}/retire").status_code == 404


@pytest.mark.parametrize("path", ["", "fee-accounts", "places"])
def test_a_bad_cursor_names_its_field(console, manager, path):
    console.sign_in(manager)
    page = console.get(f"{ROOT}{path}?cursor=garbage")
    assert page.status_code == 422
    assert "<strong>cursor</strong>" in page.get_data(as_text=True)


def test_a_records_name_is_text(console, manager):
    console.sign_in(manager)
    account = {
        "agency_code": "UBND-LH",
        "agency_name": SCRIPT,
        "bank_bin": "970405",
        "account_number": "7100201000001",
        "service": "account",
        "account_name": "UBND PHUONG LONG HOA",
    }
    assert console.post(f"{ROOT}fee-accounts/new", account).status_code == 303
    listed = console.get(f"{ROOT}fee-accounts").get_data(as_text=True)
    assert "<script>alert" not in listed and "&lt;script&gt;alert(1)" in listed
