"""Dated work at the grassroots: visits, reception days and their appointments, on-site
offices, outreach, grid meetings, mediation and research visits; recurring schedules;
and the work logs of cadres stationed in villages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.activities.choices import (
    ActivityKind,
    ActivityState,
    AppointmentState,
    CaseRole,
    MediationOutcome,
    PostingOutcomeKind,
    Recurrence,
)
from grassroots.cases.models import Case
from grassroots.org.models import Organisation, Person, Posting, Team, Unit
from grassroots.org.paths import PATH_MAX_LENGTH, PathField
from grassroots.org.querysets import ScopedQuerySet
from grassroots.shards import ShardField


class ActivityQuerySet(ScopedQuerySet["Activity"]):
    scope_field = "unit_path"  # copied from the unit: calendars of a subtree need no join


class Schedule(models.Model):
    """A recurring day of work: a leader's reception day (at any of the five levels) or a
    unit's "grassroots working day"."""

    kind = models.CharField(
        _("kind"),
        max_length=32,
        choices=[
            (ActivityKind.RECEPTION_DAY, ActivityKind.RECEPTION_DAY.label),
            (ActivityKind.WORKING_DAY, ActivityKind.WORKING_DAY.label),
        ],
    )
    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="schedules", verbose_name=_("unit"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="schedules", verbose_name=_("organising body")
    )
    leader = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="schedules", verbose_name=_("leader")
    )
    recurrence = models.CharField(_("repeats"), max_length=32, choices=Recurrence.choices)
    weekday = models.PositiveSmallIntegerField(_("weekday (0 = Monday)"), null=True, blank=True)
    nth = models.PositiveSmallIntegerField(_("which one in the month (1-5)"), null=True, blank=True)
    day_of_month = models.PositiveSmallIntegerField(_("day of the month"), null=True, blank=True)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(_("minutes per appointment"), default=30)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        ordering = ["unit_id", "id"]

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    kind = models.CharField(_("kind"), max_length=32, choices=ActivityKind.choices)
    state = models.CharField(_("state"), max_length=16, choices=ActivityState.choices, default=ActivityState.PLANNED)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="activities", verbose_name=_("unit or grid"))
    unit_path = PathField(max_length=PATH_MAX_LENGTH, editable=False)
    shard = ShardField(sources=("unit_path",))
    place = models.CharField(_("place"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("organising body"),
    )
    leader = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_activities",
        verbose_name=_("leading cadre"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="activities", verbose_name=_("team")
    )
    participants: models.ManyToManyField[Person, Participation] = models.ManyToManyField(
        Person,
        through="Participation",
        blank=True,
        related_name="activities",
        verbose_name=_("participating cadres"),
    )
    topic = models.CharField(_("topic"), max_length=300, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    outcome = models.CharField(_("mediation outcome"), max_length=16, choices=MediationOutcome.choices, blank=True)
    batches = models.PositiveIntegerField(_("batches reached"), default=0)
    persons = models.PositiveIntegerField(_("persons reached"), default=0)
    schedule = models.ForeignKey(Schedule, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities")
    slot_minutes = models.PositiveSmallIntegerField(_("minutes per appointment"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-id"]
        indexes = [
            # Calendars and statistics: a subtree's activities in a period.
            models.Index(fields=["unit_path", "starts_at"], name="activities_subtree_time"),
            # A large subtree's newest activities (a province's list walks it backwards,
            # filtering on the path it holds); the figures once read it, and now read
            # ``stats.ActivityDay``.
            models.Index(
                fields=["starts_at", "unit_path", "state", "kind", "batches", "persons"],
                name="activities_period_figures",
            ),
        ]
        constraints = [
            # A schedule makes one activity per occurrence, however often it is expanded.
            models.UniqueConstraint(fields=["schedule", "starts_at"], name="activities_one_per_occurrence"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class Participation(models.Model):
    """A cadre who took part in an activity: named so it carries its activity's shard."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE)
    shard = ShardField(sources=("activity",))
    person = models.ForeignKey(Person, on_delete=models.CASCADE)

    class Meta:
        db_table = "activities_activity_participants"  # the table Django made for the plain many-to-many
        unique_together = [("activity", "person")]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.activity_id}"


class ActivityCase(models.Model):
    """A case an activity raised, moved forward or resolved."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="case_links")
    shard = ShardField(sources=("activity",))
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="activity_links")
    role = models.CharField(_("role"), max_length=16, choices=CaseRole.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("case of an activity")
        verbose_name_plural = _("cases of activities")
        constraints = [models.UniqueConstraint(fields=["activity", "case", "role"], name="activities_case_once")]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.role} {self.case_id}"


class Attachment(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attachments")
    shard = ShardField(sources=("activity",))
    file = models.FileField(_("file"), upload_to="activities/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class Appointment(models.Model):
    """A slot on a reception day, booked for one case."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="appointments")
    shard = ShardField(sources=("activity",))
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="appointments")
    slot_at = models.DateTimeField(_("time"))
    state = models.CharField(
        _("state"), max_length=16, choices=AppointmentState.choices, default=AppointmentState.BOOKED
    )
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    booked_at = models.DateTimeField(default=clock.now)
    note = models.TextField(_("note"), blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["slot_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "slot_at"],
                condition=~models.Q(state="cancelled"),
                name="activities_one_booking_per_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slot_at:%Y-%m-%d %H:%M} {self.case.number}"


class PostingLog(models.Model):
    """A stationed cadre's record of a day's work in the village (M1)."""

    posting = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="logs")
    day = models.DateField(_("day"))
    work = models.TextField(_("work done"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("posting work log")
        verbose_name_plural = _("posting work logs")
        ordering = ["-day", "-id"]

    def __str__(self) -> str:
        return f"{self.day} {self.posting}"


class PostingOutcome(models.Model):
    """A result a stationed cadre brought about, with its quantity (e.g. an order of
    5,500,000 yuan)."""

    posting = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(_("kind"), max_length=32, choices=PostingOutcomeKind.choices)
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=2, null=True, blank=True)
    quantity_unit = models.CharField(_("unit of quantity"), max_length=30, blank=True)
    achieved_on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("posting outcome")
        verbose_name_plural = _("posting outcomes")
        ordering = ["-achieved_on", "-id"]

    def __str__(self) -> str:
        return self.description
