"""Folding the timeline into the rollups, and rebuilding them from scratch."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from grassroots.cases.choices import Feedback
from grassroots.cases.models import Case, CaseEvent
from grassroots.stats.models import COUNTERS, CaseDay, CaseFact, Watermark

Key = tuple[int, str, date, int, str, str]  # unit_id, unit_path, day, category, channel, kind


def _day(moment: Any) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def fact_of(case: Case) -> CaseFact:
    resolved = case.resolved_at is not None
    on_time = None
    if case.resolved_at is not None and case.handling_due_at is not None:
        on_time = case.resolved_at <= case.handling_due_at
    return CaseFact(
        case_id=case.pk,
        unit_id=case.unit_id,
        unit_path=case.unit_path,
        category_key=case.category_id or 0,
        channel=case.channel,
        kind=case.kind,
        received_on=timezone.localtime(case.registered_at).date(),
        accepted_on=_day(case.accepted_at),
        declined_on=_day(case.closed_at) if case.state in ("declined", "not_reaccepted") else None,
        resolved_on=_day(case.resolved_at),
        closed_on=_day(case.closed_at) if case.state == "closed" else None,
        backlog=resolved and case.was_backlog,
        difficult=resolved and case.is_difficult,
        urgent=resolved and case.is_urgent,
        on_time=on_time,
        satisfied=(case.feedback in (Feedback.SATISFIED, Feedback.BASICALLY_SATISFIED))
        if case.state == "closed" and case.feedback
        else None,
    )


def _contribution(fact: CaseFact, sign: int, into: dict[Key, dict[str, int]]) -> None:
    base = (fact.unit_id, fact.unit_path)
    rest = (fact.category_key, fact.channel, fact.kind)

    def add(day: date | None, **counts: int) -> None:
        if day is None:
            return
        bucket = into[(*base, day, *rest)]
        for name, n in counts.items():
            bucket[name] += sign * n

    add(fact.received_on, received=1)
    add(fact.accepted_on, accepted=1)
    add(fact.declined_on, declined=1)
    add(
        fact.resolved_on,
        resolved=1,
        backlog_resolved=int(fact.backlog),
        difficult_resolved=int(fact.difficult),
        urgent_resolved=int(fact.urgent),
        timed=int(fact.on_time is not None),
        on_time=int(bool(fact.on_time)),
    )
    add(fact.closed_on, closed=1, judged=int(fact.satisfied is not None), satisfied=int(bool(fact.satisfied)))


def _apply(deltas: dict[Key, dict[str, int]]) -> None:
    for (unit_id, unit_path, day, category, channel, kind), counts in deltas.items():
        changed = {k: v for k, v in counts.items() if v}
        if not changed:
            continue
        key = {"unit_id": unit_id, "day": day, "category_key": category, "channel": channel, "kind": kind}
        bucket, _created = CaseDay.objects.select_for_update().get_or_create(**key, defaults={"unit_path": unit_path})
        CaseDay.objects.filter(pk=bucket.pk).update(**{k: F(k) + v for k, v in changed.items()})


def fold_events(batch: int = 5000) -> int:
    """Fold the timeline events after the watermark into the rollups; returns how many.
    One transaction: the facts, the buckets and the watermark move together."""
    with transaction.atomic():
        mark, _created = Watermark.objects.select_for_update().get_or_create(name="cases")
        events = list(
            CaseEvent.objects.filter(id__gt=mark.last_event_id).order_by("id").values_list("id", "case_id")[:batch]
        )
        if not events:
            return 0
        case_ids = {case_id for _id, case_id in events}
        old = {f.case_id: f for f in CaseFact.objects.filter(case_id__in=case_ids)}
        deltas: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
        new_facts = []
        for case in Case.objects.filter(pk__in=case_ids):
            if case.pk in old:
                _contribution(old[case.pk], -1, deltas)
            fact = fact_of(case)
            _contribution(fact, +1, deltas)
            new_facts.append(fact)
        _apply(deltas)
        CaseFact.objects.filter(case_id__in=case_ids).delete()
        CaseFact.objects.bulk_create(new_facts, batch_size=2000)
        Watermark.objects.filter(pk=mark.pk).update(last_event_id=events[-1][0])
    return len(events)


def fold_all() -> int:
    total = 0
    while n := fold_events():
        total += n
    return total


def rebuild() -> int:
    """Throw the rollups away and recompute them from every case; returns the cases seen."""
    with transaction.atomic():
        mark, _created = Watermark.objects.select_for_update().get_or_create(name="cases")
        last = CaseEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        CaseDay.objects.all().delete()
        CaseFact.objects.all().delete()
        deltas: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
        facts = []
        seen = 0
        # Every case, even one whose events came after ``last``: folding later replaces its
        # fact, so nothing is counted twice.
        for case in Case.objects.all().iterator(chunk_size=5000):
            fact = fact_of(case)
            _contribution(fact, +1, deltas)
            facts.append(fact)
            seen += 1
        CaseFact.objects.bulk_create(facts, batch_size=2000)
        CaseDay.objects.bulk_create(
            [
                CaseDay(unit_id=u, unit_path=p, day=d, category_key=c, channel=ch, kind=k, **counts)
                for (u, p, d, c, ch, k), counts in deltas.items()
                if any(counts.values())
            ],
            batch_size=2000,
        )
        Watermark.objects.filter(pk=mark.pk).update(last_event_id=last)
    return seen
