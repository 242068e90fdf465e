"""Background work of residents' reports: making the cases of reports queued in a burst."""

from __future__ import annotations

from django_tasks import task

from grassroots.open311.models import ResidentReport
from grassroots.open311.services import make_case_now, make_pending_cases


@task()
def make_case(report_id: int) -> str:
    """Make the case of one queued report; running it twice makes one case."""
    report = ResidentReport.objects.filter(pk=report_id).first()
    if report is None:
        return ""
    return make_case_now(report).number


@task()
def make_pending() -> int:
    """Sweep up any queued report whose own task was lost."""
    return make_pending_cases()
