import base64
import hashlib
import json

import pytest
from smartapp_public_services import DATA_DIR
from smartapp_public_services.search import find, search_revision, snapshot
from smartapp_public_services.text import fold

URL = "/api/v1/u/public-services/procedures"


def codes(client, **params):
    # one address per query: a test's many searches would meet the per-client rate limit
    address = "10." + ".".join(map(str, hashlib.sha256(repr(params).encode()).digest()[:3]))
    response = client.get(URL, query_string=params, environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 200, response.json
    return [item["code"] for item in response.json["items"]]


@pytest.mark.parametrize(
    "query",
    [
        "dang ky khai sinh",
        "Đăng ký khai sinh",
        "ĐĂNG KÝ KHAI SINH",
        "khai sinh đăng ký",
        "dang ky khia sinh",
        "dangky khai sinh",
        "làm giấy khai sinh",
        "khai si",
    ],
)
def test_diacritics_word_order_typos_and_prefixes_give_the_same_first_result(
    client, catalog, query
):
    assert codes(client, q=query)[0] == "1.001193"


def test_abbreviations_expand_query_side(client, catalog):
    assert codes(client, q="CCCD")[0] == "1.001766"
    assert codes(client, q="cấp cccd")[0] == "1.001766"


def test_name_matches_rank_above_description_matches(client, catalog):
    # 1.004222 and 2.000908 mention "khai sinh" only in their descriptions
    ranked = codes(client, q="khai sinh")
    assert ranked[0] == "1.001193" and set(ranked[1:]) == {"1.004222", "2.000908"}
    assert codes(client, q="thường trú")[0] == "1.004222"  # the bundle-like text elsewhere


def test_only_the_best_matches_by_the_database_score_are_ranked(app, catalog):
    known = snapshot(search_revision())
    everything = find("khai sinh", known, candidates=100)
    narrowed = find("khai sinh", known, candidates=1)
    assert narrowed[0].code == everything[0].code == "1.001193"  # the name match scores best
    # the others still follow, so the total, the facets and the pages hold every match
    assert sorted(e.code for e in narrowed) == sorted(e.code for e in everything)


def test_filters_and_facets(client, catalog):
    response = client.get(URL, query_string={"q": "khai sinh", "field": "Hộ tịch"})
    body = response.json
    assert {i["code"] for i in body["items"]} == {"1.001193", "2.000908"}
    assert body["total"] == 2
    # a facet counts under the other filters, so other fields still show their counts
    assert body["facets"]["field"] == {"Hộ tịch": 2, "Đăng ký, quản lý cư trú": 1}
    assert body["facets"]["online_level"] == {"full": 1, "partial": 1}
    assert codes(client, level="province") == ["1.001766"]
    assert codes(client, q="khai sinh", online_level="partial") == ["2.000908"]
    assert codes(client, agency="Công an cấp xã") == ["1.004222"]


def test_no_query_lists_everything_by_name(client, catalog):
    body = client.get(URL).json
    assert body["total"] == 4
    names = [fold(i["name"]) for i in body["items"]]
    assert names == sorted(names)


def test_cursor_pages_through_ranked_results(client, catalog):
    first = client.get(URL, query_string={"limit": 3}).json
    assert len(first["items"]) == 3 and first["next_cursor"]
    second = client.get(URL, query_string={"limit": 3, "cursor": first["next_cursor"]}).json
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    seen = [i["code"] for i in first["items"] + second["items"]]
    assert len(set(seen)) == 4


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "nonsense"}, "cursor"),
        ({"cursor": base64.urlsafe_b64encode(b'["x"]').decode()}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"level": "district"}, "level"),
        ({"online_level": "maybe"}, "online_level"),
        ({"q": "x" * 201}, "q"),
        ({"q": "khai\x00sinh"}, "q"),  # PostgreSQL cannot compare a NUL: refused, not a 500
        ({"field": "Hộ\x00tịch"}, "field"),
    ],
)
def test_bad_arguments_are_422_naming_the_field(client, catalog, params, field):
    response = client.get(URL, query_string=params)
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_english_names_with_accept_language(client, catalog):
    response = client.get(URL, query_string={"q": "khai sinh"}, headers={"Accept-Language": "en"})
    assert response.json["items"][0]["name"] == "Birth registration"


def test_a_code_typed_in_full_comes_first(client, catalog):
    assert codes(client, q="2.000908")[0] == "2.000908"


def test_nothing_found_is_an_empty_page(client, catalog):
    body = client.get(URL, query_string={"q": "xyzzy quux"}).json
    assert body["items"] == [] and body["total"] == 0 and body["next_cursor"] is None


def test_real_citizen_queries_find_their_procedure_in_the_top_three(client, real_catalog):
    queries = json.loads((DATA_DIR / "queries.json").read_text())
    assert len(queries) >= 40
    misses = []
    for case in queries:
        found = codes(client, q=case["query"], limit=3)
        if case["expected"] not in found:
            misses.append((case["query"], case["expected"], found))
    assert misses == []


def test_english_queries_and_typos_find_their_procedure(client, real_catalog, fixtures):
    # "first": the procedure must come first (an exact title, a typo of one), else top three
    cases = json.loads((fixtures / "queries_english_and_typos.json").read_text())
    assert len(cases) >= 40
    misses = []
    for case in cases:
        response = client.get(
            URL,
            query_string={"q": case["query"], "limit": 3},
            headers={"Accept-Language": case.get("language", "vi")},
        )
        found = [item["code"] for item in response.json["items"]]
        if (found[:1] if case.get("first") else found).count(case["expected"]) != 1:
            misses.append((case["query"], case["expected"], found))
    assert misses == []


def test_an_exact_title_ranks_first_in_either_language(client, real_catalog):
    english = client.get(
        URL, query_string={"q": "birth registration"}, headers={"Accept-Language": "en"}
    ).json["items"]
    assert english[0]["name"] == "Birth registration"
    assert (
        client.get(URL, query_string={"q": "Đăng ký khai sinh"}).json["items"][0]["code"]
        == english[0]["code"]
    )


def test_a_mistyped_short_word_is_read_beside_its_neighbour(client, real_catalog):
    # "snh" is one letter from a dozen syllables, but after "khai" only from "sinh"
    items = client.get(URL, query_string={"q": "khai snh", "limit": 50}).json["items"]
    names = [fold(item["name"]) for item in items]
    assert names and all("khai sinh" in name for name in names[:10])
    assert "khai bao tam vang" not in names


def test_half_a_phrase_is_no_match(client, real_catalog):
    # "cận" (hộ cận nghèo) and "cuộc" somewhere in a description are not "căn cước"
    items = client.get(URL, query_string={"q": "lam can cuoc", "limit": 50}).json["items"]
    assert items and all("can cuoc" in fold(item["name"]) for item in items)
    assert "Giảm nghèo" not in {item["field"] for item in items}
