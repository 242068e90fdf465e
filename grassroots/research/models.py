"""Measures adopted, with their quantities (M10). Research plans (aspects > topics >
problems > findings > measures), key projects and service reforms will join them here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.cases.models import Case
from grassroots.org.models import Organisation, Unit
from grassroots.org.paths import PATH_MAX_LENGTH, PathField
from grassroots.org.querysets import ScopedQuerySet


class MeasureKind(models.TextChoices):
    ACTION = "action", _("Practical action")
    DECISION = "decision", _("Decision")
    POLICY = "policy", _("Policy")


class MeasureQuerySet(ScopedQuerySet["Measure"]):
    scope_field = "unit_path"


class Measure(models.Model):
    """An adopted measure (举措), e.g. "43 new parking spaces", counted in statistics."""

    kind = models.CharField(_("kind"), max_length=16, choices=MeasureKind.choices, default=MeasureKind.ACTION)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=2, null=True, blank=True)
    quantity_unit = models.CharField(_("unit of quantity"), max_length=30, blank=True)
    adopted_on = models.DateField(_("adopted on"))
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="measures", verbose_name=_("case")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="measures", verbose_name=_("unit"))
    unit_path = PathField(max_length=PATH_MAX_LENGTH, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("adopted by"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["-adopted_on", "-id"]
        indexes = [models.Index(fields=["unit_path", "adopted_on"], name="research_measure_subtree")]

    def __str__(self) -> str:
        return self.title
