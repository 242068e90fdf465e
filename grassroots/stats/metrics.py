"""Metrics with stable keys, each with its exact definition, over a unit's whole subtree and
a period of days (both ends included, local time).

Every figure is counted from recorded work — cases, activities, research, postings,
links — never typed in. Case figures come from the rollups kept as work happens (``stats.reading``);
the rest count from their own tables through subtree-and-time indexes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.cases.models import Case
from grassroots.org.models import Posting, Unit
from grassroots.org.paths import within_q
from grassroots.stats import activity_days


@dataclass(frozen=True)
class Period:
    unit: Unit
    start: date
    end: date
    # Figures several metrics share (the rollup sums, the research totals), computed once.
    memo: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def once(self, name: str, make: Callable[[], Any]) -> Any:
        if name not in self.memo:
            self.memo[name] = make()
        return self.memo[name]

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def between(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.since, f"{field}__lt": self.until})

    def cases(self) -> Any:
        return Case.objects.filter(within_q("unit_path", [self.unit.path]))


@dataclass(frozen=True)
class Metric:
    key: str
    label: Any
    definition: str
    compute: Callable[[Period], float | int]


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _days(p: Period) -> dict[str, int]:
    """The case counters of the period from the rollups, after folding what is new: one
    fold and one aggregate per period, whichever metrics ask."""
    from grassroots.stats.models import COUNTERS
    from grassroots.stats.reading import sums

    def make() -> dict[str, int]:
        return sums(p.unit, p.start, p.end, None, COUNTERS)[None]

    result: dict[str, int] = p.once("days", make)
    return result


def _activity(p: Period) -> dict[str, int]:
    """Every activity figure of the period, from the unit's own day rows (``activity_days``)."""

    def make() -> dict[str, int]:
        return activity_days.sums(p.unit.path, p.start, p.end)

    result: dict[str, int] = p.once("activity", make)
    return result


def _open(p: Period) -> dict[str, int]:
    """The open-case figures in one pass over the subtree's open cases (their own index)."""
    from grassroots.cases.deadlines import backlog_cutoff

    def make() -> dict[str, int]:
        # Counting a column of the index (not the key) lets the count stay in the index.
        totals = (
            p.cases()
            .open()
            .aggregate(
                open=Count("unit_path", filter=Q(registered_at__lt=p.until)),
                overdue=Count("unit_path", filter=Q(current_due_at__lt=clock.now())),
                backlog=Count("unit_path", filter=Q(handling_due_at__lt=backlog_cutoff())),
            )
        )
        return {key: int(value or 0) for key, value in totals.items()}

    result: dict[str, int] = p.once("open", make)
    return result


def _research(p: Period) -> dict[str, int]:
    result: dict[str, int] = p.once("research", lambda: _research_totals(p))
    return result


def _research_totals(p: Period) -> dict[str, int]:
    from grassroots.research.models import ResearchPlan
    from grassroots.research.services import progress_of

    plans = ResearchPlan.objects.filter(within_q("unit_path", [p.unit.path]), starts_on__lte=p.end).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=p.start)
    )
    totals: dict[str, int] = {}
    for figures in progress_of(list(plans.values_list("pk", flat=True))).values():
        for key, value in figures.items():
            totals[key] = totals.get(key, 0) + value
    return totals


def _linkage(p: Period, kind: str) -> float:
    from grassroots.linkage.models import LinkagePolicy
    from grassroots.linkage.services import coverage

    covered = total = 0
    for policy in LinkagePolicy.objects.filter(within_q("unit__path", [p.unit.path]), is_active=True):
        result = coverage(policy)
        covered += result.villages_covered if kind == "villages" else result.enterprises_covered
        total += result.villages_total if kind == "villages" else result.enterprises_total
    return _pct(covered, total) if total else 0.0


def _measures(p: Period) -> int:
    from grassroots.research.models import Measure

    return int(
        Measure.objects.filter(
            within_q("unit_path", [p.unit.path]), adopted_on__gte=p.start, adopted_on__lte=p.end
        ).count()
    )


def _rate(part: str, *whole: str) -> Callable[[Period], float]:
    def rate(p: Period) -> float:
        days = _days(p)
        return _pct(days[part] if part else 0, sum(days[w] for w in whole))

    return rate


def _triage_hits(p: Period) -> float:
    days = _days(p)
    return _pct(days["suggestion_taken"], days["suggested"])


def _rate_response(p: Period) -> float:
    days = _days(p)
    return _pct(days["accepted"] + days["declined"], days["received"])


