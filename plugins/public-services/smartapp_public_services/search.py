"""Procedure search: Vietnamese-aware query parsing, full-text matching, ranking and facets.

One pipeline on both databases:

1. the query is folded (``text.fold``) and parsed into groups of alternatives — a word, its
   abbreviation expansions (:data:`text.ABBREVIATIONS`), its spelling corrections against the
   indexed vocabulary (rapidfuzz, one edit; two for long words), the two words it splits into
   when a space is missing, or, for the last word, a prefix;
2. the database's full-text index finds the procedures matching every group, with its own
   weighted score (SQLite: bm25 over the FTS5 table ``public_services_procedures_fts``;
   PostgreSQL: ``ts_rank`` of the name and keywords, the GIN-indexed generated tsvector
   ``search_vector`` finding the matches), falling back to any group when few match them all;
3. the best :data:`CANDIDATES` by that score are ranked in Python, identically on both
   databases: groups found in the name or keywords first, then how much of the name the
   query covers, then the database's score, then code; the other matches follow in score
   order (they count in the total and the facets, and can be paged through);
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
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
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
from .searchlog import record_search
from .text import ABBREVIATION_WORDS, ABBREVIATIONS, fold, words

log = logging.getLogger(__name__)

FACETS = ("field", "level", "online_level", "agency")
#: the database counter every change to procedures bumps (see :func:`procedures_changed`)
REVISION = "public-services.procedures"
RESULT_KEY = "public-services:search:{revision}:{digest}"
MAX_CORRECTIONS = 3
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


# -- vocabulary ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Vocabulary:
    """Every indexed word with the number of procedures that contain it."""

    frequency: dict[str, int]
    words: tuple[str, ...]

    @classmethod
    def of(cls, documents: Iterable[str]) -> Vocabulary:
        frequency: Counter[str] = Counter()
        for document in documents:
            frequency.update(set(document.split()))
        return cls(dict(frequency), tuple(frequency))

    def __contains__(self, word: str) -> bool:
        return word in self.frequency

    def corrections(self, word: str) -> list[str]:
        """The indexed words closest to ``word`` (one edit; two for words of 8+ letters),
        most frequent first. Words under four letters are left alone: one edit away from a
        Vietnamese syllable of three letters is a dozen other syllables."""
        if len(word) < 4 or word.isdigit():
            return []
        limit = 2 if len(word) >= 8 else 1
        found = process.extract(word, self.words, scorer=Levenshtein.distance,
                                score_cutoff=limit, limit=None)
        if not found:
            return []
        best = min(distance for _, distance, _ in found)
        closest = [candidate for candidate, distance, _ in found if distance == best]
        closest.sort(key=lambda candidate: -self.frequency[candidate])
        return closest[:MAX_CORRECTIONS]

    def splits(self, word: str) -> list[tuple[str, str]]:
        """Two indexed words ``word`` is made of when a space was left out (``dangky``)."""
        return [(word[:i], word[i:]) for i in range(1, len(word))
                if word[:i] in self.frequency and word[i:] in self.frequency]


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
    keywords: frozenset[str]
    #: the words of the name and keywords
    prominent: frozenset[str]
    #: the name and each keyword phrase, one a line, padded for whole-phrase look-ups
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
        select(Procedure.id, Procedure.code, Procedure.name, Procedure.name_en,
               Procedure.field, Procedure.level, Procedure.online_level, Procedure.agency,
               Procedure.search_name, Procedure.search_keywords, Procedure.search_body)
        .where(Procedure.retired_at.is_(None))
    ).all()
    entries = {}
    for row in rows:
        keywords = row.search_keywords.split("\n") if row.search_keywords else []
        name_words = tuple(row.search_name.split())
        entries[row.id] = Entry(
            row.id, row.code, row.name, row.name_en, row.field, row.level, row.online_level,
            row.agency, name_words, row.search_name.removeprefix("thu tuc "), frozenset(keywords),
            frozenset(name_words).union(*(k.split() for k in keywords)),
            "".join(f" {line} \n" for line in [row.search_name, *keywords]),
        )
    built = Snapshot(
        revision,
        Vocabulary.of(f"{r.search_name} {r.search_keywords} {r.search_body}" for r in rows),
        entries,
        {e.code: e.id for e in entries.values()},
        tuple(sorted(entries, key=lambda i: (entries[i].name_words, entries[i].code))),
    )
    with _snapshot_lock:
        _snapshots[app] = built
    return built


# -- parsing ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Alternative:
    """Words that must all occur; with ``prefix``, the last one may be the start of a word."""

    words: tuple[str, ...]
    prefix: bool = False


Group = tuple[Alternative, ...]


@dataclass(frozen=True)
class ParsedQuery:
    groups: list[Group]
    #: words left out because nothing indexed can match them
    unmatched: int

    @property
    def size(self) -> int:
        """How many things the citizen asked for: the groups and the unmatched words."""
        return len(self.groups) + self.unmatched


def parse(query: str, known: Vocabulary) -> ParsedQuery:
    """The query's groups, in order; a word nothing can match is left out (and counted)."""
    tokens = words(query)
    groups: list[Group] = []
    unmatched = 0
    position = 0
    while position < len(tokens):
        for size in range(min(ABBREVIATION_WORDS, len(tokens) - position), 0, -1):
            key = " ".join(tokens[position:position + size])
            if key in ABBREVIATIONS:
                original = tuple(tokens[position:position + size])
                alternatives = [Alternative(original)] if all(w in known for w in original) else []
                alternatives += [Alternative(tuple(e.split())) for e in ABBREVIATIONS[key]]
                groups.append(tuple(alternatives))
                position += size
                break
        else:
            last = position == len(tokens) - 1
            if group := _word_group(tokens[position], known, last):
                groups.append(group)
            else:
                unmatched += 1
            position += 1
    return ParsedQuery(groups, unmatched)


