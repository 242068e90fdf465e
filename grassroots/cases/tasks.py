"""Background work of the closed loop: deadline warnings, and registering intake receipts."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from grassroots import clock
from grassroots.accounts.models import Notification, User
from grassroots.cases.models import Case
from grassroots.cases.services import RECEIPT_BATCH, register_receipts
from grassroots.org.models import Post

SWEEP_EVERY = timedelta(hours=1)
LONGEST_WARNING = timedelta(days=30)  # no policy warns earlier than this


def sweep_deadlines_now(batch: int = 5000) -> int:
    """Warn the staff of each responsible organisation of cases due soon or overdue, once
    per case, deadline and person (the dedupe key makes a repeated or concurrent sweep
    insert nothing). Returns the number of new notifications.

    Every candidate is visited, a batch at a time in deadline order: a province's backlog
    of long-overdue cases must not keep the cases falling due behind it from being warned."""
    now = clock.now()
    before = Notification.objects.count()
    candidates = (
        Case.objects.open()
        .filter(responsible__isnull=False, current_due_at__isnull=False, current_due_at__lt=now + LONGEST_WARNING)
        .select_related("responsible", "policy")
        .order_by("current_due_at", "id")
    )
    page = list(candidates[:batch])
    while page:
        _warn(page, now)
        last = page[-1]
        page = list(
            candidates.filter(
                Q(current_due_at__gt=last.current_due_at) | Q(current_due_at=last.current_due_at, id__gt=last.pk)
            )[:batch]
        )
    return Notification.objects.count() - before


def _warn(candidates: list[Case], now: datetime) -> None:
    cases = [
        c for c in candidates if c.current_due_at and c.current_due_at < now + timedelta(days=c.policy.due_soon_days)
    ]
    if not cases:
        return
    staff: dict[int, list[User]] = {}
    posts = (
        Post.objects.active()
        .filter(organisation_id__in={c.responsible_id for c in cases}, person__user__is_active=True)
        .select_related("person__user")
    )
    for post in posts:
        staff.setdefault(post.organisation_id, []).append(post.person.user)
    notes = []
    with translation.override("zh-hans"):
        for case in cases:
            due = case.current_due_at
            assert due is not None  # filtered above
            state = "overdue" if due < now else "due"
            when = timezone.localtime(due).strftime("%Y-%m-%d %H:%M")
            text = (
                _("Overdue since {when}: case {number} ({title}).")
                if state == "overdue"
                else _("Due {when}: case {number} ({title}).")
            ).format(when=when, number=case.number, title=case.title)
            for user in staff.get(case.responsible_id or 0, []):
                notes.append(
                    Notification(
                        recipient=user,
                        text=text[:500],
                        link=f"/cases/{case.number}/",
                        dedupe_key=f"{state}:{case.pk}:{due.isoformat()}:{user.pk}"[:150],
                    )
                )
    Notification.objects.bulk_create(notes, ignore_conflicts=True)


@task()
def sweep_deadlines() -> int:
    """The sweep as a background task; ``grassroots serve`` enqueues it every hour."""
    return sweep_deadlines_now()


RECEIPTS_FOR_AT_MOST = 30.0  # seconds one run keeps registering before it hands over


@task()
def register_waiting_receipts() -> int:
    """Register the receipts waiting, a batch at a time, until none are left (or for half
    a minute, then again in a new run); intake enqueues it, and ``grassroots serve`` each
    minute in case a run was lost."""
    started = time.monotonic()
    total = 0
    while True:
        taken = register_receipts()
        total += taken
        if taken < RECEIPT_BATCH:
            return total
        if time.monotonic() - started > RECEIPTS_FOR_AT_MOST:
            register_waiting_receipts.enqueue()
            return total