METRICS: dict[str, Metric] = {
    m.key: m
    for m in [
        Metric(
            "receptions.batches",
            _("batches received"),
            "Sum of batches of held reception days, down-visits and on-site office sessions that started in the "
            "period; each intake is one batch, a group visit included.",
            lambda p: _activity(p)["reception_batches"],
        ),
        Metric(
            "receptions.persons",
            _("persons received"),
            "Sum of persons of the same activities: every person of a group visit counts.",
            lambda p: _activity(p)["reception_persons"],
        ),
        Metric(
            "visits.count",
            _("face-to-face visits"),
            "Held down-visits and door-to-door visits that started in the period.",
            lambda p: _activity(p)["visits"],
        ),
        Metric(
            "cases.received", _("cases received"), "Cases registered in the period.", lambda p: _days(p)["received"]
        ),
        Metric("cases.accepted", _("cases accepted"), "Cases accepted in the period.", lambda p: _days(p)["accepted"]),
        Metric(
            "cases.resolved",
            _("cases resolved"),
            "Cases resolved in the period (and not reopened since).",
            lambda p: _days(p)["resolved"],
        ),
        Metric(
            "cases.closed",
            _("cases closed"),
            "Cases closed in the period, with or without the resident's verdict.",
            lambda p: _days(p)["closed"],
        ),
        Metric(
            "cases.open",
            _("cases open"),
            "Cases registered by the end of the period and open now.",
            lambda p: _open(p)["open"],
        ),
        Metric(
            "cases.overdue",
            _("cases overdue"),
            "Open cases past the deadline of their current stage, now.",
            lambda p: _open(p)["overdue"],
        ),
        Metric(
            "backlog.open",
            _("backlog cases open"),
            "Open cases past their handling deadline by more than BACKLOG_THRESHOLD_DAYS, now.",
            lambda p: _open(p)["backlog"],
        ),
        Metric(
            "backlog.resolved",
            _("backlog cases resolved"),
            "Cases resolved in the period that were backlog cases.",
            lambda p: _days(p)["backlog_resolved"],
        ),
        Metric(
            "difficult.resolved",
            _("difficult and complex cases resolved"),
            "Cases flagged difficult and complex, resolved in the period.",
            lambda p: _days(p)["difficult_resolved"],
        ),
        Metric(
            "urgent.resolved",
            _("urgent cases resolved"),
            "Cases flagged urgent, resolved in the period.",
            lambda p: _days(p)["urgent_resolved"],
        ),
        Metric(
            "grid_meetings.count",
            _("grid meetings"),
            "Grid meetings held in the period.",
            lambda p: _activity(p)["grid_meetings"],
        ),
        Metric(
            "outreach.events",
            _("outreach events"),
            "Lectures, policy explanations and technical guidance held.",
            lambda p: _activity(p)["outreach"],
        ),
        Metric(
            "outreach.audience",
            _("outreach audience"),
            "Persons reached by those events.",
            lambda p: _activity(p)["outreach_audience"],
        ),
        Metric(
            "research.aspects",
            _("research aspects"),
            "Aspects of research plans running in the period.",
            lambda p: _research(p).get("aspects", 0),
        ),
        Metric(
            "research.topics", _("research topics"), "Topics of those plans.", lambda p: _research(p).get("topics", 0)
        ),
        Metric(
            "research.problems",
            _("problems found by research"),
            "Problems found under those topics.",
            lambda p: _research(p).get("problems", 0),
        ),
        Metric(
            "research.problems_solved",
            _("research problems solved"),
            "Of those, marked solved or with their case resolved or closed.",
            lambda p: _research(p).get("problems_solved", 0),
        ),
        Metric("research.measures", _("measures adopted"), "Measures adopted in the period (any source).", _measures),
        Metric(
            "postings.cadres",
            _("cadres stationed in villages"),
            "Distinct people with a posting to a village of the subtree overlapping the period.",
            lambda p: (
                Posting.objects.filter(within_q("village__path", [p.unit.path]), started_on__lte=p.end)
                .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=p.start))
                .values("person")
                .distinct()
                .count()
            ),
        ),
        Metric(
            "linkage.villages_covered_pct",
            _("villages covered by linkage (%)"),
            "Villages covered over villages to cover, over the active linkage policies of the subtree, now.",
            lambda p: _linkage(p, "villages"),
        ),
        Metric(
            "linkage.enterprises_covered_pct",
            _("enterprises covered by linkage (%)"),
            "Likewise for enterprises.",
            lambda p: _linkage(p, "enterprises"),
        ),
        Metric(
            "rate.response",
            _("response rate (%)"),
            "Cases accepted or declined in the period over cases received in the period.",
            _rate_response,
        ),
        Metric(
            "rate.on_time",
            _("on-time rate (%)"),
            "Of cases resolved in the period with a handling deadline, the share resolved by it.",
            _rate("on_time", "timed"),
        ),
        Metric(
            "rate.resolution",
            _("resolution rate (%)"),
            "Cases resolved in the period over cases accepted in the period.",
            _rate("resolved", "accepted"),
        ),
        Metric(
            "rate.satisfaction",
            _("satisfaction rate (%)"),
            "Of the residents' verdicts given in the period (each case's latest), the share satisfied or basically "
            "satisfied; an unsatisfied verdict reopens its case and counts against the rate until a later one.",
            _rate("satisfied", "judged"),
        ),
        Metric(
            "rate.triage_hits",
            _("category suggestions taken (%)"),
            "Of cases registered in the period whose category staff chose, the share where they chose the first "
            "category suggested at intake.",
            _triage_hits,
        ),
    ]
}


def compute(unit: Unit, start: date, end: date, keys: list[str] | None = None) -> dict[str, float | int]:
    period = Period(unit, start, end)
    return {key: METRICS[key].compute(period) for key in (keys or list(METRICS))}


def default_period() -> tuple[date, date]:
    today = clock.today()
    return today.replace(month=1, day=1), today
