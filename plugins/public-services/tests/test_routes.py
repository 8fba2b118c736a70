import pytest

from smartapp.plugin import Plugin
from smartapp.testing import with_plugins

BASE = "/api/v1/u/public-services"


def test_detail_has_everything_to_prepare_the_dossier(client, catalog):
    body = client.get(f"{BASE}/procedures/1.001193").json
    assert body["name"] == body["name_vi"] == "Thủ tục đăng ký khai sinh"
    assert body["documents"][0]["items"][1]["name"] == "Giấy chứng sinh"
    assert body["legal_basis"][0] == {
        "number": "60/2014/QH13",
        "title": "Luật Hộ tịch",
        "date": "2014-11-20",
        "issuer": "Quốc hội",
    }
    assert body["channels"][0]["payments_url"] is None  # no payments plugin here
    assert body["checklist_url"] == "procedures/1.001193/checklist"
    assert body["online_level"] == "full" and body["retired_at"] is None
    assert body["updated_at"].endswith("+00:00")  # an aware time on SQLite too


def test_unknown_procedure_is_404(client, catalog):
    response = client.get(f"{BASE}/procedures/9.999999")
    assert response.status_code == 404 and response.json["code"] == 404


def test_checklist_is_printable_and_localized(client, catalog):
    vi = client.get(f"{BASE}/procedures/1.004222/checklist")
    assert vi.status_code == 200 and vi.mimetype == "text/plain"
    text = vi.get_data(as_text=True)
    assert "DANH MỤC HỒ SƠ" in text
    assert "[ ] Giấy chứng sinh (1 bản chính, 1 bản sao)" in text
    assert "20.000 đồng" in text
    en = client.get(
        f"{BASE}/procedures/1.004222/checklist", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "DOSSIER CHECKLIST" in en and "Permanent residence registration" in en
    assert "(1 original(s), 1 copy(ies))" in en


class FakePaymentsPlugin(Plugin):
    """Payments"""

    slug = "payments"
    version = "1.0"
    core_requires = ">=0.1,<1"
    title = {"vi": "Thanh toán"}

    def fee_payment_link(self, procedure_code: str, amount_vnd: int) -> str | None:
        return f"/api/v1/u/payments/fees?procedure={procedure_code}&amount={amount_vnd}"


@with_plugins(FakePaymentsPlugin)
def test_fees_link_into_the_payments_utility_when_it_is_enabled(client, catalog, admin):
    channels = client.get(f"{BASE}/procedures/1.004222").json["channels"]
    assert [c["payments_url"] for c in channels] == [
        "/api/v1/u/payments/fees?procedure=1.004222&amount=20000",
        "/api/v1/u/payments/fees?procedure=1.004222&amount=10000",
    ]
    # free procedures get no link
    assert client.get(f"{BASE}/procedures/1.001193").json["channels"][0]["payments_url"] is None
    disabled = client.patch(
        "/api/v1/admin/plugins/payments", json={"enabled": False}, headers=admin.headers
    )
    assert disabled.status_code == 200, disabled.json
    channels = client.get(f"{BASE}/procedures/1.004222").json["channels"]
    assert channels[0]["payments_url"] is None


def test_bundle_combines_documents_and_fees(client, catalog):
    assert client.get(f"{BASE}/bundles").json["items"][0]["code"] == "LT-KHAI-SINH"
    body = client.get(f"{BASE}/bundles/LT-KHAI-SINH").json
    assert [(p["position"], p["code"], p["fee_vnd"]) for p in body["procedures"]] == [
        (1, "1.001193", 0),
        (2, "1.004222", 10000),
    ]
    names = [d["name"] for d in body["documents"]]
    assert names.count("Giấy chứng sinh") == 1 and len(names) == 3
    birth_certificate = next(d for d in body["documents"] if d["name"] == "Giấy chứng sinh")
    assert birth_certificate["procedures"] == ["1.001193", "1.004222"]
    assert birth_certificate["copies"] == 1
    assert body["total_fee_vnd"] == 10000 and body["fees_complete"] is True
    assert client.get(f"{BASE}/bundles/NOPE").status_code == 404


def test_offices_nearest_first(client, catalog):
    body = client.get(f"{BASE}/offices", query_string={"near": "10.59,106.40"}).json
    assert [o["code"] for o in body["items"]] == ["X-A", "TTPVHCC-TINH"]  # X-B: 85 km
    assert body["items"][0]["distance_km"] == pytest.approx(1.11, abs=0.01)
    assert all(
        a["distance_km"] <= b["distance_km"]
        for a, b in zip(body["items"], body["items"][1:], strict=False)
    )
    nearby = client.get(
        f"{BASE}/offices", query_string={"lat": 10.59, "lon": 106.40, "radius_km": 10}
    ).json
    assert [o["code"] for o in nearby["items"]] == ["X-A", "TTPVHCC-TINH"]
    paged = client.get(f"{BASE}/offices", query_string={"near": "10.59,106.40", "limit": 1}).json
    rest = client.get(
        f"{BASE}/offices",
        query_string={"near": "10.59,106.40", "limit": 1, "cursor": paged["next_cursor"]},
    ).json
    assert rest["items"][0]["code"] == "TTPVHCC-TINH"


def test_offices_by_ward_and_code(client, catalog):
    body = client.get(f"{BASE}/offices", query_string={"ward_code": 27694}).json
    assert [o["code"] for o in body["items"]] == ["TTPVHCC-TINH"]
    assert "distance_km" not in body["items"][0]
    assert client.get(f"{BASE}/offices/X-B").json["phone"] == "0276 000 000"
    assert client.get(f"{BASE}/offices/NOPE").status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"near": "north"}, "near"),
        ({"near": "91,106"}, "near"),
        ({"lat": 10.5}, "lon"),
        ({"radius_km": 5}, "radius_km"),
        ({"ward_code": 1}, "ward_code"),
        ({"kind": "castle"}, "kind"),
        ({"near": "10.5,106.4", "cursor": "bad"}, "cursor"),
    ],
)
def test_bad_office_arguments_name_the_field(client, catalog, params, field):
    response = client.get(f"{BASE}/offices", query_string=params)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]


def test_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json["paths"]
    assert "/api/v1/u/public-services/procedures" in paths
    assert "patch" in paths["/api/v1/u/public-services/admin/procedures/{code}"]
