"""A citizen's query, parsed into groups of alternatives against the indexed vocabulary, and
written as the databases' full-text queries (see :mod:`.search` for the whole pipeline)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .text import ABBREVIATION_WORDS, ABBREVIATIONS, words

MAX_CORRECTIONS = 3


@dataclass(frozen=True)
class Vocabulary:
    """Every indexed word with the number of procedures that contain it, and which words stand
    side by side in the names and keywords."""

    frequency: dict[str, int]
    words: tuple[str, ...]
    #: a word of a name or keyword → the words that follow it there
    followers: dict[str, frozenset[str]]
    #: a word of a name or keyword → the words that come before it there
    leaders: dict[str, frozenset[str]]

    @classmethod
    def of(cls, documents: Iterable[str], phrases: Iterable[str]) -> Vocabulary:
        frequency: Counter[str] = Counter()
        for document in documents:
            frequency.update(set(document.split()))
        followers: dict[str, set[str]] = {}
        leaders: dict[str, set[str]] = {}
        for phrase in phrases:
            phrase_words = phrase.split()
            for first, second in pairwise(phrase_words):
                followers.setdefault(first, set()).add(second)
                leaders.setdefault(second, set()).add(first)
        return cls(
            dict(frequency),
            tuple(frequency),
            {w: frozenset(f) for w, f in followers.items()},
            {w: frozenset(f) for w, f in leaders.items()},
        )

    def __contains__(self, word: str) -> bool:
        return word in self.frequency

    def together(self, first: str, second: str) -> bool:
        """Whether ``first second`` occurs in a name or keyword."""
        return second in self.followers.get(first, ())

    def corrections(
        self, word: str, before: str | None = None, after: str | None = None
    ) -> list[str]:
        """The indexed words closest to ``word`` (one edit; two for words of 8+ letters),
        those that stand beside a neighbouring word of the query in some name first, most
        frequent first. A word under four letters is corrected only into such a neighbour:
        one edit away from a Vietnamese syllable of three letters is a dozen other syllables,
        but after ``khai`` only ``sinh`` is one edit from ``snh``."""
        if len(word) < 2 or word.isdigit():
            return []
        limit = 2 if len(word) >= 8 else 1
        beside = self.followers.get(before, frozenset()) if before else frozenset()
        if after:
            beside = beside | self.leaders.get(after, frozenset())
        fitting = [c for c in beside if OSA.distance(word, c, score_cutoff=limit) <= limit]
        if fitting:
            fitting.sort(key=lambda c: (OSA.distance(word, c), -self.frequency.get(c, 0)))
            return fitting[:MAX_CORRECTIONS]
        if len(word) < 4:
            return []
        found = process.extract(
            word, self.words, scorer=OSA.distance, score_cutoff=limit, limit=None
        )
        if not found:
            return []
        best = min(distance for _, distance, _ in found)
        closest = [candidate for candidate, distance, _ in found if distance == best]
        closest.sort(key=lambda candidate: -self.frequency[candidate])
        return closest[:MAX_CORRECTIONS]

    def splits(self, word: str) -> list[tuple[str, str]]:
        """Two indexed words ``word`` is made of when a space was left out (``dangky``)."""
        return [
            (word[:i], word[i:])
            for i in range(1, len(word))
            if word[:i] in self.frequency and word[i:] in self.frequency
        ]


@dataclass(frozen=True)
class Alternative:
    """Words that must all occur; with ``prefix``, the last one may be the start of a word;
    with ``phrase``, they must stand side by side, in this order."""

    words: tuple[str, ...]
    prefix: bool = False
    phrase: bool = False


Group = tuple[Alternative, ...]


@dataclass(frozen=True)
class ParsedQuery:
    groups: list[Group]
    #: how many of the query's words each group stands for
    weights: list[int]
    #: words left out because nothing indexed can match them
    unmatched: int

    @property
    def size(self) -> int:
        """How many words the citizen typed that count: the groups' and the unmatched."""
        return sum(self.weights) + self.unmatched


def parse(query: str, known: Vocabulary) -> ParsedQuery:
    """The query's groups, in order; a word nothing can match is left out (and counted)."""
    tokens = words(query)
    groups: list[Group] = []
    weights: list[int] = []
    unmatched = 0
    position = 0
    while position < len(tokens):
        if (abbreviation := _abbreviation_at(tokens, position, known)) is not None:
            group, size = abbreviation
        elif pair := _pair_at(tokens, position, known):
            group, size = pair, 2
        else:
            before = tokens[position - 1] if position else None
            after = tokens[position + 1] if position + 1 < len(tokens) else None
            group, size = _word_group(tokens[position], known, before, after), 1
        if group:
            groups.append(group)
            weights.append(size)
        else:
            unmatched += size
        position += size
    return ParsedQuery(groups, weights, unmatched)


def _abbreviation_at(
    tokens: list[str], position: int, known: Vocabulary
) -> tuple[Group, int] | None:
    """The longest abbreviation starting at ``position``, and how many words it takes."""
    for size in range(min(ABBREVIATION_WORDS, len(tokens) - position), 0, -1):
        key = " ".join(tokens[position : position + size])
        if key in ABBREVIATIONS:
            original = tuple(tokens[position : position + size])
            alternatives = [Alternative(original)] if all(w in known for w in original) else []
            alternatives += [Alternative(tuple(e.split())) for e in ABBREVIATIONS[key]]
            return tuple(alternatives), size
    return None


def _pair_at(tokens: list[str], position: int, known: Vocabulary) -> Group:
    """The two words at ``position`` as one group, when they stand together in some name or
    keyword (the second one possibly mistyped: ``khai snh``)."""
    if position + 1 >= len(tokens) or tokens[position] not in known:
        return ()
    if _abbreviation_at(tokens, position + 1, known) is not None:
        return ()
    first, second = tokens[position], tokens[position + 1]
    if second not in known:
        after = tokens[position + 2] if position + 2 < len(tokens) else None
        fitting = [c for c in known.corrections(second, first, after) if known.together(first, c)]
        return tuple(Alternative((first, c), phrase=True) for c in fitting)
    return (Alternative((first, second), phrase=True),) if known.together(first, second) else ()


def _word_group(word: str, known: Vocabulary, before: str | None, after: str | None) -> Group:
    if word in known:
        return (Alternative((word,)),)
    alternatives = [Alternative((c,)) for c in known.corrections(word, before, after)]
    alternatives += [Alternative(pair) for pair in known.splits(word)]
    if after is None and len(word) >= 2:
        alternatives.append(Alternative((word,), prefix=True))
    return tuple(alternatives)


def fts5_query(groups: Sequence[Group], operator: str) -> str:
    """The FTS5 MATCH expression; every word is quoted, so none is read as an operator."""

    def alternative(alt: Alternative) -> str:
        if alt.phrase:
            return '("' + " ".join(alt.words) + '")'
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
        return "(" + (" <-> " if alt.phrase else " & ").join(parts) + ")"

    joiner = " & " if operator == "AND" else " | "
    return joiner.join("(" + " | ".join(map(alternative, g)) + ")" for g in groups)
