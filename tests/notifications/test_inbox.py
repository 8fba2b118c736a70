"""``/api/v1/notifications``: the inbox, its pages, reading and opening, ``unread_count``."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartapp.extensions import db
from smartapp.plugin import notify


def _citizen_id(client, headers, phone):
    me = client.get("/api/v1/me", headers=headers).json  # the first request creates them
    assert me["phone_number"] == phone
    return me["id"]


def _send(citizen_ids, count):
    for number in range(count):
        notify(
            citizen_ids,
            f"Thông báo {number}",
            {"vi": f"Nội dung {number}", "en": f"Content {number}"},
            link=f"smartapp://u/feedback/reports/{number}",
        )
    db.session.commit()


def test_the_inbox_pages_newest_first_and_counts_unread(client, signed_in):
    headers = signed_in("+84912000001")
    assert client.get("/api/v1/notifications", headers=headers).json == {
        "items": [],
        "next_cursor": None,
        "unread_count": 0,
    }
    _send([_citizen_id(client, headers, "+84912000001")], 5)
    first = client.get("/api/v1/notifications?limit=2", headers=headers).json
    assert [item["title"] for item in first["items"]] == ["Thông báo 4", "Thông báo 3"]
    assert first["unread_count"] == 5 and first["items"][0]["read"] is False
    seen = [item["id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(f"/api/v1/notifications?limit=2&cursor={cursor}", headers=headers).json
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert seen == sorted(seen, reverse=True) and len(seen) == 5
    english = client.get("/api/v1/notifications", headers={**headers, "Accept-Language": "en"})
    assert english.json["items"][0]["body"] == "Content 4"


def test_read_opened_and_read_all(client, signed_in, error_envelope):
    headers = signed_in("+84912000001")
    _send([_citizen_id(client, headers, "+84912000001")], 3)
    newest, middle, _ = [
        i["id"] for i in client.get("/api/v1/notifications", headers=headers).json["items"]
    ]
    read = client.post(f"/api/v1/notifications/{newest}/read", headers=headers)
    assert read.status_code == 200 and read.json["read"] and read.json["opened_at"] is None
    opened = client.post(f"/api/v1/notifications/{middle}/opened", headers=headers)
    assert opened.json["read"] and opened.json["opened_at"]
    assert client.get("/api/v1/notifications", headers=headers).json["unread_count"] == 1
    everything = client.post("/api/v1/notifications/read-all", headers=headers)
    assert everything.json == {"marked": 1, "unread_count": 0}
    # someone else's notification, or none at all
    other = signed_in("+84912000002")
    error_envelope(client.post(f"/api/v1/notifications/{newest}/read", headers=other), 404)
    error_envelope(client.post("/api/v1/notifications/99999999999/read", headers=other), 404)
    error_envelope(client.get("/api/v1/notifications"), 401)
    error_envelope(
        client.get("/api/v1/notifications?cursor=nonsense", headers=other), 422, fields={"cursor"}
    )


ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("notify"), st.integers(1, 3)),
        st.tuples(st.just("read"), st.integers(0, 20)),
        st.tuples(st.just("opened"), st.integers(0, 20)),
        st.tuples(st.just("read-all"), st.just(0)),
    ),
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=ACTIONS)
def test_unread_count_is_always_the_real_count(client, signed_in, actions):
    """Whatever a citizen does, ``unread_count`` equals the unread items of the whole inbox
    (one citizen across the examples: the inbox only grows)."""
    headers = signed_in("+84912000009")
    citizen_id = _citizen_id(client, headers, "+84912000009")
    for action, number in actions:
        if action == "notify":
            _send([citizen_id], number)
        items = _all_items(client, headers)
        if action in ("read", "opened") and items:
            item = items[number % len(items)]
            client.post(f"/api/v1/notifications/{item['id']}/{action}", headers=headers)
        elif action == "read-all":
            client.post("/api/v1/notifications/read-all", headers=headers)
        items = _all_items(client, headers)
        unread = client.get("/api/v1/notifications?limit=1", headers=headers).json["unread_count"]
        assert unread == sum(not item["read"] for item in items)


def _all_items(client, headers):
    items, cursor = [], ""
    while True:
        page = client.get(f"/api/v1/notifications?limit=100{cursor}", headers=headers).json
        items += page["items"]
        if not page["next_cursor"]:
            return items
        cursor = f"&cursor={page['next_cursor']}"