def _word_group(word: str, known: Vocabulary, last: bool) -> Group:
    if word in known:
        return (Alternative((word,)),)
    alternatives = [Alternative((c,)) for c in known.corrections(word)]
    alternatives += [Alternative(pair) for pair in known.splits(word)]
    if last and len(word) >= 2:
        alternatives.append(Alternative((word,), prefix=True))
    return tuple(alternatives)


def fts5_query(groups: Sequence[Group], operator: str) -> str:
    """The FTS5 MATCH expression; every word is quoted, so none is read as an operator."""
    def alternative(alt: Alternative) -> str:
        quoted = [f'"{w}"' for w in alt.words]
        if alt.prefix:
            quoted[-1] += "*"
        return "(" + " AND ".join(quoted) + ")"

    return f" {operator} ".join("(" + " OR ".join(map(alternative, g)) + ")" for g in groups)


def tsquery(groups: Sequence[Group], operator: str) -> str:
    """The ``to_tsquery('simple', …)`` text (folded words are plain ``[a-z0-9]+``)."""
    def alternative(alt: Alternative) -> str:
        parts = list(alt.words)
        if alt.prefix:
            parts[-1] += ":*"
        return "(" + " & ".join(parts) + ")"

    joiner = " & " if operator == "AND" else " | "
    return joiner.join("(" + " | ".join(map(alternative, g)) + ")" for g in groups)


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


def _matches(groups: Sequence[Group], operator: str, phrase: str, known: Snapshot,
             candidates: int) -> tuple[list[Match], list[Entry]]:
    """The best ``candidates`` matches by the database's score, ranked; and the other
    matches, in score order (not ranked: on a broad query they are hundreds)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        statement, query = SQLITE_MATCH, fts5_query(groups, operator)
    elif dialect == "postgresql":
        statement, query = POSTGRESQL_MATCH, tsquery(groups, operator)
    else:
        raise RuntimeError(f"procedure search supports SQLite and PostgreSQL, not {dialect}")
    rows = db.session.execute(statement, {"query": query}).all()
    # best first; retired procedures are not in the snapshot
    scored = [(score, entry) for procedure_id, score in rows
              if (entry := known.entries.get(procedure_id))]
    ranking = _Ranking(groups, phrase)
    return ([ranking.match(entry, score) for score, entry in scored[:candidates]],
            [entry for _, entry in scored[candidates:]])


class _Ranking:
    """The ranking key of a query's matches, best first: the query is the name or one of the
    keywords exactly; how many of its groups are in the name or keywords; it occurs as a
    phrase there; how much of the name it covers; the database's weighted score (name over
    keywords over the rest). Runs once per match, so the query's side is prepared once."""

    def __init__(self, groups: Sequence[Group], phrase: str) -> None:
        self.phrase = phrase
        self.padded = f" {phrase} "
        self.query_words = frozenset(w for g in groups for alt in g for w in alt.words)
        # most groups are single whole words: one set test each
        self.simple = [frozenset(alt.words[0] for alt in g) for g in groups
                       if all(len(alt.words) == 1 and not alt.prefix for alt in g)]
        self.complex = [g for g in groups
                        if not all(len(alt.words) == 1 and not alt.prefix for alt in g)]

    def match(self, entry: Entry, score: float) -> Match:
        words = entry.prominent
        prominent = sum(not words.isdisjoint(g) for g in self.simple) + sum(
            any(_found(alt, words) for alt in g) for g in self.complex)
        exact = self.phrase in entry.keywords or self.phrase == entry.bare_name
        coverage = sum(map(self.query_words.__contains__, entry.name_words)) / max(
            len(entry.name_words), 1)
        key = (-exact, -prominent, -(self.padded in entry.phrases), -round(coverage, 3),
               -round(score, 6), entry.code)
        return Match(entry, key, prominent)


def _found(alternative: Alternative, words_of_document: frozenset[str]) -> bool:
    *whole, last = alternative.words
    if not all(w in words_of_document for w in whole):
        return False
    if alternative.prefix:
        return any(w.startswith(last) for w in words_of_document)
    return last in words_of_document


def find(query: str, known: Snapshot, candidates: int = CANDIDATES) -> list[Entry]:
    """Every active procedure matching ``query``, best first (all, by name, when empty); the
    best ``candidates`` by the database's score are ranked, the others follow."""
    if not fold(query):
        return [known.entries[i] for i in known.by_name]
    parsed = parse(query, known.vocabulary)
    groups, phrase = parsed.groups, fold(query)
    ranked: list[Match] = []
    rest: list[Entry] = []
    if groups:
        ranked, rest = _matches(groups, "AND", phrase, known, candidates)
        if len(ranked) < FEW_MATCHES and parsed.size > 1:
            # citizens add words the catalog does not use ("cho bé mới sinh"): rank along
            # the procedures whose name or keywords hold at least half of the words
            having_all = {m.entry.id for m in ranked}
            some, _ = _matches(groups, "OR", phrase, known, candidates)
            ranked += [m for m in some
                       if m.entry.id not in having_all and 2 * m.prominent >= parsed.size]
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


def filtered(entries: Iterable[Entry], filters: dict[str, str]
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
        name: dict(Counter(map(attrgetter(name), passing + failing_only.get(name, [])))
                   .most_common())
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
    digest = hashlib.sha1(json.dumps([fold(query), query.strip(), sorted(filters.items())])
                          .encode()).hexdigest()
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


def search_page(args: dict[str, Any], language: str, cache_seconds: int, record: bool
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
