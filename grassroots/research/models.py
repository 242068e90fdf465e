"""Investigation and research (M7, M8, M10): research plans (aspects > topics > problems >
findings > measures adopted), key projects with milestones and weighted progress, measures
with their quantities, and government service items with their reforms."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots import clock
from grassroots.cases.models import Case
from grassroots.org.models import Organisation, Person, Team, Unit
from grassroots.org.paths import PATH_MAX_LENGTH, PathField
from grassroots.org.querysets import ScopedQuerySet
from grassroots.shards import ShardField


class MeasureKind(models.TextChoices):
    ACTION = "action", _("Practical action")
    DECISION = "decision", _("Decision")
    POLICY = "policy", _("Policy")


class MeasureQuerySet(ScopedQuerySet["Measure"]):
    scope_field = "unit_path"


class ScopedByUnit(ScopedQuerySet[Any]):
    scope_field = "unit_path"


class ResearchPlan(models.Model):
    """A unit's programme of investigation and research, e.g. Ziyang's 14 aspects."""

    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="research_plans", verbose_name=_("unit"))
    unit_path = PathField(max_length=PATH_MAX_LENGTH, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="research_plans",
        verbose_name=_("organising body"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    objects = ScopedByUnit.as_manager()

    class Meta:
        verbose_name = _("research plan")
        verbose_name_plural = _("research plans")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Aspect(models.Model):
    plan = models.ForeignKey(ResearchPlan, on_delete=models.CASCADE, related_name="aspects")
    title = models.CharField(_("title"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("research aspect")
        verbose_name_plural = _("research aspects")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class Topic(models.Model):
    aspect = models.ForeignKey(Aspect, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("title"), max_length=200)
    lead = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="research_topics",
        verbose_name=_("lead cadre"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="research_topics", verbose_name=_("team")
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_on = models.DateField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("research topic")
        verbose_name_plural = _("research topics")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class Problem(models.Model):
    """A problem the research found; it may become a case, or be met by a measure."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="problems")
    shard = ShardField(sources=("case", "topic.aspect.plan.unit_path"))
    description = models.TextField(_("problem"))
    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="research_problem", verbose_name=_("case")
    )
    solved_on = models.DateField(_("solved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("problem found")
        verbose_name_plural = _("problems found")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description[:60]


class Finding(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="findings")
    text = models.TextField(_("finding"))
    recorded_on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:60]


class KeyProject(models.Model):
    """A key project (M8), e.g. an urban village's transformation, with milestones; its
    progress rolls up, weighted, into its parent's."""

    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="key_projects", verbose_name=_("unit"))
    unit_path = PathField(max_length=PATH_MAX_LENGTH, editable=False)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("part of")
    )
    weight = models.DecimalField(_("weight in the parent"), max_digits=6, decimal_places=2, default=1)
    progress = models.DecimalField(_("progress (%)"), max_digits=5, decimal_places=2, default=0)
    description = models.TextField(_("description"), blank=True)
    package_leaders = models.ManyToManyField(
        Person, blank=True, related_name="packaged_projects", verbose_name=_("package leaders")
    )
    cases = models.ManyToManyField(Case, blank=True, related_name="key_projects", verbose_name=_("cases"))
    topics = models.ManyToManyField(Topic, blank=True, related_name="key_projects", verbose_name=_("research"))

    objects = ScopedByUnit.as_manager()

    class Meta:
        verbose_name = _("key project")
        verbose_name_plural = _("key projects")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    project = models.ForeignKey(KeyProject, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


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
    topic = models.ForeignKey(
        Topic,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("research topic"),
    )
    problem = models.ForeignKey(
        Problem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("problem found"),
    )
    project = models.ForeignKey(
        KeyProject,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("key project"),
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="measures", verbose_name=_("unit"))
    unit_path = PathField(max_length=PATH_MAX_LENGTH, editable=False)
    shard = ShardField(sources=("unit_path",))
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


class ServiceItem(models.Model):
    """A government service (e.g. starting an enterprise) with what it asks of applicants now."""

    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="service_items", verbose_name=_("unit"))
    unit_path = PathField(max_length=PATH_MAX_LENGTH, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_items",
        verbose_name=_("service centre"),
    )
    materials = models.PositiveSmallIntegerField(_("materials required"))
    time_limit_hours = models.DecimalField(_("time limit (hours)"), max_digits=8, decimal_places=1)
    description = models.TextField(_("description"), blank=True)

    objects = ScopedByUnit.as_manager()

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Reform(models.Model):
    """A dated change to a service item, before and after (13 -> 5 materials; to 4 hours)."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="reforms")
    title = models.CharField(_("reform"), max_length=200)
    adopted_on = models.DateField(_("adopted on"))
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    materials_before = models.PositiveSmallIntegerField(_("materials before"))
    materials_after = models.PositiveSmallIntegerField(_("materials after"))
    hours_before = models.DecimalField(_("hours before"), max_digits=8, decimal_places=1)
    hours_after = models.DecimalField(_("hours after"), max_digits=8, decimal_places=1)

    class Meta:
        verbose_name = _("reform")
        verbose_name_plural = _("reforms")
        ordering = ["adopted_on", "id"]

    def __str__(self) -> str:
        return self.title


class ServiceBundle(models.Model):
    """ "One thing, one time" (一件事一次办): several items handled as one."""

    name = models.CharField(_("name"), max_length=200)
    items = models.ManyToManyField(ServiceItem, related_name="bundles", verbose_name=_("service items"))

    class Meta:
        verbose_name = _("one-thing bundle")
        verbose_name_plural = _("one-thing bundles")

    def __str__(self) -> str:
        return self.name
