"""The dashboard's figures: the IOC service's answer, shaped into numbers and charts.

Each utility answers ``ioc_metrics`` with its own mapping; a number is shown as a figure,
a mapping of numbers (``{"field": count}``) or a list of one-label-one-number records
(``[{"query": …, "searches": 3}]``) as a bar chart with the same data as a table. A
``today`` and a ``this_month`` mapping of numbers are the period's figures, shown side by
side in the dashboard's "today and this month" section.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Chart:
    name: str
    labels: list[str]
    values: list[float]

    @property
    def data(self) -> dict[str, Any]:
        """What ``console.js`` draws, from the canvas's ``data-chart`` attribute."""
        return {"label": self.name, "labels": self.labels, "values": self.values}


@dataclass
class FigureGroup:
    name: str
    numbers: list[tuple[str, float]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


PERIODS = ("today", "this_month")
NO_NAMES: Mapping[str, str] = {}


@dataclass(frozen=True)
class PeriodTable:
    """A utility's figures of today and of this month, by figure name."""

    name: str
    rows: list[tuple[str, float, float]]

    @property
    def chart(self) -> Chart:
        """This month's figures, to draw."""
        return Chart(self.name, [row[0] for row in self.rows], [row[2] for row in self.rows])


def period_table(
    name: str, figures: Mapping[str, Any], names: Mapping[str, str] = NO_NAMES
) -> PeriodTable | None:
    """The ``today`` and ``this_month`` figures of ``figures``; ``None`` without both."""
    today, month = figures.get("today"), figures.get("this_month")
    if not isinstance(today, Mapping) or not isinstance(month, Mapping):
        return None
    keys = [key for key in dict.fromkeys([*today, *month]) if key]
    rows = [
        (names.get(key, key), today.get(key, 0), month.get(key, 0))
        for key in keys
        if _number(today.get(key, 0)) and _number(month.get(key, 0))
    ]
    return PeriodTable(name, rows) if rows else None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_chart(key: str, path: str, value: Any, names: Mapping[str, str]) -> Chart | None:
    name = names.get(path, key)
    if isinstance(value, Mapping) and value and all(_number(v) for v in value.values()):
        labels = [names.get(f"{path}.{k}", str(k)) for k in value]
        return Chart(name, labels, list(value.values()))
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        pairs = []
        for record in value:
            texts = [v for v in record.values() if isinstance(v, str)]
            numbers = [v for v in record.values() if _number(v)]
            if len(texts) != 1 or len(numbers) != 1:
                return None
            pairs.append((texts[0], numbers[0]))
        return Chart(name, [label for label, _ in pairs], [number for _, number in pairs])
    return None


def group(
    name: str, figures: Mapping[str, Any], names: Mapping[str, str] = NO_NAMES, prefix: str = ""
) -> FigureGroup:
    """One utility's (or the core's) figures; values of other shapes are left out. ``names``
    gives a key's path (``satisfaction.average``) a name in the console's language."""
    result = FigureGroup(name)
    for key, value in figures.items():
        path = prefix + key
        if key in PERIODS:  # shown by period_table
            continue
        if _number(value):
            result.numbers.append((names.get(path, path), value))
        elif (chart := _as_chart(key, path, value, names)) is not None:
            result.charts.append(chart)
        elif isinstance(value, Mapping):
            nested = group(key, value, names, f"{path}.")
            result.numbers += nested.numbers
            result.charts += nested.charts
    return result
