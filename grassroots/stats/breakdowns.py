"""Case figures of a subtree and period broken down by child unit, category, channel or
month — all from the day rollups, one grouped query each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Sum
from django.db.models.functions import Substr, TruncMonth

from grassroots.cases.choices import Channel
from grassroots.cases.models import Category
from grassroots.org.models import Unit
from grassroots.org.paths import SEGMENT_WIDTH, within_q
from grassroots.stats.models import COUNTERS, CaseDay
from grassroots.stats.rollups import fold_all

DIMENSIONS = ("child", "category", "channel", "month")


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    value: int


def breakdown(unit: Unit, start: date, end: date, by: str, counter: str = "received") -> list[Row]:
    if by not in DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}")
    if counter not in COUNTERS:
        raise ValueError(f"unknown counter {counter!r}")
    fold_all()
    days = CaseDay.objects.filter(within_q("unit_path", [unit.path]), day__gte=start, day__lte=end)
    if by == "child":
        # The first path segment below the unit names the child each bucket falls under.
        grouped: Any = days.annotate(child=Substr("unit_path", 1, len(unit.path) + SEGMENT_WIDTH)).values("child")
        sums = {r["child"]: r["n"] for r in grouped.annotate(n=Sum(counter)).order_by()}
        children = Unit.objects.filter(parent=unit).order_by("path")
        return sorted((Row(c.code, c.label, int(sums.get(c.path) or 0)) for c in children), key=lambda r: -r.value)
    if by == "category":
        sums = {r["category_key"]: r["n"] for r in days.values("category_key").annotate(n=Sum(counter)).order_by()}
        names = {c.pk: c for c in Category.objects.filter(pk__in=[k for k in sums if k]).select_related("parent")}
        rows = [
            Row(names[k].code if k in names else "", names[k].full_label if k in names else "—", int(v or 0))
            for k, v in sums.items()
        ]
        return sorted(rows, key=lambda r: -r.value)
    if by == "channel":
        sums = {r["channel"]: r["n"] for r in days.values("channel").annotate(n=Sum(counter)).order_by()}
        labels = dict(Channel.choices)
        return sorted((Row(k, str(labels.get(k, k)), int(v or 0)) for k, v in sums.items()), key=lambda r: -r.value)
    months = days.annotate(month=TruncMonth("day")).values("month").annotate(n=Sum(counter)).order_by("month")
    return [Row(f"{r['month']:%Y-%m}", f"{r['month']:%Y-%m}", int(r["n"] or 0)) for r in months]
