"""Every deadline rule, in one place.

The defaults come from the State Council's Regulation on Letters and Visits (信访条例, 2005)
and the Regulation on Letters and Visits Work (信访工作条例, 2022), which keeps its limits:

- decide whether to accept within 15 days of receipt (信访条例 art. 21);
- handle within 60 days of acceptance; once, with approval, extend by at most 30 days, and
  tell the petitioner why (art. 33);
- a petitioner may ask the next level up to review the handling opinion within 30 days of
  receiving it, and the review is answered within 30 days (art. 34);
- re-review likewise, 30 and 30 days, and it is final (art. 35): the same facts and reasons
  are not accepted again (不再受理).

Days are calendar days unless a policy counts working days; a calendar-day deadline that
falls on a rest day moves to the next working day (the rule for statutory periods in the
Civil Procedure Law). Hotline policies count hours. Working days are Monday to Friday,
corrected by :class:`~grassroots.cases.models.CalendarDay` (public holidays and make-up
working days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from grassroots import clock
from grassroots.audit.models import Action
from grassroots.audit.services import changes, record
from grassroots.cases.choices import CaseKind
from grassroots.cases.models import CalendarDay, Case, Category, DeadlinePolicy, day_end
from grassroots.memo import Memo

REGULATION_DEFAULTS: dict[str, Any] = {
    "accept_days": 15,  # 信访条例 art. 21
    "handle_days": 60,  # art. 33
    "max_extension_days": 30,  # art. 33
    "review_request_days": 30,  # art. 34
    "review_answer_days": 30,  # art. 34 (and art. 35 for re-review)
}
HOTLINE_DEFAULTS: dict[str, Any] = {"respond_hours": 2, "resolve_hours": 5 * 24, "working_days": True}


class Calendar:
    """Working days over a span, loaded with one query (and kept a minute: ``CALENDARS``)."""

    def __init__(self, start: date, span_days: int = 400) -> None:
        rows = CalendarDay.objects.filter(day__gte=start, day__lte=start + timedelta(days=span_days))
        self.overrides = {row.day: row.is_working_day for row in rows}

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after ``day`` (the day of receipt does not count)."""
        while n > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day


# The working-day calendar from a day on: read once per day and period, not once per case
# (a batch of receipts registers hundreds of cases from the same day).
CALENDARS: Memo[Calendar] = Memo("working-day calendars", size=1000)


def due_after_days(start: datetime, days: int, *, working_days: bool) -> datetime:
    """The end of the last day of a period of ``days`` starting the day after ``start``."""
    first = timezone.localtime(start).date()
    span = days * 3 + 30
    calendar = CALENDARS.get((first, span), lambda: Calendar(first, span_days=span))
    if working_days:
        last = calendar.add_working_days(first, days)
    else:
        last = calendar.next_working_day(first + timedelta(days=days))
    return day_end(last)


def due_after_hours(start: datetime, hours: int) -> datetime:
    return start + timedelta(hours=hours)


@dataclass(frozen=True)
class Stage:
    """The deadline that applies once a case reaches a point in its life."""

    acceptance: datetime | None = None
    handling: datetime | None = None


def acceptance_due(policy: DeadlinePolicy, registered_at: datetime) -> datetime | None:
    if policy.respond_hours:
        return due_after_hours(registered_at, policy.respond_hours)
    if policy.accept_days:
        return due_after_days(registered_at, policy.accept_days, working_days=policy.working_days)
    return None


