"""Procedure search: Vietnamese-aware query parsing, full-text matching, ranking and facets.

One pipeline on both databases:

1. the query is folded (``text.fold``) and parsed into groups of alternatives — a word, its
   abbreviation expansions (:data:`text.ABBREVIATIONS`), its spelling corrections against the
   indexed vocabulary (rapidfuzz, one edit, two swapped letters counting as one; two edits
   for long words; a short word only into one that stands beside its neighbour in some
   name), the two words it splits into when a space is missing, or, for the last word, a
   prefix; two words that stand together in a name or keyword (``can cuoc``) make one group
   that matches only as that phrase, so half of it counts for nothing (:mod:`.query`);
2. the database's full-text index finds the procedures matching every group, with its own
   weighted score (SQLite: bm25 over the FTS5 table ``public_services_procedures_fts``;
   PostgreSQL: ``ts_rank`` of the name and keywords, the GIN-indexed generated tsvector
   ``search_vector`` finding the matches), falling back to any group when few match them all;
3. the best :data:`CANDIDATES` by that score are ranked in Python, identically on both
   databases: the query is the name (Vietnamese or English) or a keyword first, then the
   query words found in the names or keywords, then how much of a name the query covers,
   then the database's score, then code; the other matches follow in score order (they count
   in the total and the facets, and can be paged through);
4. filters and facet counts are computed over every match, and the whole answer is cached
   under the revision of the procedures (:data:`REVISION`), which every write bumps in its
   own transaction: every worker sees the change at its next search, with or without Redis.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from flask import Flask, current_app
from redis.exceptions import RedisError
from sqlalchemy import select, text

from smartapp.plugin import (
    bump_revision,
    cache,
    current_revision,
    db,
    paginate_sequence,
)

from .catalog import summary
from .models import Procedure
from .query import Alternative, ParsedQuery, Vocabulary, fts5_query, parse, tsquery
from .searchlog import record_search
from .text import fold

log = logging.getLogger(__name__)

FACETS = ("field", "level", "online_level", "agency")
#: the database counter every change to procedures bumps (see :func:`procedures_changed`)
REVISION = "public-services.procedures"
RESULT_KEY = "public-services:search:{revision}:{digest}"
#: below this many procedures with every word, those with some of them are ranked too
FEW_MATCHES = 10
#: how many of the best matches by the database's score are ranked in Python
CANDIDATES = 200


# -- revision --------------------------------------------------------------------------------


def procedures_changed() -> None:
    """Announce a change to procedures, inside the transaction that makes it: when it commits,
    every worker's cached searches and snapshot are out of date (a rollback takes the
    announcement back with the change)."""
    bump_revision(REVISION)


def search_revision() -> int:
    """The procedures' current revision: part of every cached search's key."""
    return current_revision(REVISION)


# -- snapshot --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """What ranking, filters, facets and result lists need of one active procedure."""

    id: int
    code: str
    name: str
    name_en: str | None
    field: str
    level: str
    online_level: str
    agency: str
    name_words: tuple[str, ...]
    #: the folded name without the catalog's "Thủ tục" ("procedure") in front
    bare_name: str
    #: the folded English name
    english_name: str
    keywords: frozenset[str]
    #: the words of the names and keywords
    prominent: frozenset[str]
    #: the names and each keyword phrase, one a line, padded for whole-phrase look-ups
    phrases: str


@dataclass(frozen=True)
class Snapshot:
    """The active procedures' search data at one revision, held in each process: the
    full-text index finds the matches, this ranks and describes them without another query."""

    revision: int
    vocabulary: Vocabulary
    entries: dict[int, Entry]
    by_code: dict[str, int]
    #: ids in name order, for listing without a query
    by_name: tuple[int, ...]


#: each app's snapshot (an app is one database; tests run several apps in one process)
_snapshots: weakref.WeakKeyDictionary[Flask, Snapshot] = weakref.WeakKeyDictionary()
_snapshot_lock = threading.Lock()


def snapshot(revision: int) -> Snapshot:
    """The snapshot of the active procedures at ``revision``, built once per process."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with _snapshot_lock:
        found = _snapshots.get(app)
    if found is not None and found.revision == revision:
        return found
    rows = db.session.execute(
        select(
            Procedure.id,
            Procedure.code,
            Procedure.name,
            Procedure.name_en,
            Procedure.field,
            Procedure.level,
            Procedure.online_level,
            Procedure.agency,
            Procedure.search_name,
            Procedure.search_keywords,
            Procedure.search_body,
        ).where(Procedure.retired_at.is_(None))
    ).all()
    entries = {}
    for row in rows:
        keywords = row.search_keywords.split("\n") if row.search_keywords else []
        name_words = tuple(row.search_name.split())
        english_name = fold(row.name_en or "")
        names = [row.search_name, english_name, *keywords]
        entries[row.id] = Entry(
            row.id,
            row.code,
            row.name,
            row.name_en,
            row.field,
            row.level,
            row.online_level,
            row.agency,
            name_words,
            row.search_name.removeprefix("thu tuc "),
            english_name,
            frozenset(keywords),
            frozenset(name_words).union(*(n.split() for n in names[1:])),
            "".join(f" {line} \n" for line in names if line),
        )
    built = Snapshot(
        revision,
        Vocabulary.of(
            (f"{r.search_name} {r.search_keywords} {r.search_body}" for r in rows),
            (line for e in entries.values() for line in e.phrases.split("\n")),
        ),
        entries,
        {e.code: e.id for e in entries.values()},
        tuple(sorted(entries, key=lambda i: (entries[i].name_words, entries[i].code))),
    )
    with _snapshot_lock:
        _snapshots[app] = built
    return built


