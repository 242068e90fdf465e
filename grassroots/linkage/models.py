"""Cadre linkage (挂钩联系): policies such as Pingtan's "1+1+5", and each cadre's standing
links to villages and enterprises, with their history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.org.choices import Rank, Sector
from grassroots.org.models import Enterprise, Person, Unit
from grassroots.org.querysets import ScopedQuerySet


class EnterpriseScope(models.TextChoices):
    ALL = "all", _("All enterprises")
    ABOVE_SIZE = "above_size", _("Enterprises above designated size")
    SECTORS = "sectors", _("Enterprises of chosen sectors")


class PolicyQuerySet(ScopedQuerySet["LinkagePolicy"]):
    pass


class LinkagePolicy(models.Model):
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="linkage_policies", verbose_name=_("unit"))
    min_rank = models.CharField(
        _("cadres at or above"), max_length=32, choices=Rank.choices, default=Rank.COUNTY_DIVISION
    )
    min_villages = models.PositiveSmallIntegerField(_("villages per cadre (at least)"), default=1)
    min_enterprises = models.PositiveSmallIntegerField(_("enterprises per cadre (at least)"), default=5)
    max_per_cadre = models.PositiveSmallIntegerField(_("links per cadre (at most)"), null=True, blank=True)
    enterprise_scope = models.CharField(
        _("enterprises to cover"), max_length=16, choices=EnterpriseScope.choices, default=EnterpriseScope.ABOVE_SIZE
    )
    sectors = models.JSONField(
        _("sectors"), default=list, blank=True, help_text=_("Sector keys, when only chosen sectors must be covered.")
    )
    within_jurisdiction = models.BooleanField(_("links stay inside each cadre's own unit"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("linkage policy")
        verbose_name_plural = _("linkage policies")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def clean_sectors(self) -> list[str]:
        return [s for s in self.sectors if s in Sector.values]


class LinkQuerySet(ScopedQuerySet["Link"]):
    scope_field = "person__unit__path"

    def active(self) -> LinkQuerySet:
        return self.filter(ended_on__isnull=True)


class Link(models.Model):
    """A cadre's standing link to one village or one enterprise, from a date until ended."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="links", verbose_name=_("cadre"))
    village = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="cadre_links", verbose_name=_("village")
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cadre_links",
        verbose_name=_("enterprise"),
    )
    started_on = models.DateField(_("from"), default=clock.today)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    policy = models.ForeignKey(LinkagePolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="links")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = LinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        ordering = ["person_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(village__isnull=True) ^ models.Q(enterprise__isnull=True),
                name="linkage_one_target",
            ),
            models.UniqueConstraint(
                fields=["person", "village"],
                condition=models.Q(ended_on__isnull=True),
                name="linkage_one_active_village_link",
            ),
            models.UniqueConstraint(
                fields=["person", "enterprise"],
                condition=models.Q(ended_on__isnull=True),
                name="linkage_one_active_enterprise_link",
            ),
        ]
        indexes = [models.Index(fields=["ended_on", "person"], name="linkage_active_by_person")]

    def __str__(self) -> str:
        return f"{self.person} → {self.village or self.enterprise}"
