"""Trained category models (versions kept, one chosen by an administrator) and the
suggestion made for each case, so the suggestions' hit rate is a statistic."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.cases.models import Case, Category
from grassroots.shards import ShardField


class TriageModel(models.Model):
    version = models.PositiveIntegerField(_("version"), unique=True)
    created_at = models.DateTimeField(_("trained at"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    trained_on = models.PositiveIntegerField(_("cases trained on"))
    labels = models.JSONField(_("categories"), default=list)
    accuracy = models.FloatField(_("accuracy (cross-validated)"), null=True, blank=True)
    macro_f1 = models.FloatField(_("macro-F1 (cross-validated)"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=False)
    data = models.BinaryField(editable=False)

    class Meta:
        verbose_name = _("triage model")
        verbose_name_plural = _("triage models")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="triage_one_active_model")
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class Source(models.TextChoices):
    MODEL = "model", _("trained model")
    KEYWORDS = "keywords", _("category keywords")


class Suggestion(models.Model):
    """The categories suggested for a case at intake, and whether staff took the first."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="suggestion")
    shard = ShardField(sources=("case",))
    source = models.CharField(_("from"), max_length=16, choices=Source.choices)
    # One row a case, written at intake and never looked up but by case: its other keys
    # carry no index (deleting a model version or a category scans the table once).
    model = models.ForeignKey(
        TriageModel, on_delete=models.SET_NULL, null=True, blank=True, db_index=False, related_name="+"
    )
    suggested = models.JSONField(_("suggested"), default=list)  # [{"category": code, "probability": p}, ...]
    first = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, db_index=False, related_name="+"
    )
    chosen = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, db_index=False, related_name="+"
    )
    taken = models.BooleanField(_("first suggestion taken"), null=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("category suggestion")
        verbose_name_plural = _("category suggestions")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.first_id}"
