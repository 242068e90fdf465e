"""Background work of the activities context (Django Tasks, database-backed worker)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from grassroots import clock
from grassroots.accounts.models import Notification
from grassroots.activities.models import Appointment


@task()
def remind_appointment(appointment_id: int) -> int:
    """Remind the receiving leader and the booker of an appointment. Claims the
    appointment with a guarded UPDATE, so a retried or duplicated task sends nothing twice.
    Returns the number of notifications made."""
    with transaction.atomic():
        claimed = Appointment.objects.filter(pk=appointment_id, reminded_at__isnull=True, state="booked").update(
            reminded_at=clock.now()
        )
        if not claimed:
            return 0
        appointment = Appointment.objects.select_related("activity__leader__user", "case", "booked_by").get(
            pk=appointment_id
        )
        recipients: dict[int, Any] = {
            u.pk: u for u in [appointment.booked_by, _leader_user(appointment)] if u is not None
        }
        when = timezone.localtime(appointment.slot_at)
        made = 0
        for user in recipients.values():
            with translation.override("zh-hans"):
                text = _("Appointment at {time}: case {number} ({title}), {place}.").format(
                    time=when.strftime("%Y-%m-%d %H:%M"),
                    number=appointment.case.number,
                    title=appointment.case.title,
                    place=appointment.activity.place or appointment.activity.title,
                )
            Notification.objects.create(
                recipient=user,
                text=text[:500],
                link=f"/activities/{appointment.activity_id}/",
                dedupe_key=f"appointment-{appointment.pk}-{user.pk}",
            )
            made += 1
    return made


def _leader_user(appointment: Appointment) -> Any:
    leader = appointment.activity.leader
    return getattr(leader, "user", None) if leader else None
