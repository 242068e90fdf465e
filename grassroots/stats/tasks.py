from __future__ import annotations

from django_tasks import task

from grassroots.stats.rollups import fold_all


@task()
def fold_rollups() -> int:
    """Fold new timeline events into the statistics rollups (exactly once: see rollups)."""
    return fold_all()
