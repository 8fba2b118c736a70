"""The public map, duplicates within 250 m, and "me too"."""

from __future__ import annotations

from smartapp_feedback.nearby import distance_m

API = "/api/v1/u/feedback"
#: Phường Tân Ninh, Tây Ninh's centre (as in conftest.py's ``submit``)
TAN_NINH = {"latitude": 11.3101, "longitude": 106.0983, "ward_code": 25459}


#: about 100 m and 400 m north of TAN_NINH
NEAR = {**TAN_NINH, "latitude": TAN_NINH["latitude"] + 0.0009}
FAR = {**TAN_NINH, "latitude": TAN_NINH["latitude"] + 0.0036}


def test_distance_is_haversine():
    assert round(distance_m(11.3101, 106.0983, 11.3110, 106.0983)) == 100


def test_the_map_shows_public_reports_without_personal_data(client, make_citizen, submit):
    citizen = make_citizen(display_name="Lê Văn C")
    shown = submit(citizen, privacy="public").get_json()["id"]
    submit(citizen, public=False)
    response = client.get(f"{API}/map")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    collection = response.get_json()
    assert collection["type"] == "FeatureCollection"
    assert [f["id"] for f in collection["features"]] == [shown]
    point = collection["features"][0]
    assert point["geometry"] == {
        "type": "Point",
        "coordinates": [TAN_NINH["longitude"], TAN_NINH["latitude"]],
    }
    text = response.get_data(as_text=True)
    assert "Lê Văn C" not in text and "+8491" not in text and "xe máy" not in text


def test_the_map_filters_by_bounding_box(client, citizen, submit):
    inside = submit(citizen).get_json()["id"]
    submit(citizen, **FAR)
    box = "106.09,11.30,106.11,11.312"
    found = client.get(f"{API}/map", query_string={"bbox": box}).get_json()["features"]
    assert [f["id"] for f in found] == [inside]
    for bad in ("1,2,3", "a,b,c,d", "106.2,11.3,106.1,11.4", "0,0,0,200", "nan,1,2,3"):
        response = client.get(f"{API}/map", query_string={"bbox": bad})
        assert response.status_code == 422 and "bbox" in response.get_json()["errors"], bad


def test_nearby_finds_open_reports_of_the_category_within_250_m(
    client, citizen, make_citizen, submit
):
    near = submit(citizen, **NEAR).get_json()["id"]
    submit(citizen, **FAR)
    submit(citizen, category="rubbish", answers={})
    hidden_from_others = submit(citizen, public=False).get_json()["id"]
    other = make_citizen("+84912000002")
    query = {"category": "road-damage", **{k: TAN_NINH[k] for k in ("latitude", "longitude")}}
    found = client.get(f"{API}/nearby", query_string=query, headers=other.headers).get_json()
    assert [(f["report"]["id"], f["distance_m"]) for f in found] == [(near, 100)]
    own = client.get(f"{API}/nearby", query_string=query, headers=citizen.headers).get_json()
    assert [f["report"]["id"] for f in own] == [hidden_from_others, near]
    assert client.get(f"{API}/nearby", query_string={**query, "category": "x"}).status_code == 422


def test_nearby_answers_at_most_five(client, citizen, submit):
    for _ in range(7):
        submit(citizen, photos=0)
    query = {
        "category": "road-damage",
        "latitude": TAN_NINH["latitude"],
        "longitude": TAN_NINH["longitude"],
    }
    assert len(client.get(f"{API}/nearby", query_string=query).get_json()) == 5


def test_me_too_follows_once_and_counts(client, citizen, make_citizen, submit):
    report = submit(citizen).get_json()["id"]
    private = submit(citizen, public=False).get_json()["id"]
    other = make_citizen("+84912000002")
    follow = f"{API}/reports/{report}/follow"
    assert client.post(follow).status_code == 401
    assert client.post(follow, headers=other.headers).get_json()["followers_count"] == 1
    assert client.post(follow, headers=other.headers).get_json()["followers_count"] == 1
    assert client.post(follow, headers=citizen.headers).status_code == 409
    assert client.post(f"{API}/reports/{private}/follow", headers=other.headers).status_code == 404
    assert client.delete(follow, headers=other.headers).get_json()["followers_count"] == 0
    assert client.delete(follow, headers=other.headers).get_json()["followers_count"] == 0
