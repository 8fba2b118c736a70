"""Fee accounts and items, their ready VietQR codes with the dossier number, and the soft
dependency with ``public-services`` in both directions."""

from __future__ import annotations

import pytest
from smartapp_payments import PaymentsPlugin
from smartapp_payments.vietqr import decode
from smartapp_public_services import PublicServicesPlugin

from smartapp.plugin import db
from smartapp.testing import with_plugins

BASE = "/api/v1/u/payments"
ACCOUNT = {
    "agency_code": "UBND-LH",
    "agency_name": "UBND phường Long Hoa",
    "bank_bin": "970405",
    "account_number": "7100201000001",
    "account_name": "UBND PHUONG LONG HOA",
}


@pytest.fixture
def account(client, manager):
    response = client.post(f"{BASE}/admin/fee-accounts", json=ACCOUNT, headers=manager.headers)
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def item(client, manager, account):
    response = client.post(
        f"{BASE}/admin/fee-items",
        headers=manager.headers,
        json={
            "code": "HT-BANSAO",
            "name": "Lệ phí cấp bản sao trích lục hộ tịch",
            "amount_vnd": 8000,
            "procedure_code": "2.000635",
            "fee_account_id": account["id"],
        },
    )
    assert response.status_code == 201, response.json
    return response.json


def test_accounts_and_items_are_listed(client, item, audit_actions):
    accounts = client.get(f"{BASE}/fee-accounts", query_string={"agency_code": "UBND-LH"})
    [listed] = accounts.json["items"]
    assert listed["bank"]["short_name"] == "Agribank"
    assert listed["account_name"] == "UBND PHUONG LONG HOA"
    static = client.get(listed["vietqr_url"]).json
    assert static["initiation"] == "static" and static["account"] == "7100201000001"
    [fee] = client.get(f"{BASE}/fee-items", query_string={"procedure_code": "2.000635"}).json[
        "items"
    ]
    assert fee["fee_account"]["id"] == listed["id"] and fee["amount_vnd"] == 8000
    assert fee["procedure_url"] is None  # public-services is not loaded here
    assert audit_actions() == ["payments.fee_account.create", "payments.fee_item.create"]


def test_ready_vietqr_carries_the_dossier_number(client, item):
    url = item["vietqr_url"]
    body = client.get(url, query_string={"dossier": "000.00.12.H55-250101-0001"}).json
    decoded = decode(body["payload"])
    assert (decoded.bank, decoded.account, decoded.amount) == ("970405", "7100201000001", 8000)
    assert decoded.reference == decoded.purpose == "000.00.12.H55-250101-0001"
    assert decoded.bill == "HT-BANSAO"
    assert body["reference"] == "000.00.12.H55-250101-0001"
    assert body["name"] == "UBND PHUONG LONG HOA"  # the account's holder, for the citizen
    assert client.get(url, query_string={"format": "png"}).mimetype == "image/png"
    wrong = client.get(url, query_string={"amount": 9000})
    assert wrong.status_code == 422 and "amount" in wrong.json["errors"]
    bad = client.get(url, query_string={"dossier": "số hồ sơ"})
    assert bad.status_code == 422 and "dossier" in bad.json["errors"]
    assert client.get(f"{BASE}/fee-items/NOPE/vietqr").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"bank_bin": "123456"}, "bank_bin"),
        ({"bank_bin": "9704"}, "bank_bin"),
        ({"account_number": "71-002"}, "account_number"),
        ({"service": "card"}, "account_number"),
        ({"agency_code": ""}, "agency_code"),
        ({"account_name": ""}, "account_name"),
    ],
)
def test_bad_accounts_are_422_naming_the_field(client, manager, change, field):
    response = client.post(
        f"{BASE}/admin/fee-accounts", json={**ACCOUNT, **change}, headers=manager.headers
    )
    assert response.status_code == 422 and field in response.json["errors"], response.json


def test_item_needs_an_active_account(client, manager, account):
    body = {"code": "X", "name": "X", "fee_account_id": 9999}
    response = client.post(f"{BASE}/admin/fee-items", json=body, headers=manager.headers)
    assert response.status_code == 422 and "fee_account_id" in response.json["errors"]
    client.delete(f"{BASE}/admin/fee-accounts/{account['id']}", headers=manager.headers)
    body["fee_account_id"] = account["id"]
    response = client.post(f"{BASE}/admin/fee-items", json=body, headers=manager.headers)
    assert response.status_code == 422


def test_agency_staff_manage_their_agency_only(client, make_staff, account):
    other = make_staff("agency_staff", agency_code="CA-TN", permissions=["payments:manage"])
    response = client.post(f"{BASE}/admin/fee-accounts", json=ACCOUNT, headers=other.headers)
    assert response.status_code == 403 and "agency_code" in response.json["errors"]
    assert (
        client.patch(
            f"{BASE}/admin/fee-accounts/{account['id']}",
            headers=other.headers,
            json={"account_name": "X"},
        ).status_code
        == 403
    )
    own = client.post(
        f"{BASE}/admin/fee-accounts",
        headers=other.headers,
        json={**ACCOUNT, "agency_code": "CA-TN"},
    )
    assert own.status_code == 201


def test_payment_link_without_public_services(app, item):
    plugin = PaymentsPlugin()
    assert plugin.fee_payment_link("2.000635", 8000) == (
        f"{BASE}/fee-items/HT-BANSAO/vietqr?amount=8000"
    )
    assert plugin.fee_payment_link("2.000635", 5000) is None  # no item of that amount
    assert plugin.fee_payment_link("9.999999", 8000) is None


@with_plugins(PaymentsPlugin, PublicServicesPlugin)
def test_public_services_procedures_link_to_the_fee_and_back(client, item):
    PublicServicesPlugin().seed_demo()
    db.session.commit()
    procedure = client.get("/api/v1/u/public-services/procedures/2.000635").json
    links = {channel["payments_url"] for channel in procedure["channels"]}
    assert links == {f"{BASE}/fee-items/HT-BANSAO/vietqr?amount=8000"}
    ready = client.get(next(iter(links)) + "&dossier=H55-0001").json
    assert ready["amount"] == 8000 and ready["reference"] == "H55-0001"
    fee = client.get(f"{BASE}/fee-items/HT-BANSAO").json
    assert fee["procedure_url"] == "/api/v1/u/public-services/procedures/2.000635"


@with_plugins(PublicServicesPlugin)
def test_public_services_works_without_payments(client):
    PublicServicesPlugin().seed_demo()
    db.session.commit()
    procedure = client.get("/api/v1/u/public-services/procedures/2.000635").json
    assert {channel["payments_url"] for channel in procedure["channels"]} == {None}


def test_fee_item_codes_fit_the_bill_number(client, manager, account):
    body = {"code": "X" * 26, "name": "X", "fee_account_id": account["id"]}
    response = client.post(f"{BASE}/admin/fee-items", json=body, headers=manager.headers)
    assert response.status_code == 422 and "code" in response.json["errors"]
    body["code"] = "Y" * 25
    assert (
        client.post(f"{BASE}/admin/fee-items", json=body, headers=manager.headers).status_code
        == 201
    )
    assert client.get(f"{BASE}/fee-items/{'Y' * 25}/vietqr").json["bill"] == "Y" * 25
