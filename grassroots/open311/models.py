"""Residents' doors onto the closed loop: reports raised on the portal or by an Open311
client, the API keys of those clients, and the per-category questions a service asks."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.cases.models import Case, Category


class ApiClient(models.Model):
    """An Open311 client allowed to post reports. Only a hash of its key is kept; the key
    is shown once, when it is issued."""

    name = models.CharField(_("name"), max_length=100)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    key_prefix = models.CharField(_("key prefix"), max_length=8, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    per_minute = models.PositiveIntegerField(
        _("reports per minute"),
        default=60,
        help_text=_("Reports above this rate are queued and answered with a token; far above it, refused."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("issued at"), default=clock.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


class Datatype(models.TextChoices):
    STRING = "string", _("Short text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLE = "singlevaluelist", _("One choice from a list")
    MULTI = "multivaluelist", _("Several choices from a list")


class ServiceQuestion(models.Model):
    """A question a category asks of whoever reports under it (an Open311 attribute)."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="questions", verbose_name=_("category")
    )
    code = models.SlugField(_("code"), max_length=64)
    datatype = models.CharField(_("answer type"), max_length=16, choices=Datatype.choices, default=Datatype.STRING)
    required = models.BooleanField(_("required"), default=False)
    variable = models.BooleanField(
        _("asks for input"), default=True, help_text=_("Off: the text is only shown to the resident.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    description = models.CharField(_("question (Chinese)"), max_length=300)
    description_en = models.CharField(_("question (English)"), max_length=300)
    datatype_description = models.CharField(_("hint (Chinese)"), max_length=200, blank=True)
    datatype_description_en = models.CharField(_("hint (English)"), max_length=200, blank=True)
    values = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For lists: [{"key": "...", "name": "...", "name_en": "..."}, ...]'),
    )

    class Meta:
        verbose_name = _("service question")
        verbose_name_plural = _("service questions")
        ordering = ["category", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="open311_question_code")]

    def __str__(self) -> str:
        return f"{self.category.code}/{self.code}"

    @property
    def label(self) -> str:
        return self.description_en if _english() else self.description

    @property
    def hint(self) -> str:
        return (self.datatype_description_en if _english() else self.datatype_description) or ""

    def choices(self) -> list[tuple[str, str]]:
        english = _english()
        return [(str(v["key"]), str((english and v.get("name_en")) or v["name"])) for v in self.values]


def _english() -> bool:
    return (get_language() or "").startswith("en")


class Source(models.TextChoices):
    PORTAL = "portal", _("Resident portal")
    OPEN311 = "open311", _("Open311 client")


class ResidentReport(models.Model):
    """One problem a resident raised through the portal or an Open311 client.

    The report is stored first (that is the acknowledgement); the case is made from it at
    once, or by a task when a burst is being slowed — ``token`` then leads to the case.
    ``secret_hash`` lets the resident follow and answer it without an account.
    """

    token = models.CharField(max_length=40, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, blank=True, editable=False)
    case = models.OneToOneField(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="resident_report")
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("service asked for")
    )
    client = models.ForeignKey(
        ApiClient, on_delete=models.PROTECT, null=True, blank=True, related_name="reports", verbose_name=_("client")
    )
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Listed, without any name, in the public Open311 feed.")
    )
    answers = models.JSONField(_("answers to the service questions"), default=dict, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    device_id = models.CharField(_("device"), max_length=100, blank=True)
    account_id = models.CharField(_("account at the client"), max_length=100, blank=True)
    media_url = models.URLField(_("media link given by the client"), max_length=500, blank=True)
    # What is needed to make the case, kept until it is made (then emptied: names and
    # phone numbers live only on the case's petitioners).
    pending = models.JSONField(default=dict, blank=True, editable=False)
    address = models.GenericIPAddressField(_("sent from"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=clock.now)
    processed_at = models.DateTimeField(_("case made at"), null=True, blank=True)

    class Meta:
        verbose_name = _("resident's report")
        verbose_name_plural = _("residents' reports")
        ordering = ["-id"]
        indexes = [
            # Rate limits: recent reports of one client or one address.
            models.Index(fields=["client", "submitted_at"], name="open311_client_rate"),
            models.Index(fields=["address", "submitted_at"], name="open311_address_rate"),
            # Reports still waiting for their case (the queue a burst goes into).
            models.Index(fields=["processed_at", "id"], name="open311_pending"),
        ]

    def __str__(self) -> str:
        return self.case.number if self.case_id and self.case else self.token[:8]

    def answer_lines(self) -> list[tuple[str, str]]:
        """The answers as the resident saw the questions: (question, chosen names)."""
        asked = {q.code: q for q in ServiceQuestion.objects.filter(category_id=self.category_id)}
        lines = []
        for code, value in self.answers.items():
            question = asked.get(code)
            names = dict(question.choices()) if question else {}
            values = value if isinstance(value, list) else [value]
            lines.append((question.label if question else code, ", ".join(names.get(v) or v for v in values)))
        return lines


class Photo(models.Model):
    """A photo a resident attached; its type is read from the bytes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(ResidentReport, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="reports/%Y/%m/")
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return str(self.id)


class FailedSecret(models.Model):
    """A wrong tracking secret, counted per address to slow down guessing."""

    address = models.GenericIPAddressField(null=True)
    at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [models.Index(fields=["address", "at"], name="open311_failed_secret")]

    def __str__(self) -> str:
        return f"{self.address} {self.at:%Y-%m-%d %H:%M}"
