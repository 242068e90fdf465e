"""A task enqueued for a moment, whatever task backend runs it (``TASKS_BACKEND``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone


def enqueue_at(task: Any, at: datetime, *args: Any, **kwargs: Any) -> Any:
    """Enqueue ``task`` to run at ``at`` (the worker's clock), or at once when ``at`` has
    passed or the backend cannot wait (one that runs tasks as they are enqueued): such a
    backend would refuse ``run_after``, and callers enqueue on commit, after the row the
    task is for is kept."""
    if at > timezone.now() and task.get_backend().supports_defer:
        return task.using(run_after=at).enqueue(*args, **kwargs)
    return task.enqueue(*args, **kwargs)