# -- matching --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    entry: Entry
    sort_key: tuple[Any, ...]
    #: how many of the query's groups the name or keywords hold
    prominent: int = 0


SQLITE_MATCH = text(
    "SELECT rowid AS id, -bm25(public_services_procedures_fts, 10.0, 4.0, 1.0) AS score "
    "FROM public_services_procedures_fts WHERE public_services_procedures_fts MATCH :query "
    "ORDER BY score DESC, id"
)
# The GIN-indexed vector of all the text finds the matches; the score reads the small vector
# of the name and keywords (see the second migration): the name (A) over keywords (B)
# (ts_rank's weights are {D, C, B, A}). It tops out when every word is in the name, so among
# equal scores a shorter name, which the query covers more, comes first.
POSTGRESQL_MATCH = text(
    "SELECT p.id, ts_rank('{0, 0, 0.4, 1.0}', p.search_rank_vector, query) AS score "
    "FROM public_services_procedures AS p, to_tsquery('simple', :query) AS query "
    "WHERE p.search_vector @@ query ORDER BY score DESC, length(p.search_name), p.id"
)


def _matches(
    parsed: ParsedQuery, operator: str, phrase: str, known: Snapshot, candidates: int
) -> tuple[list[Match], list[Entry]]:
    """The best ``candidates`` matches by the database's score, ranked; and the other
    matches, in score order (not ranked: on a broad query they are hundreds)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        statement, query = SQLITE_MATCH, fts5_query(parsed.groups, operator)
    elif dialect == "postgresql":
        statement, query = POSTGRESQL_MATCH, tsquery(parsed.groups, operator)
    else:
        raise RuntimeError(f"procedure search supports SQLite and PostgreSQL, not {dialect}")
    rows = db.session.execute(statement, {"query": query}).all()
    # best first; retired procedures are not in the snapshot
    scored = [
        (score, entry) for procedure_id, score in rows if (entry := known.entries.get(procedure_id))
    ]
    ranking = _Ranking(parsed, phrase)
    return (
        [ranking.match(entry, score) for score, entry in scored[:candidates]],
        [entry for _, entry in scored[candidates:]],
    )


class _Ranking:
    """The ranking key of a query's matches, best first: the query is the name or one of the
    keywords exactly; how many of its groups are in the name or keywords; it occurs as a
    phrase there; how much of the name it covers; the database's weighted score (name over
    keywords over the rest). Runs once per match, so the query's side is prepared once."""

    def __init__(self, parsed: ParsedQuery, phrase: str) -> None:
        self.phrase = phrase
        self.padded = f" {phrase} "
        groups = parsed.groups
        self.query_words = frozenset(w for g in groups for alt in g for w in alt.words)
        # most groups are single whole words: one set test each
        single = [all(len(alt.words) == 1 and not alt.prefix for alt in g) for g in groups]
        self.simple = [
            (frozenset(alt.words[0] for alt in g), weight)
            for g, weight, one in zip(groups, parsed.weights, single, strict=True)
            if one
        ]
        self.complex = [
            (g, weight)
            for g, weight, one in zip(groups, parsed.weights, single, strict=True)
            if not one
        ]

    def match(self, entry: Entry, score: float) -> Match:
        words = entry.prominent
        prominent = sum(weight for g, weight in self.simple if not words.isdisjoint(g)) + sum(
            weight for g, weight in self.complex if any(_found(alt, entry) for alt in g)
        )
        exact = (
            self.phrase in entry.keywords
            or self.phrase == entry.bare_name
            or self.phrase == entry.english_name
        )
        coverage = max(self._coverage(entry.name_words), self._coverage(entry.english_name.split()))
        key = (
            -exact,
            -prominent,
            -(self.padded in entry.phrases),
            -round(coverage, 3),
            -round(score, 6),
            entry.code,
        )
        return Match(entry, key, prominent)

    def _coverage(self, name_words: Sequence[str]) -> float:
        """The share of a name's words that the query holds."""
        return sum(map(self.query_words.__contains__, name_words)) / max(len(name_words), 1)


def _found(alternative: Alternative, entry: Entry) -> bool:
    """Whether the names or keywords of ``entry`` hold ``alternative``."""
    if alternative.phrase:
        return f" {' '.join(alternative.words)} " in entry.phrases
    *whole, last = alternative.words
    if not all(w in entry.prominent for w in whole):
        return False
    if alternative.prefix:
        return any(w.startswith(last) for w in entry.prominent)
    return last in entry.prominent


