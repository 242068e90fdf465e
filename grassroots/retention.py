"""Dropping records that have served their purpose, a slice at a time."""

from __future__ import annotations

from typing import Any

from django.db import transaction

SLICE = 10_000  # rows one DELETE removes: short locks, and a bounded statement on any table


def delete_in_slices(rows: Any) -> int:
    """Delete the rows of the queryset ``rows`` (oldest ids first), each slice in its own
    transaction, so pruning a year's backlog never holds a table for long; returns how many."""
    deleted = 0
    while ids := list(rows.order_by("id").values_list("id", flat=True)[:SLICE]):
        with transaction.atomic():
            deleted += rows.model.objects.filter(id__in=ids).delete()[0]
    return deleted
