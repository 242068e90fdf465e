from __future__ import annotations

from typing import Any

from rest_framework import serializers

from grassroots.cases.models import Case
from grassroots.org.models import Unit
from grassroots.research.models import KeyProject, Measure, Reform, ResearchPlan, ServiceItem
from grassroots.research.services import plan_progress, progress_of
from grassroots.web.api import ModelSerializer, ScopedReadOnlyViewSet


class MeasureSerializer(ModelSerializer[Measure]):
    unit = serializers.SlugRelatedField[Unit](slug_field="code", read_only=True)
    case = serializers.SlugRelatedField[Case](slug_field="number", read_only=True, allow_null=True)

    class Meta:
        model = Measure
        fields = [
            "id",
            "kind",
            "title",
            "quantity",
            "quantity_unit",
            "adopted_on",
            "document_number",
            "case",
            "topic",
            "project",
            "unit",
        ]


class ResearchPlanSerializer(ModelSerializer[ResearchPlan]):
    unit = serializers.SlugRelatedField[Unit](slug_field="code", read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = ResearchPlan
        fields = ["id", "title", "unit", "starts_on", "ends_on", "progress"]

    def get_progress(self, plan: ResearchPlan) -> dict[str, int]:
        figures = self.context.get("progress")
        return figures[plan.pk] if figures and plan.pk in figures else plan_progress(plan)


class KeyProjectSerializer(ModelSerializer[KeyProject]):
    unit = serializers.SlugRelatedField[Unit](slug_field="code", read_only=True)

    class Meta:
        model = KeyProject
        fields = ["id", "title", "unit", "parent", "weight", "progress"]


class ReformSerializer(ModelSerializer[Reform]):
    class Meta:
        model = Reform
        fields = [
            "title",
            "adopted_on",
            "document_number",
            "materials_before",
            "materials_after",
            "hours_before",
            "hours_after",
        ]


class ServiceItemSerializer(ModelSerializer[ServiceItem]):
    unit = serializers.SlugRelatedField[Unit](slug_field="code", read_only=True)
    reforms = ReformSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceItem
        fields = ["id", "name", "unit", "materials", "time_limit_hours", "reforms"]


class MeasureViewSet(ScopedReadOnlyViewSet):
    """Measures adopted in the caller's units, with their quantities."""

    queryset = Measure.objects.select_related("unit", "case")
    serializer_class = MeasureSerializer
    ordering = "-id"


class ResearchPlanViewSet(ScopedReadOnlyViewSet):
    """Research plans with their rolled-up figures (aspects, topics, problems, measures)."""

    queryset = ResearchPlan.objects.select_related("unit")
    serializer_class = ResearchPlanSerializer
    ordering = "-id"

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        # One set of counting queries for the whole page, not one per plan.
        self._progress = progress_of([plan.pk for plan in page or []])
        return page

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "progress": getattr(self, "_progress", None)}


class KeyProjectViewSet(ScopedReadOnlyViewSet):
    queryset = KeyProject.objects.select_related("unit")
    serializer_class = KeyProjectSerializer
    ordering = "id"


class ServiceItemViewSet(ScopedReadOnlyViewSet):
    queryset = ServiceItem.objects.select_related("unit").prefetch_related("reforms")
    serializer_class = ServiceItemSerializer
    ordering = "id"
