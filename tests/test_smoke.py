def test_healthz(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json


def test_me(client, citizen):
    assert client.get("/api/v1/me", headers=citizen.headers).json["phone_number"] == "+84912000001"
