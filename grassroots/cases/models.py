"""The closed loop: cases, the people in them, where they are sent, and their timeline."""

from __future__ import annotations

from datetime import date, datetime, time

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.cases import querysets
from grassroots.cases.choices import (
    FINAL_STATES,
    AssignmentMode,
    AssignmentStatus,
    CaseKind,
    Channel,
    Feedback,
    NoticeKind,
    ReviewOutcome,
    State,
)
from grassroots.labels import ChoiceLabels
from grassroots.org.models import Organisation, Person, Unit, mask_phone
from grassroots.org.paths import PATH_MAX_LENGTH, PathField
from grassroots.shards import ShardField


class Category(models.Model):
    """A two-level taxonomy of problems (group > sub-category), editable by administrators."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("group"),
    )
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=200)
    keywords = models.TextField(
        _("keywords"), blank=True, help_text=_("Words that suggest this category, separated by spaces or commas.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name

    @property
    def full_label(self) -> str:
        return f"{self.parent.label} / {self.label}" if self.parent_id and self.parent else self.label


class DeadlinePolicy(models.Model):
    """How long each stage of a case may take. Versioned: a case keeps the version it
    started under; editing a policy adds a version (see ``cases.deadlines``)."""

    key = models.SlugField(_("policy"), max_length=64)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=200)
    kind = models.CharField(_("case kind"), max_length=32, choices=CaseKind.choices, blank=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("category"),
        related_name="deadline_policies",
    )
    working_days = models.BooleanField(
        _("count working days"),
        default=False,
        help_text=_(
            "Count only working days; otherwise calendar days, with a deadline on a holiday moved to the "
            "next working day."
        ),
    )
    accept_days = models.PositiveSmallIntegerField(_("days to decide on acceptance"), null=True, blank=True)
    handle_days = models.PositiveSmallIntegerField(_("days to handle after acceptance"), null=True, blank=True)
    respond_hours = models.PositiveSmallIntegerField(_("hours to respond"), null=True, blank=True)
    resolve_hours = models.PositiveSmallIntegerField(_("hours to resolve"), null=True, blank=True)
    max_extension_days = models.PositiveSmallIntegerField(_("longest extension (days)"), default=30)
    review_request_days = models.PositiveSmallIntegerField(_("days to ask for review after the reply"), default=30)
    review_answer_days = models.PositiveSmallIntegerField(_("days to answer a review"), default=30)
    due_soon_days = models.PositiveSmallIntegerField(_("warn this many days before a deadline"), default=3)
    is_current = models.BooleanField(_("current version"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="cases_policy_version_once"),
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(is_current=True), name="cases_policy_one_current"
            ),
        ]

    def __str__(self) -> str:
        label = self.name_en if (get_language() or "").startswith("en") else self.name
        return f"{label} (v{self.version})"


class CalendarDay(models.Model):
    """An exception to the Monday-to-Friday week: a public holiday, or a weekend day made
    a working day (调休)."""

    day = models.DateField(_("day"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class RoutingRule(models.Model):
    """Category x unit subtree x case kind -> the organisation responsible."""

    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        verbose_name=_("category"),
        help_text=_("A group covers its sub-categories; empty means any."),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("within unit")
    )
    kind = models.CharField(_("case kind"), max_length=32, choices=CaseKind.choices, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("responsible organisation")
    )
    priority = models.SmallIntegerField(_("priority"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["-priority", "id"]

    def __str__(self) -> str:
        return f"{self.category or '*'} @ {self.unit} → {self.organisation}"


class Case(ChoiceLabels):
    """One problem raised by residents, from any channel, until the resident's verdict."""

    number = models.CharField(_("case number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=CaseKind.choices)
    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=32, choices=State.choices, default=State.REGISTERED)
    version = models.PositiveIntegerField(_("version"), default=1, help_text=_("Goes up with every state change."))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("category")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cases", verbose_name=_("place (unit)"))
    # The unit's path, copied so subtree filters on millions of cases need no join.
    unit_path = PathField(max_length=PATH_MAX_LENGTH, editable=False)
    shard = ShardField(sources=("unit_path",))
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    persons = models.PositiveIntegerField(
        _("persons"), default=1, help_text=_("People who came; a group visit is one batch.")
    )
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    is_difficult = models.BooleanField(_("difficult and complex"), default=False)
    is_urgent = models.BooleanField(_("urgent"), default=False)
    responsible = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        # cases_queue (responsible, state, current_due_at) serves every lookup by it; a
        # second index of its own would only be one more to write at each intake.
        db_index=False,
        related_name="responsible_cases",
        verbose_name=_("responsible organisation"),
    )
    policy = models.ForeignKey(
        DeadlinePolicy, on_delete=models.PROTECT, related_name="cases", verbose_name=_("deadline policy")
    )
    registered_at = models.DateTimeField(_("registered at"), default=clock.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    acceptance_due_at = models.DateTimeField(_("acceptance due"), null=True, blank=True)
    handling_due_at = models.DateTimeField(_("handling due"), null=True, blank=True)
    review_due_at = models.DateTimeField(_("review answer due"), null=True, blank=True)
    # The deadline of the stage the case is in now: "overdue" is one indexed comparison.
    current_due_at = models.DateTimeField(_("current deadline"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("extension granted (days)"), default=0)
    extension_requested_days = models.PositiveSmallIntegerField(_("extension asked for (days)"), null=True, blank=True)
    feedback = models.CharField(_("resident's verdict"), max_length=32, choices=Feedback.choices, blank=True)
    # When the latest verdict was given: an unsatisfied one reopens the case, and the
    # satisfaction rate must still count it on its day (``stats.rollups``).
    feedback_at = models.DateTimeField(_("verdict given at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    review_outcome = models.CharField(_("review outcome"), max_length=16, choices=ReviewOutcome.choices, blank=True)
    reviewed_at = models.DateTimeField(_("review answered at"), null=True, blank=True)
    rereview_outcome = models.CharField(
        _("re-review outcome"),
        max_length=16,
        choices=ReviewOutcome.choices,
        blank=True,
        help_text=_("Final: the same facts are not accepted again."),
    )
    rereviewed_at = models.DateTimeField(_("re-review answered at"), null=True, blank=True)
    was_backlog = models.BooleanField(_("resolved as a backlog case"), default=False)
    master = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # a partial index (below): almost every case has none
        related_name="repeats",
        verbose_name=_("merged into"),
    )
    repeat_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # a partial index (below): almost every case has none
        related_name="+",
        verbose_name=_("same facts as"),
    )
    # A key is the sender's: two 12345 platforms may both number a work order
    # "12345-20261205-0001". Unique per sender (``key_owner``), see Meta.
    idempotency_key = models.CharField(max_length=128, null=True, blank=True, editable=False)
    # The id of the login that sent the key, 0 for a key the system made (a resident's
    # report). Not a foreign key: removing a login must not merge its keys with others'.
    key_owner = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = querysets.CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-id"]
        indexes = [
            # Case lists of a subtree, newest first (the default list and its keyset pages).
            models.Index(fields=["unit_path", "id"], name="cases_subtree_id"),
            # Queues: open cases of one responsible organisation by deadline.
            models.Index(fields=["responsible", "state", "current_due_at"], name="cases_queue"),
            # Overdue and due-soon boards, and the deadline sweep: open cases by deadline.
            models.Index(fields=["current_due_at"], condition=~models.Q(state__in=FINAL_STATES), name="cases_open_due"),
            # The open cases of a subtree: counted (open, overdue, backlog) on every dashboard,
            # a few per cent of all cases, so their own index keeps a province's count small.
            models.Index(
                fields=["unit_path", "current_due_at", "handling_due_at", "registered_at"],
                condition=~models.Q(state__in=FINAL_STATES),
                name="cases_open_subtree",
            ),
            # The case list's "overdue" and "open" filters, newest first: walking the open
            # cases by id finds a province's fifty newest overdue ones without sorting the
            # 43,000 there are (the deadline and path are in the index to filter on).
            models.Index(
                fields=["-id", "current_due_at", "unit_path"],
                condition=~models.Q(state__in=FINAL_STATES),
                name="cases_open_newest",
            ),
            # The few cases merged into another, or declined as a repeat of another: an
            # index of only those is not written at intake.
            models.Index(fields=["master"], condition=models.Q(master__isnull=False), name="cases_merged_into"),
            models.Index(fields=["repeat_of"], condition=models.Q(repeat_of__isnull=False), name="cases_repeat_of"),
        ]
        constraints = [
            # Only the cases sent with a key are in it: most are not. The key leads: one
            # sender may have sent millions of keyed cases, and a lookup by keys must never
            # enter by the sender alone (a planner whose statistics predate the sender's
            # cases would then filter all of them).
            models.UniqueConstraint(
                fields=["idempotency_key", "key_owner"],
                condition=models.Q(idempotency_key__isnull=False),
                name="cases_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state not in FINAL_STATES

    @property
    def is_overdue(self) -> bool:
        """Open and past the deadline of its current stage."""
        return self.is_open and self.current_due_at is not None and self.current_due_at < clock.now()

    @property
    def is_backlog(self) -> bool:
        """Open past its handling deadline by more than the backlog threshold (积案)."""
        from grassroots.cases.deadlines import backlog_cutoff

        return self.is_open and self.handling_due_at is not None and self.handling_due_at < backlog_cutoff()

    @property
    def batches(self) -> int:
        """Every intake is one batch (批次), however many persons came."""
        return 1


Case._meta.get_field("state").register_lookup(querysets.InLiterals)


class Petitioner(models.Model):
    """A person who raised the case; a group visit names at most five representatives."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="petitioners")
    shard = ShardField(sources=("case",))
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    id_number = models.CharField(_("ID number"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_representative = models.BooleanField(_("representative"), default=False)

    class Meta:
        verbose_name = _("petitioner")
        verbose_name_plural = _("petitioners")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        n = self.id_number
        return n[:3] + "*" * max(len(n) - 7, 0) + n[-4:] if len(n) > 7 else "*" * len(n)


class ComplainedParty(models.Model):
    """Someone the case complains about. They, and their organisation, never see the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="complained_parties")
    shard = ShardField(sources=("case",))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.CharField(_("who"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("person or body complained about")
        verbose_name_plural = _("persons or bodies complained about")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False)
                | models.Q(organisation__isnull=False)
                | ~models.Q(description=""),
                name="cases_complained_names_someone",
            )
        ]

    def __str__(self) -> str:
        return str(self.person or self.organisation or self.description)


class Assignment(models.Model):
    """A case sent to an organisation: forwarded (转送) or assigned with a report-back
    deadline (交办). A case may be with several departments at once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    shard = ShardField(sources=("case",))
    # cases_assignment_queue (organisation, status) serves every lookup by it.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, db_index=False, related_name="assignments")
    assigned_by = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("assigned by")
    )
    mode = models.CharField(_("mode"), max_length=16, choices=AssignmentMode.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.OPEN
    )
    report_due_at = models.DateTimeField(_("report back by"), null=True, blank=True)
    instructions = models.TextField(_("instructions"), blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["id"]
        indexes = [
            # A department's queue: its open assignments.
            models.Index(fields=["organisation", "status"], name="cases_assignment_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} → {self.organisation}"


class PackagePlan(models.Model):
    """The package leader (包案领导) of a difficult or backlog case, with the plan."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="package")
    shard = ShardField(sources=("case",))
    leader = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="packaged_cases", verbose_name=_("package leader")
    )
    staff = models.CharField(_("responsible staff"), max_length=300, blank=True)
    due_on = models.DateField(_("to be settled by"), null=True, blank=True)
    task = models.TextField(_("task"), blank=True)
    responsibility = models.TextField(_("responsibility"), blank=True)

    class Meta:
        verbose_name = _("package plan")
        verbose_name_plural = _("package plans")

    def __str__(self) -> str:
        return f"{self.case.number}: {self.leader}"


class CaseEvent(models.Model):
    """One step on a case's timeline. Append-only; written by services in the same
    transaction as the change it records."""

    # cases_event_timeline (case, id) serves every lookup by case.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, db_index=False, related_name="events")
    shard = ShardField(sources=("case",))
    at = models.DateTimeField(default=clock.now)
    kind = models.CharField(max_length=32)
    # Every act writes an event, and nothing looks events up by who or which body acted
    # (the audit log answers that): no index of their own. Deleting a user or an
    # organisation, rare and by an administrator, scans the timelines once.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, db_index=False, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, db_index=False, related_name="+"
    )
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32, blank=True)
    note = models.TextField(blank=True)
    is_public = models.BooleanField(default=False, help_text=_("Shown to the resident on the public timeline."))
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "id"], name="cases_event_timeline")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class NoticeTemplate(models.Model):
    """The text of a printed notice; ``body`` is a Django template over the case."""

    kind = models.CharField(_("kind"), max_length=32, choices=NoticeKind.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notice template")
        verbose_name_plural = _("notice templates")
        constraints = [models.UniqueConstraint(fields=["kind", "language"], name="cases_one_template_per_language")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"


class CaseCounter(models.Model):
    """The last case number used in a year; bumped under a row lock."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


def day_end(day: date) -> datetime:
    """23:59:59 local time of ``day``: a deadline "within N days" lasts the whole last day."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


class Receipt(models.Model):
    """A case brought through the API with ``Prefer: respond-async``: checked and stored at
    once, answered with this receipt's token, and registered moments later together with
    the other receipts waiting (``services.register_receipts``). The case counts from the
    moment the receipt was taken and carries the receipt's idempotency key (the client's,
    or one made from the token), which is how a receipt finds its case. What the case
    needs is kept here only until it is made."""

    token = models.CharField(max_length=40, unique=True, editable=False)
    received_at = models.DateTimeField(_("received at"), default=clock.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,  # looked up by token only; deleting a user scans the receipts once
        related_name="+",
        verbose_name=_("received by"),
    )
    intake = models.JSONField(_("the case as received"), default=dict, blank=True)
    idempotency_key = models.CharField(max_length=128, editable=False)
    key_owner = models.PositiveIntegerField(default=0, db_default=0, editable=False)  # as a case's
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    refused = models.JSONField(_("why it could not be registered"), null=True, blank=True)
    processed_at = models.DateTimeField(_("registered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("intake receipt")
        verbose_name_plural = _("intake receipts")
        indexes = [
            # The receipts still waiting: a few at most, however many were ever taken.
            models.Index(fields=["id"], condition=models.Q(processed_at__isnull=True), name="cases_receipts_waiting"),
        ]
        constraints = [models.UniqueConstraint(fields=["idempotency_key", "key_owner"], name="cases_receipt_key")]

    def __str__(self) -> str:
        return self.token[:8]

    @property
    def state(self) -> str:
        if self.processed_at is None:
            return "pending"
        return "refused" if self.refused else "registered"
