"""Operations on work at the grassroots. Each is one transaction with its audit entry; the
cases an activity touches get a timeline event of their own."""

from __future__ import annotations

import calendar
import copy
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots import clock
from grassroots.activities.choices import (
    CHANNEL_OF,
    ActivityKind,
    ActivityState,
    AppointmentState,
    CaseRole,
    Recurrence,
)
from grassroots.activities.models import (
    Activity,
    ActivityCase,
    Appointment,
    Attachment,
    PostingLog,
    PostingOutcome,
    Schedule,
)
from grassroots.activities.signals import activity_changed
from grassroots.audit.context import acting_user
from grassroots.audit.models import Action
from grassroots.audit.services import record
from grassroots.cases import services as cases
from grassroots.cases.choices import CaseKind
from grassroots.cases.models import Case
from grassroots.cases.workflow import Act, record_event
from grassroots.deferred import enqueue_at
from grassroots.org.choices import Level
from grassroots.org.models import Organisation, Person, Posting, Team, Unit

# Activities where people come to the cadres, or the cadres to them, and are counted in
# batches and persons as their problems are taken (M3, M5).
COUNTED = frozenset(
    {ActivityKind.RECEPTION_DAY, ActivityKind.DOWN_VISIT, ActivityKind.ON_SITE_OFFICE, ActivityKind.DOOR_TO_DOOR}
)
ATTACHMENT_TYPES = {
    b"%PDF": "application/pdf",
    b"\x89PNG": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"PK\x03\x04": "application/zip",  # docx and xlsx are zip containers
}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".docx", ".xlsx"}