def find(query: str, known: Snapshot, candidates: int = CANDIDATES) -> list[Entry]:
    """Every active procedure matching ``query``, best first (all, by name, when empty); the
    best ``candidates`` by the database's score are ranked, the others follow."""
    if not fold(query):
        return [known.entries[i] for i in known.by_name]
    parsed = parse(query, known.vocabulary)
    phrase = fold(query)
    ranked: list[Match] = []
    rest: list[Entry] = []
    if parsed.groups:
        ranked, rest = _matches(parsed, "AND", phrase, known, candidates)
        if len(ranked) < FEW_MATCHES and parsed.size > 1:
            # citizens add words the catalog does not use ("cho bé mới sinh"): rank along
            # the procedures whose names or keywords hold at least half of the words (a
            # phrase's words count only together: "cận" alone is not half of "căn cước")
            having_all = {m.entry.id for m in ranked}
            some, _ = _matches(parsed, "OR", phrase, known, candidates)
            ranked += [
                m for m in some if m.entry.id not in having_all and 2 * m.prominent >= parsed.size
            ]
    ranked.sort(key=lambda m: m.sort_key)
    found = [m.entry for m in ranked] + rest
    exact = known.by_code.get(query.strip())
    if exact is not None:  # a procedure code typed in full goes first
        found = [known.entries[exact], *(e for e in found if e.id != exact)]
    return found


# -- filters, facets, pages ------------------------------------------------------------------


@dataclass(frozen=True)
class SearchResult:
    """The ranked ids under the filters, their count per facet value, and the revision of the
    procedures they were found in."""

    revision: int
    ids: list[int]
    facets: dict[str, dict[str, int]]

    @property
    def total(self) -> int:
        return len(self.ids)


def filtered(
    entries: Iterable[Entry], filters: dict[str, str]
) -> tuple[list[int], dict[str, dict[str, int]]]:
    """The ids passing the filters, and each facet's counts under the other filters
    (choosing a field still shows how many results the other fields have)."""
    passing: list[Entry] = []
    #: by filter: the entries that fail that filter only, counted in its own facet
    failing_only: dict[str, list[Entry]] = {name: [] for name in filters}
    for entry in entries:
        failed = [name for name, value in filters.items() if getattr(entry, name) != value]
        if not failed:
            passing.append(entry)
        elif len(failed) == 1:
            failing_only[failed[0]].append(entry)
    facets = {
        name: dict(
            Counter(map(attrgetter(name), passing + failing_only.get(name, []))).most_common()
        )
        for name in FACETS
    }
    return [entry.id for entry in passing], facets


def run_search(query: str, filters: dict[str, str], revision: int) -> SearchResult:
    """The search result for ``query`` under ``filters``, computed now."""
    return SearchResult(revision, *filtered(find(query, snapshot(revision)), filters))


def search(query: str, filters: dict[str, str], cache_seconds: int) -> SearchResult:
    """The search result for ``query`` under ``filters``, from the cache when it was computed
    at the procedures' current revision."""
    revision = search_revision()
    digest = hashlib.sha1(
        json.dumps([fold(query), query.strip(), sorted(filters.items())]).encode()
    ).hexdigest()
    key = RESULT_KEY.format(revision=revision, digest=digest)
    cached = _shared_cache(cache.get, key)
    if cached is not None:
        return SearchResult(revision, *cached)
    result = run_search(query, filters, revision)
    _shared_cache(cache.set, key, (result.ids, result.facets), timeout=cache_seconds)
    return result


def _shared_cache(operation: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The cache only saves work: with Redis down, search without it instead of failing."""
    try:
        return operation(*args, **kwargs)
    except RedisError as error:
        log.warning("search cache unavailable: %s", error)
        return None


def page_of(result: SearchResult, args: dict[str, Any]) -> tuple[list[Entry], str | None]:
    """One page of the result, in rank order, and the next page's cursor (the rank position
    of the last item, validated like every cursor: a forged one is a 422)."""
    page = paginate_sequence(list(enumerate(result.ids)), lambda pair: pair[0], int, args)
    entries = snapshot(result.revision).entries
    return [entries[i] for _, i in page.items if i in entries], page.next_cursor


def search_page(
    args: dict[str, Any], language: str, cache_seconds: int, record: bool
) -> dict[str, Any]:
    """The API's page: ``items``, ``next_cursor``, ``total`` and ``facets``; the first page of
    a citizen's query is counted in the search log when ``record``."""
    query = args.get("q", "")
    filters = {name: args[name] for name in FACETS if name in args}
    result = search(query, filters, cache_seconds)
    procedures, next_cursor = page_of(result, args)
    page = {
        "items": [summary(p, language) for p in procedures],
        "next_cursor": next_cursor,
        "total": result.total,
        "facets": result.facets,
    }
    if record and "cursor" not in args:
        record_search(query, result.total)
    return page
