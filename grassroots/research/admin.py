from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from grassroots.audit.admin_mixins import AuditedAdmin
from grassroots.research.models import (
    Aspect,
    Finding,
    KeyProject,
    Measure,
    Milestone,
    Problem,
    Reform,
    ResearchPlan,
    ServiceBundle,
    ServiceItem,
    Topic,
)


class UnitPathAdmin(AuditedAdmin):
    """Rows placed in a unit: the path is copied from the unit on save, and each
    administrator sees their own subtree."""

    raw_id_fields = ["unit"]

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset: Any = super().get_queryset(request)
        return queryset.visible_to(request.user)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.unit_path = obj.unit.path
        super().save_model(request, obj, form, change)


class AspectInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Aspect
    extra = 0


@admin.register(ResearchPlan)
class ResearchPlanAdmin(UnitPathAdmin):
    list_display = ["title", "unit", "starts_on", "ends_on"]
    inlines = [AspectInline]


class TopicInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Topic
    extra = 0
    raw_id_fields = ["lead", "team"]


@admin.register(Aspect)
class AspectAdmin(AuditedAdmin):
    list_display = ["title", "plan", "order"]
    inlines = [TopicInline]


class ProblemInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Problem
    extra = 0
    raw_id_fields = ["case"]


class FindingInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Finding
    extra = 0


@admin.register(Topic)
class TopicAdmin(AuditedAdmin):
    list_display = ["title", "aspect", "lead", "due_on", "done_on"]
    raw_id_fields = ["lead", "team"]
    inlines = [ProblemInline, FindingInline]


@admin.register(Measure)
class MeasureAdmin(UnitPathAdmin):
    list_display = ["title", "quantity", "quantity_unit", "adopted_on", "case", "topic", "project", "unit"]
    raw_id_fields = ["unit", "case", "topic", "problem", "project", "organisation"]


class MilestoneInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Milestone
    extra = 0


@admin.register(KeyProject)
class KeyProjectAdmin(UnitPathAdmin):
    list_display = ["title", "unit", "parent", "weight", "progress"]
    raw_id_fields = ["unit", "parent", "package_leaders", "cases", "topics"]
    readonly_fields = ["progress"]
    inlines = [MilestoneInline]


class ReformInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Reform
    extra = 0


@admin.register(ServiceItem)
class ServiceItemAdmin(UnitPathAdmin):
    list_display = ["name", "unit", "materials", "time_limit_hours"]
    raw_id_fields = ["unit", "organisation"]
    inlines = [ReformInline]


@admin.register(ServiceBundle)
class ServiceBundleAdmin(AuditedAdmin):
    list_display = ["name"]
    filter_horizontal = ["items"]