def record_activity(
    *,
    actor: Any,
    kind: str,
    title: str,
    unit: Unit,
    starts_at: datetime,
    ends_at: datetime | None = None,
    held: bool = True,
    organisation: Organisation | None = None,
    leader: Person | None = None,
    team: Team | None = None,
    participants: list[Person] | None = None,
    place: str = "",
    topic: str = "",
    minutes: str = "",
    persons: int = 0,
    batches: int = 0,
    slot_minutes: int | None = None,
    schedule: Schedule | None = None,
) -> Activity:
    """Plan an activity, or record one that was held."""
    errors: dict[str, list[str]] = {}
    if kind not in ActivityKind.values:
        errors["kind"] = [_("Unknown kind of activity.")]
    if not title.strip():
        errors["title"] = [_("Give the activity a title.")]
    if ends_at and ends_at < starts_at:
        errors["ends_at"] = [_("The end is before the start.")]
    if persons < 0 or batches < 0:
        errors["persons"] = [_("Counts cannot be negative.")]
    if kind == ActivityKind.GRID_MEETING and unit.level != Level.GRID:
        errors["unit"] = [_("A grid meeting is held in a grid.")]
    if kind == ActivityKind.RECEPTION_DAY and not ends_at:
        errors["ends_at"] = [_("A reception day needs its closing time, for the appointment slots.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        activity = Activity.objects.create(
            kind=kind,
            title=title.strip(),
            unit=unit,
            unit_path=unit.path,
            starts_at=starts_at,
            ends_at=ends_at,
            state=ActivityState.HELD if held else ActivityState.PLANNED,
            organisation=organisation,
            leader=leader,
            team=team,
            place=place,
            topic=topic,
            minutes=minutes,
            persons=persons,
            batches=batches,
            slot_minutes=slot_minutes or (30 if kind == ActivityKind.RECEPTION_DAY else None),
            schedule=schedule,
            created_by=acting_user(actor),
        )
        if participants:
            # The through rows know only the activity's id: hand them its shard, or each
            # would read the activity again to find it.
            activity.participants.set(participants, through_defaults={"shard": activity.shard})
        activity_changed.send(sender=Activity, before=None, after=activity)
        record(Action.CREATE, actor=actor, target=activity, detail={"kind": kind, "unit": unit.code})
    return activity


def record_grid_meeting(
    grid: Unit,
    *,
    actor: Any,
    held_at: datetime,
    topic: str,
    minutes: str,
    attendees: int,
    participants: list[Person] | None = None,
    organisation: Organisation | None = None,
) -> Activity:
    """A grid's "micro-discussion" (M11), with its minutes and how many took part."""
    if not minutes.strip():
        raise ValidationError({"minutes": [_("Write the minutes of the meeting.")]})
    return record_activity(
        actor=actor,
        kind=ActivityKind.GRID_MEETING,
        title=topic or _("Grid meeting"),
        topic=topic,
        unit=grid,
        starts_at=held_at,
        minutes=minutes,
        persons=attendees,
        participants=participants,
        organisation=organisation,
    )


def hold_activity(
    activity: Activity, *, actor: Any, minutes: str = "", persons: int | None = None, batches: int | None = None
) -> Activity:
    """Record a planned activity as held, with its minutes and the people it reached (or
    correct the counts of one held already); the statistics count it from then."""
    negative = {
        name: [_("Counts cannot be negative.")]
        for name, n in (("persons", persons), ("batches", batches))
        if n is not None and n < 0
    }
    if negative:
        raise ValidationError(negative)
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if activity.state == ActivityState.CANCELLED:
            raise ValidationError({"state": [_("A cancelled activity cannot be held.")]})
        if activity.starts_at > clock.now():
            raise ValidationError({"state": [_("This activity has not started yet.")]})
        before = copy.copy(activity)
        activity.state = ActivityState.HELD
        if minutes.strip():
            activity.minutes = minutes.strip()
        if persons is not None:
            activity.persons = persons
        if batches is not None:
            activity.batches = batches
        activity.save(update_fields=["state", "minutes", "persons", "batches"])
        activity_changed.send(sender=Activity, before=before, after=activity)
        record(Action.UPDATE, actor=actor, target=activity, detail={"held": True, "persons": activity.persons})
    return activity


def cancel_activity(activity: Activity, *, actor: Any, reason: str) -> Activity:
    """Call off a planned activity, saying why; the appointments booked on it are cancelled
    with it. A held activity happened, and is not cancelled."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the activity is called off.")]})
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if activity.state != ActivityState.PLANNED:
            raise ValidationError({"state": [_("Only a planned activity can be called off.")]})
        before = copy.copy(activity)
        activity.state = ActivityState.CANCELLED
        activity.minutes = reason.strip()
        activity.save(update_fields=["state", "minutes"])
        for appointment in activity.appointments.filter(state=AppointmentState.BOOKED):
            miss_appointment(appointment, actor=actor, cancelled=True)
        activity_changed.send(sender=Activity, before=before, after=activity)
        record(Action.UPDATE, actor=actor, target=activity, detail={"cancelled": reason.strip()})
    return activity


def file_case(
    activity: Activity,
    *,
    actor: Any,
    title: str,
    description: str,
    unit: Unit | None = None,
    kind: str | None = None,
    **case_fields: Any,
) -> Case:
    """A problem raised at the activity, registered as a case with the activity's channel."""
    default_kind = {
        ActivityKind.GRID_MEETING: CaseKind.GRID_INCIDENT,
        ActivityKind.MEDIATION: CaseKind.DISPUTE,
    }.get(activity.kind, CaseKind.PETITION)  # type: ignore[call-overload]  # kind is an ActivityKind value
    with transaction.atomic():
        case = cases.register_case(
            actor=actor,
            kind=kind or default_kind,
            channel=CHANNEL_OF[activity.kind],  # type: ignore[index]
            title=title,
            description=description,
            unit=unit or activity.unit,
            **case_fields,
        )
        ActivityCase.objects.get_or_create(activity=activity, case=case, role=CaseRole.RAISED)
        if activity.kind in COUNTED:
            _receive_batch(activity, case.persons)
        record_event(
            case,
            Act.ACTIVITY,
            actor=actor,
            public=True,
            note=activity.title,
            payload={"activity": activity.pk, "kind": activity.kind, "role": CaseRole.RAISED},
        )
    return case


def _receive_batch(activity: Activity, persons: int) -> None:
    """One more batch of ``persons`` received at ``activity``, which is held by then."""
    before = Activity.objects.select_for_update().get(pk=activity.pk)
    after = copy.copy(before)
    after.batches += 1
    after.persons += persons
    after.state = ActivityState.HELD
    after.save(update_fields=["batches", "persons", "state"])
    activity_changed.send(sender=Activity, before=before, after=after)


def link_case(activity: Activity, *, actor: Any, case: Case, role: str, note: str = "") -> ActivityCase:
    """Note that the activity moved a case forward or resolved it."""
    if role not in (CaseRole.MOVED, CaseRole.RESOLVED, CaseRole.RAISED):
        raise ValidationError({"role": [_("Unknown role.")]})
    with transaction.atomic():
        link, created = ActivityCase.objects.get_or_create(
            activity=activity, case=case, role=role, defaults={"note": note}
        )
        if created:
            record_event(
                case,
                Act.ACTIVITY,
                actor=actor,
                public=True,
                note=note or activity.title,
                payload={"activity": activity.pk, "kind": activity.kind, "role": role},
            )
    return link


def record_mediation(
    case: Case,
    *,
    actor: Any,
    held_at: datetime,
    outcome: str,
    minutes: str,
    organisation: Organisation | None = None,
    participants: list[Person] | None = None,
) -> Activity:
    """A mediation session on a dispute (M6): an agreement resolves the case; a failure or a
    referral moves it on. Either way it is on the case's timeline."""
    from grassroots.activities.choices import MediationOutcome

    if outcome not in MediationOutcome.values:
        raise ValidationError({"outcome": [_("Unknown outcome.")]})
    if not minutes.strip():
        raise ValidationError({"minutes": [_("Record what was agreed or why not.")]})
    with transaction.atomic():
        session = record_activity(
            actor=actor,
            kind=ActivityKind.MEDIATION,
            title=_("Mediation: {title}").format(title=case.title),
            unit=case.unit,
            starts_at=held_at,
            minutes=minutes,
            organisation=organisation,
            participants=participants,
            persons=case.persons,
        )
        Activity.objects.filter(pk=session.pk).update(outcome=outcome)
        session.outcome = outcome
        role = CaseRole.RESOLVED if outcome == MediationOutcome.AGREEMENT else CaseRole.MOVED
        link_case(session, actor=actor, case=case, role=role, note=str(MediationOutcome(outcome).label))
    return session


# --- schedules --------------------------------------------------------------------------------


def occurrences(schedule: Schedule, start: date, end: date) -> list[date]:
    """The days of ``schedule`` from ``start`` to ``end``, both included."""
    days: list[date] = []
    first = max(start, schedule.starts_on)
    last = min(end, schedule.ends_on) if schedule.ends_on else end
    day = first
    while day <= last:
        if _falls_on(schedule, day):
            days.append(day)
        day += timedelta(days=1)
    return days


def _falls_on(schedule: Schedule, day: date) -> bool:
    if schedule.recurrence == Recurrence.WEEKLY:
        return day.weekday() == schedule.weekday
    if schedule.recurrence == Recurrence.MONTHLY_DAY:
        last = calendar.monthrange(day.year, day.month)[1]
        return day.day == min(schedule.day_of_month or 1, last)
    if schedule.recurrence == Recurrence.MONTHLY_WEEKDAY:
        return day.weekday() == schedule.weekday and (day.day - 1) // 7 + 1 == schedule.nth
    return False


def create_schedule(*, actor: Any, **fields: Any) -> Schedule:
    errors: dict[str, list[str]] = {}
    recurrence = fields.get("recurrence")
    if recurrence in (Recurrence.WEEKLY, Recurrence.MONTHLY_WEEKDAY) and fields.get("weekday") is None:
        errors["weekday"] = [_("Choose the weekday.")]
    if recurrence == Recurrence.MONTHLY_WEEKDAY and not 1 <= (fields.get("nth") or 0) <= 5:
        errors["nth"] = [_("Choose which weekday of the month (1 to 5).")]
    if recurrence == Recurrence.MONTHLY_DAY and not 1 <= (fields.get("day_of_month") or 0) <= 31:
        errors["day_of_month"] = [_("Choose a day of the month (1 to 31).")]
    if fields.get("end_time") and fields.get("start_time") and fields["end_time"] <= fields["start_time"]:
        errors["end_time"] = [_("The day ends before it starts.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        schedule = Schedule.objects.create(**fields)
        record(Action.CREATE, actor=actor, target=schedule)
    return schedule


def expand_schedule(schedule: Schedule, *, actor: Any, until: date) -> list[Activity]:
    """Create the planned activities of a schedule up to ``until``; running it twice
    creates nothing new."""
    made: list[Activity] = []
    today = timezone.localtime(clock.now()).date()
    for day in occurrences(schedule, today, until):
        starts = timezone.make_aware(datetime.combine(day, schedule.start_time))
        if Activity.objects.filter(schedule=schedule, starts_at=starts).exists():
            continue
        try:
            with transaction.atomic():
                made.append(
                    record_activity(
                        actor=actor,
                        kind=schedule.kind,
                        title=schedule.title,
                        unit=schedule.unit,
                        starts_at=starts,
                        ends_at=timezone.make_aware(datetime.combine(day, schedule.end_time)),
                        held=False,
                        organisation=schedule.organisation,
                        leader=schedule.leader,
                        place=schedule.place,
                        slot_minutes=schedule.slot_minutes,
                        schedule=schedule,
                    )
                )
        except IntegrityError:
            continue  # another worker made this occurrence first
    return made


# --- appointments -----------------------------------------------------------------------------


def free_slots(activity: Activity) -> list[datetime]:
    """The slots of a reception day still to come and not booked (none once it is called off)."""
    if activity.kind != ActivityKind.RECEPTION_DAY or not activity.ends_at:
        return []
    if activity.state == ActivityState.CANCELLED:
        return []
    step = timedelta(minutes=activity.slot_minutes or 30)
    taken = set(activity.appointments.exclude(state=AppointmentState.CANCELLED).values_list("slot_at", flat=True))
    slots, at, now = [], activity.starts_at, clock.now()
    while at + step <= activity.ends_at:
        if at not in taken and at >= now:
            slots.append(at)
        at += step
    return slots


def book_appointment(activity: Activity, *, actor: Any, case: Case, slot_at: datetime, note: str = "") -> Appointment:
    """Book a slot of a reception day for a case; a reminder goes out the day before."""
    if activity.kind != ActivityKind.RECEPTION_DAY:
        raise ValidationError({"activity": [_("Appointments are made on reception days.")]})
    if activity.state == ActivityState.CANCELLED:
        raise ValidationError({"activity": [_("This reception day is cancelled.")]})
    if not case.is_open:
        raise ValidationError({"case": [_("Case {number} is closed.").format(number=case.number)]})
    step = timedelta(minutes=activity.slot_minutes or 30)
    assert activity.ends_at is not None  # reception days always have one (record_activity)
    aligned = (slot_at - activity.starts_at) % step == timedelta(0)
    if not (activity.starts_at <= slot_at and slot_at + step <= activity.ends_at and aligned):
        raise ValidationError({"slot_at": [_("That time is not one of the day's slots.")]})
    if slot_at < clock.now():
        raise ValidationError({"slot_at": [_("That slot has passed.")]})
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                activity=activity, case=case, slot_at=slot_at, note=note, booked_by=acting_user(actor)
            )
            record_event(
                case,
                Act.ACTIVITY,
                actor=actor,
                public=True,
                note=activity.title,
                payload={
                    "activity": activity.pk,
                    "kind": activity.kind,
                    "appointment": appointment.pk,
                    "slot_at": slot_at.isoformat(),
                },
            )
            record(Action.CREATE, actor=actor, target=appointment, detail={"case": case.number})
            transaction.on_commit(lambda: _enqueue_reminder(appointment))
    except IntegrityError:
        raise ValidationError({"slot_at": [_("That slot has just been taken; choose another.")]}) from None
    return appointment


def _enqueue_reminder(appointment: Appointment) -> None:
    from grassroots.activities.tasks import remind_appointment

    enqueue_at(remind_appointment, appointment.slot_at - timedelta(days=1), appointment.pk)


def attend_appointment(appointment: Appointment, *, actor: Any, notes: str, resolved: bool = False) -> Appointment:
    """The petitioner came: the visit counts as one batch of the case's persons and goes on
    the case's timeline."""
    if not notes.strip():
        raise ValidationError({"notes": [_("Record what was discussed.")]})
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().select_related("activity", "case").get(pk=appointment.pk)
        if appointment.state != AppointmentState.BOOKED:
            raise ValidationError({"state": [_("This appointment is no longer open.")]})
        appointment.state = AppointmentState.ATTENDED
        appointment.note = notes
        appointment.save(update_fields=["state", "note"])
        activity = appointment.activity
        _receive_batch(activity, appointment.case.persons)
        link_case(
            activity,
            actor=actor,
            case=appointment.case,
            role=CaseRole.RESOLVED if resolved else CaseRole.MOVED,
            note=notes,
        )
        record(Action.UPDATE, actor=actor, target=appointment, detail={"attended": True})
    return appointment


def miss_appointment(appointment: Appointment, *, actor: Any, cancelled: bool = False) -> Appointment:
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.state != AppointmentState.BOOKED:
            raise ValidationError({"state": [_("This appointment is no longer open.")]})
        appointment.state = AppointmentState.CANCELLED if cancelled else AppointmentState.NO_SHOW
        appointment.save(update_fields=["state"])
        record(Action.UPDATE, actor=actor, target=appointment, detail={"state": appointment.state})
    return appointment


# --- attachments ------------------------------------------------------------------------------


def attach_file(activity: Activity, *, actor: Any, name: str, content: bytes) -> Attachment:
    """Keep a file with the activity (minutes, photos); the type is read from the bytes,
    not trusted from the name."""
    from django.core.files.base import ContentFile

    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    sniffed = next((t for magic, t in ATTACHMENT_TYPES.items() if content.startswith(magic)), None)
    if len(content) > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"file": [_("Files may be at most 10 MB.")]})
    if suffix not in ATTACHMENT_SUFFIXES or sniffed is None:
        raise ValidationError({"file": [_("Only PDF, PNG, JPEG, Word (docx) and Excel (xlsx) files.")]})
    with transaction.atomic():
        attachment = Attachment(
            activity=activity, name=name[:200], content_type=sniffed, size=len(content), uploaded_by=acting_user(actor)
        )
        attachment.file.save(name, ContentFile(content), save=False)
        attachment.save()
        record(Action.CREATE, actor=actor, target=attachment, detail={"activity": activity.pk})
    return attachment


