from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import connections, transaction
from django.db.models import Q
from django.db.models.lookups import In

from grassroots import clock
from grassroots.cases.choices import FINAL_STATES
from grassroots.org.querysets import ScopedQuerySet

if TYPE_CHECKING:
    from grassroots.cases.models import Case  # noqa: F401  # named in a string below


class InLiterals(In[Any]):
    """``state__in_literals=FINAL_STATES``: the states written into the SQL as literals.

    SQLite uses a partial index only when the query states its condition as the index
    does, and the index's `state IN ('closed', …)` is literal; bound parameters never match.
    Only fixed state codes are allowed here, so nothing from outside reaches the SQL."""

    lookup_name = "in_literals"

    def process_rhs(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        values = list(dict.fromkeys(self.rhs))
        if not values or not all(isinstance(v, str) and STATE_CODE.fullmatch(v) for v in values):
            raise ValueError(f"in_literals takes state codes, not {values!r}")
        return "(" + ", ".join(f"'{v}'" for v in values) + ")", ()


STATE_CODE = re.compile(r"[a-z_]+")
# How many of a subtree's newest cases a text search checks itself before it leaves the
# rest to the database (newest_matching_ids).
WALK = 5000


def text_matches(text: str) -> Q:
    """A case whose number is ``text``, or whose title or description contains it."""
    return Q(number=text) | Q(title__icontains=text) | Q(description__icontains=text)


class CaseQuerySet(ScopedQuerySet["Case"]):
    scope_field = "unit_path"  # copied from the unit: subtree filters on millions of cases need no join

    def visible_to(self, user: Any) -> CaseQuerySet:
        """Cases placed in the user's unit subtrees, less any that complain about the
        user or about an organisation the user works in."""
        qs = super().visible_to(user)
        if getattr(user, "is_authenticated", False) and user.person_id:
            qs = qs.exclude(complained_parties__person_id=user.person_id)
            org_ids = user.organisation_ids()
            if org_ids:
                qs = qs.exclude(complained_parties__organisation_id__in=org_ids)
        return qs

    def open(self) -> CaseQuerySet:
        return self.exclude(state__in_literals=FINAL_STATES)

    def newest_ids(self, n: int) -> list[int]:
        """The ids of the ``n`` newest cases, read from indexes where the filters allow.

        A list page asks for its ids first and its rows after: for a big subtree the ids
        come from the index alone, where whole rows had to be read for all of the subtree
        to be sorted (a street's 6,000 cases at ten million: 49 → 3 ms). On PostgreSQL the
        query runs without parallel workers: with rows this narrow, two workers fill their
        queues far ahead of the 50 wanted (a county's phone cases: 184 → 20 ms), while the
        counts over millions elsewhere keep them (docs/performance.md).
        """
        query = self.order_by("-id").values_list("id", flat=True)[:n]
        if connections[self.db].vendor != "postgresql":
            return list(query)
        with transaction.atomic(using=self.db), connections[self.db].cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            return list(query)

    def newest_matching_ids(self, n: int, text: str) -> list[int]:
        """The ids of the ``n`` newest cases whose number, title or description holds ``text``.

        A substring cannot be estimated: PostgreSQL guessed a county's ``路灯`` matched 36
        of its 64,000 cases (it matches 12,000) and so filtered them all to sort a few. A
        person searching wants the newest matches, so they are looked for where they are:
        the subtree's newest ids are taken from its index, then checked a slice at a time,
        growing, until ``n`` are found. A term too rare for the first ``WALK`` cases to
        give a page (judged by how many matched so far) is left to the database for the
        rest, as before.
        """
        matches = text_matches(text)
        found: list[int] = []
        newest = self.newest_ids(WALK)
        start, size = 0, 4 * n
        while start < len(newest) and len(found) < n:
            window = newest[start : start + size]
            rows = self.model._default_manager.filter(pk__in=window).filter(matches)
            found += sorted(rows.values_list("id", flat=True), reverse=True)
            start, size = start + len(window), size * 2
            # As rare so far that the rest of the walk would not find the page: stop
            # walking (a street's rare term: 16 → 57 ms when walked to the end).
            if len(found) * (len(newest) - start) < (n - len(found)) * start:
                break
        if len(found) < n and (start < len(newest) or len(newest) == WALK):
            found += self.filter(id__lt=newest[start - 1]).filter(matches).newest_ids(n - len(found))
        return found[:n]

    def overdue(self, now: Any = None) -> CaseQuerySet:
        return self.open().filter(current_due_at__lt=now or clock.now())

    def due_soon(self, days: int = 3, now: Any = None) -> CaseQuerySet:
        now = now or clock.now()
        return self.open().filter(current_due_at__gte=now, current_due_at__lt=now + timedelta(days=days))

    def backlog(self) -> CaseQuerySet:
        from grassroots.cases.deadlines import backlog_cutoff

        return self.open().filter(handling_due_at__lt=backlog_cutoff())
