"""The plugin's console pages: places and fee accounts listed, created, edited and retired
through the services (audited), for staff with ``payments:manage`` only; agency staff touch
their agency's fee accounts only; no form is taken without its CSRF token."""

from __future__ import annotations

import re

from smartapp_payments.models import FeeAccount, Place
from sqlalchemy import select

from smartapp.plugin import db

ROOT = "/admin/u/payments/"
PLACE = {
    "code": "TN-CHO",
    "name": "Chợ Long Hoa",
    "category": "market",
    "ward_code": "25459",
    "address": "Đường Lạc Long Quân",
    "latitude": "11.2837",
    "longitude": "106.1373",
    "methods": "vietqr\r\nmomo",
    "verified_on": "2025-11-01",
}
ACCOUNT = {
    "agency_code": "UBND-LH",
    "agency_name": "UBND phường Long Hoa",
    "bank_bin": "970405",
    "account_number": "7100201000001",
    "service": "account",
    "account_name": "UBND PHUONG LONG HOA",
}


def errors_of(response) -> list[str]:
    return re.findall(r'<strong class="error">([^<]*)</strong>', response.get_data(as_text=True))


def test_places_create_edit_search_and_retire(console, manager, audit_actions):
    console.sign_in(manager)
    assert f'href="{ROOT}"' in console.get("/admin/").get_data(as_text=True)
    form = console.get(f"{ROOT}places/new")
    assert form.status_code == 200 and "Hình thức thanh toán" in form.get_data(as_text=True)
    invalid = console.post(f"{ROOT}places/new", {**PLACE, "methods": "cash", "ward_code": "1"})
    assert invalid.status_code == 422 and len(errors_of(invalid)) == 2
    assert db.session.scalar(select(Place)) is None
    created = console.post(f"{ROOT}places/new", PLACE)
    assert created.status_code == 303
    place = db.session.scalars(select(Place)).one()
    assert place.method_names == ["momo", "vietqr"] and place.ward_code == 25459
    taken = console.post(f"{ROOT}places/new", PLACE)  # the service's 409, beside the field
    assert taken.status_code == 422 and "Exists already" in errors_of(taken)[0]

    edit = console.get(f"{ROOT}places/TN-CHO").get_data(as_text=True)
    assert 'value="Chợ Long Hoa"' in edit and "momo\nvietqr</textarea>" in edit
    changed = {**PLACE, "name": "Chợ Long Hoa (cổng chính)", "methods": "card"}
    del changed["code"]
    assert console.post(f"{ROOT}places/TN-CHO", changed).status_code == 303
    db.session.expire_all()
    assert db.session.get(Place, place.id).name == "Chợ Long Hoa (cổng chính)"
    found = console.get(f"{ROOT}places?q=cho long hoa").get_data(as_text=True)  # folded
    assert "<code>TN-CHO</code>" in found and found.count("<h1>") == 1
    assert console.post(f"{ROOT}places/TN-CHO/retire").status_code == 303
    db.session.expire_all()
    assert db.session.get(Place, place.id).retired_at is not None
    assert audit_actions()[-3:] == [
        "payments.place.create",
        "payments.place.update",
        "payments.place.retire",
    ]
    assert console.get(f"{ROOT}places/NOPE").status_code == 404
    assert console.get(f"{ROOT}places?cursor=zz").status_code == 422


def test_fee_accounts_by_agency(console, manager, make_staff):
    console.sign_in(manager)
    bad_bank = console.post(f"{ROOT}fee-accounts/new", {**ACCOUNT, "bank_bin": "123456"})
    assert bad_bank.status_code == 422 and errors_of(bad_bank)
    assert console.post(f"{ROOT}fee-accounts/new", ACCOUNT).status_code == 303
    account = db.session.scalars(select(FeeAccount)).one()
    listed = console.get(f"{ROOT}fee-accounts").get_data(as_text=True)
    assert "UBND phường Long Hoa" in listed and f"{ROOT}fee-accounts/{account.id}" in listed

    officer = make_staff("agency_staff", agency_code="CA-TN", permissions=["payments:manage"])
    console.sign_in(officer)  # another agency's account: not listed, not changed
    assert "UBND phường Long Hoa" not in console.get(f"{ROOT}fee-accounts").get_data(as_text=True)
    refused = console.post(f"{ROOT}fee-accounts/{account.id}", {**ACCOUNT, "account_name": "KHAC"})
    assert refused.status_code == 422 and "must be CA-TN" in errors_of(refused)[0]
    assert console.post(f"{ROOT}fee-accounts/{account.id}/retire").status_code == 303
    db.session.expire_all()
    account = db.session.get(FeeAccount, account.id)
    assert account.retired_at is None and account.account_name == "UBND PHUONG LONG HOA"

    console.sign_in(manager)
    renamed = {**ACCOUNT, "account_name": "UBND P LONG HOA"}
    assert console.post(f"{ROOT}fee-accounts/{account.id}", renamed).status_code == 303
    assert console.post(f"{ROOT}fee-accounts/{account.id}/retire").status_code == 303
    db.session.expire_all()
    account = db.session.get(FeeAccount, account.id)
    assert account.account_name == "UBND P LONG HOA" and account.retired_at is not None
    for missing in ("fee-accounts/99", "fee-accounts/x", "fee-accounts/99999999999"):
        assert console.get(ROOT + missing).status_code == 404, missing


def test_refusals(console, make_staff, admin):
    console.sign_in(make_staff("communicator"))  # no payments:manage
    for path in ("", "places/new", "fee-accounts", "fee-accounts/new"):
        assert console.get(ROOT + path).status_code == 403, path
    assert console.post(f"{ROOT}places/new", PLACE).status_code == 403
    assert f'href="{ROOT}"' not in console.get("/admin/").get_data(as_text=True)

    console.sign_in(admin)
    for path in ("places/new", "fee-accounts/new"):
        assert console.post(ROOT + path, PLACE, csrf=False).status_code == 400, path
    assert console.post(f"{ROOT}places/new", PLACE).status_code == 303
    assert console.post(f"{ROOT}places/TN-CHO/retire", csrf=False).status_code == 400
    assert db.session.scalars(select(Place)).one().retired_at is None
