"""Case figures of a subtree and period broken down by child unit, category, channel or
month — from the rollups (see ``stats.reading``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from grassroots.cases.choices import Channel
from grassroots.cases.models import Category
from grassroots.org.models import Unit
from grassroots.stats.models import COUNTERS
from grassroots.stats.reading import sums

DIMENSIONS = ("child", "category", "channel", "month")


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    value: int


@dataclass(frozen=True)
class Rows:
    """One group of a breakdown with several counters at once."""

    key: str
    label: str
    values: dict[str, int]


def breakdown(unit: Unit, start: date, end: date, by: str, counter: str = "received") -> list[Row]:
    return [Row(r.key, r.label, r.values[counter]) for r in breakdown_of(unit, start, end, by, (counter,))]


def breakdown_of(unit: Unit, start: date, end: date, by: str, counters: tuple[str, ...]) -> list[Rows]:
    """The groups with every counter asked for, from one pass over the rollups; sorted by
    the first counter, largest first (months in calendar order)."""
    if by not in DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}")
    if unknown := [c for c in counters if c not in COUNTERS]:
        raise ValueError(f"unknown counter {unknown[0]!r}")
    values = sums(unit, start, end, by, counters)
    zero = dict.fromkeys(counters, 0)

    def largest_first(rows: list[Rows]) -> list[Rows]:
        return sorted(rows, key=lambda r: -r.values[counters[0]])

    if by == "child":
        children = Unit.objects.filter(parent=unit).order_by("path")
        return largest_first([Rows(c.code, c.label, values.get(c.pk, zero)) for c in children])
    if by == "category":
        names = {c.pk: c for c in Category.objects.filter(pk__in=[k for k in values if k]).select_related("parent")}
        return largest_first(
            [
                Rows(
                    names[k].code if k in names else "",
                    names[k].full_label if k in names else str(_("Not yet classified")),
                    v,
                )
                for k, v in values.items()
            ]
        )
    if by == "channel":
        labels = dict(Channel.choices)
        return largest_first([Rows(k, str(labels.get(k, k)), v) for k, v in values.items()])
    return [Rows(f"{m:%Y-%m}", f"{m:%Y-%m}", values[m]) for m in sorted(values)]
