"""Rollups of the closed loop, kept as work happens, so no dashboard scans all cases.

``CaseFact`` holds what one case contributes (the day it arrived, was accepted, resolved,
closed; its flags and verdict); ``CaseDay`` sums those contributions per unit, day,
category, channel and kind. Folding new timeline events replaces a case's old fact by its
new one and moves the difference into the day buckets, in one transaction with the
watermark, so every event is folded exactly once however many workers try.
"""

from __future__ import annotations

from django.db import models

from grassroots.org.paths import PATH_MAX_LENGTH, PathField
from grassroots.shards import ShardField

COUNTERS = (
    "received",
    "accepted",
    "declined",
    "resolved",
    "closed",
    "backlog_resolved",
    "difficult_resolved",
    "urgent_resolved",
    "timed",
    "on_time",
    "judged",
    "satisfied",
    "suggested",
    "suggestion_taken",
)


class Watermark(models.Model):
    """The last timeline event folded into the rollups."""

    name = models.CharField(max_length=32, primary_key=True)
    last_event_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_event_id}"


class CaseFact(models.Model):
    case_id = models.BigIntegerField(primary_key=True)
    unit_id = models.BigIntegerField()
    unit_path = PathField(max_length=PATH_MAX_LENGTH)
    shard = ShardField(sources=("unit_path",))
    category_key = models.BigIntegerField(default=0)  # 0: no category
    channel = models.CharField(max_length=32)
    kind = models.CharField(max_length=32)
    received_on = models.DateField()
    accepted_on = models.DateField(null=True)
    declined_on = models.DateField(null=True)
    resolved_on = models.DateField(null=True)
    closed_on = models.DateField(null=True)
    backlog = models.BooleanField(default=False)
    difficult = models.BooleanField(default=False)
    urgent = models.BooleanField(default=False)
    on_time = models.BooleanField(null=True)
    # The resident's latest verdict, on the day it was given (an unsatisfied one reopens
    # the case, and still counts against the rate); None: no verdict yet.
    judged_on = models.DateField(null=True)
    satisfied = models.BooleanField(null=True)
    # Whether staff took triage's first suggestion; None: no suggestion, or no category yet.
    suggestion_taken = models.BooleanField(null=True)

    def __str__(self) -> str:
        return f"fact of case {self.case_id}"


class Counters(models.Model):
    """The sums every bucket keeps, one column per name in ``COUNTERS``."""

    received = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    declined = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    backlog_resolved = models.IntegerField(default=0)
    difficult_resolved = models.IntegerField(default=0)
    urgent_resolved = models.IntegerField(default=0)
    timed = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    judged = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    # On the day the case was received: triage's suggestion decided by staff, and taken.
    suggested = models.IntegerField(default=0)
    suggestion_taken = models.IntegerField(default=0)

    class Meta:
        abstract = True


class CaseDay(Counters):
    unit_id = models.BigIntegerField()
    unit_path = PathField(max_length=PATH_MAX_LENGTH)
    shard = ShardField(sources=("unit_path",))
    day = models.DateField()
    category_key = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=32)
    kind = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit_id", "day", "category_key", "channel", "kind"], name="stats_one_bucket"
            ),
        ]
        indexes = [
            # A subtree's period: every dashboard figure and breakdown reads this range.
            models.Index(fields=["unit_path", "day"], name="stats_subtree_day"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}"


class Grain(models.TextChoices):
    DAY = "d", "day"
    MONTH = "m", "month"
    # The same rows summed over category, channel and kind (keys 0, "", ""): totals, the
    # trend and the ranking of units need no more, and read a row per unit and period.
    DAY_TOTAL = "dt", "day total"
    MONTH_TOTAL = "mt", "month total"


TOTAL_OF = {Grain.DAY: Grain.DAY_TOTAL, Grain.MONTH: Grain.MONTH_TOTAL}


class Rollup(Counters):
    """The same counters summed for every ancestor of a case's unit (and the unit itself),
    per month, and per day for units at or above ``DAY_GRAIN_LEVEL``.

    ``CaseDay`` sums per leaf unit and day: a street's year is a few thousand of its rows,
    a province's year millions. Here a unit's year is twelve months of its own rows,
    however many cases lie below it; the days at the edges of a period come from the day
    rows of the unit itself when it is that high, else from the ``CaseDay`` rows below it.
    """

    grain = models.CharField(max_length=2, choices=Grain.choices)
    unit_id = models.BigIntegerField()
    shard = ShardField(sources=("unit_id",))
    # The ranking of the units below one unit reads the rows whose parent it is.
    parent_id = models.BigIntegerField(null=True)
    day = models.DateField()  # the day, or the first day of the month
    category_key = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=32)
    kind = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit_id", "grain", "day", "category_key", "channel", "kind"], name="stats_one_rollup"
            ),
        ]
        indexes = [models.Index(fields=["parent_id", "grain", "day"], name="stats_rollup_children")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.grain} {self.day}"


ACTIVITY_COUNTERS = (
    "reception_batches",
    "reception_persons",
    "visits",
    "grid_meetings",
    "outreach",
    "outreach_audience",
)


class ActivityDay(models.Model):
    """The held activities' figures of a unit's whole subtree on one day: a row for the unit
    an activity was held in and one for each unit above it, so a province's year is its
    365 rows however many activities lie below (``stats.activity_days`` keeps them)."""

    unit_path = PathField(max_length=PATH_MAX_LENGTH)
    shard = ShardField(sources=("unit_path",))
    day = models.DateField()
    reception_batches = models.IntegerField(default=0)
    reception_persons = models.IntegerField(default=0)
    visits = models.IntegerField(default=0)
    grid_meetings = models.IntegerField(default=0)
    outreach = models.IntegerField(default=0)
    outreach_audience = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit_path", "day"], name="stats_one_activity_day")]

    def __str__(self) -> str:
        return f"{self.unit_path} {self.day}"