def handling_due(policy: DeadlinePolicy, accepted_at: datetime, registered_at: datetime) -> datetime | None:
    """Regulation cases count from acceptance; hotline demands from registration."""
    if policy.resolve_hours:
        if policy.working_days and policy.resolve_hours % 24 == 0:
            return due_after_days(registered_at, policy.resolve_hours // 24, working_days=True)
        return due_after_hours(registered_at, policy.resolve_hours)
    if policy.handle_days:
        return due_after_days(accepted_at, policy.handle_days, working_days=policy.working_days)
    return None


def extended(handling: datetime, days: int, policy: DeadlinePolicy) -> datetime:
    return due_after_days(handling, days, working_days=policy.working_days)


def review_request_window_ends(policy: DeadlinePolicy, replied_at: datetime) -> datetime:
    return due_after_days(replied_at, policy.review_request_days, working_days=policy.working_days)


def review_answer_due(policy: DeadlinePolicy, requested_at: datetime) -> datetime:
    return due_after_days(requested_at, policy.review_answer_days, working_days=policy.working_days)


def current_due(case: Case) -> datetime | None:
    """The deadline of the stage a case is in: acceptance while registered, handling while
    it is being worked on, the review answer while under (re-)review; none otherwise."""
    from grassroots.cases.choices import State

    if case.state == State.REGISTERED:
        return case.acceptance_due_at
    if case.state in (State.ACCEPTED, State.ASSIGNED, State.IN_PROGRESS, State.REPLIED):
        return case.handling_due_at
    if case.state in (State.UNDER_REVIEW, State.UNDER_REREVIEW):
        return case.review_due_at
    return None


def backlog_cutoff(now: datetime | None = None) -> datetime:
    """Cases whose handling deadline is before this are backlog cases (积案)."""
    return (now or clock.now()) - timedelta(days=settings.BACKLOG_THRESHOLD_DAYS)


# Every intake asks for its policy; the current ones are a few dozen rows, revised a few
# times a year (the memo's rules: grassroots.memo).
CURRENT_POLICIES: Memo[list[DeadlinePolicy]] = Memo("current deadline policies")


def policy_for(kind: str, category: Category | None) -> DeadlinePolicy:
    """The current policy for a case kind and category: the most specific that exists
    (category, then its group, then the kind alone, then the regulation default)."""
    cat_ids = [c for c in ([category.pk, category.parent_id] if category else []) if c]
    candidates = [
        p
        for p in CURRENT_POLICIES.get("current", lambda: list(DeadlinePolicy.objects.filter(is_current=True)))
        if (p.category_id is None or p.category_id in cat_ids) and p.kind in (kind, "")
    ]

    def specificity(p: DeadlinePolicy) -> tuple[int, int]:
        cat_rank = 2 if category and p.category_id == category.pk else 1 if p.category_id else 0
        return (cat_rank, 1 if p.kind else 0)

    if candidates:
        return max(candidates, key=specificity)
    return ensure_default_policies()[CaseKind.HOTLINE if kind == CaseKind.HOTLINE else "regulation"]


def ensure_default_policies() -> dict[str, DeadlinePolicy]:
    """The regulation's policy and the hotline policy, created on first use."""
    regulation, _ = DeadlinePolicy.objects.get_or_create(
        key="regulation",
        is_current=True,
        defaults={"name": "信访条例默认时限", "name_en": "Letters and visits regulation", **REGULATION_DEFAULTS},
    )
    hotline, _ = DeadlinePolicy.objects.get_or_create(
        key="hotline",
        is_current=True,
        defaults={
            "name": "12345热线时限",
            "name_en": "Hotline (2 hours to respond, 5 working days to resolve)",
            "kind": CaseKind.HOTLINE,
            **REGULATION_DEFAULTS,
            **HOTLINE_DEFAULTS,
        },
    )
    return {"regulation": regulation, CaseKind.HOTLINE: hotline}


POLICY_FIELDS = [
    "name",
    "name_en",
    "kind",
    "category",
    "working_days",
    "accept_days",
    "handle_days",
    "respond_hours",
    "resolve_hours",
    "max_extension_days",
    "review_request_days",
    "review_answer_days",
    "due_soon_days",
]


@transaction.atomic
def revise_policy(policy: DeadlinePolicy, *, actor: Any, **new_values: Any) -> DeadlinePolicy:
    """A new version of ``policy`` with ``new_values``; cases that started under the old
    version keep it."""
    current = DeadlinePolicy.objects.select_for_update().get(key=policy.key, is_current=True)
    before = model_to_dict(current, fields=POLICY_FIELDS)
    DeadlinePolicy.objects.filter(pk=current.pk).update(is_current=False)
    values = {**before, "category": current.category, **new_values}
    revised = DeadlinePolicy.objects.create(key=current.key, version=current.version + 1, is_current=True, **values)
    record(
        Action.UPDATE,
        actor=actor,
        target=revised,
        detail={"changes": changes(before, model_to_dict(revised, fields=POLICY_FIELDS)), "version": revised.version},
    )
    return revised