# --- postings (M1) ----------------------------------------------------------------------------


def log_posting_work(posting: Posting, *, actor: Any, day: date, work: str) -> PostingLog:
    if not work.strip():
        raise ValidationError({"work": [_("Say what was done.")]})
    if day < posting.started_on or (posting.ended_on and day > posting.ended_on):
        raise ValidationError({"day": [_("That day is outside the posting.")]})
    with transaction.atomic():
        log = PostingLog.objects.create(posting=posting, day=day, work=work, created_by=acting_user(actor))
        record(Action.CREATE, actor=actor, target=log)
    return log


def record_posting_outcome(
    posting: Posting,
    *,
    actor: Any,
    kind: str,
    description: str,
    achieved_on: date,
    quantity: Decimal | int | None = None,
    quantity_unit: str = "",
) -> PostingOutcome:
    if not description.strip():
        raise ValidationError({"description": [_("Describe the result.")]})
    if quantity is not None and not quantity_unit.strip():
        raise ValidationError({"quantity_unit": [_("Say what the quantity counts (spaces, yuan, households...).")]})
    with transaction.atomic():
        outcome = PostingOutcome.objects.create(
            posting=posting,
            kind=kind,
            description=description,
            quantity=quantity,
            quantity_unit=quantity_unit,
            achieved_on=achieved_on,
        )
        record(Action.CREATE, actor=actor, target=outcome)
    return outcome
