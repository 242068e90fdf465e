"""``GET /api/v1/stats/?unit=<code>&from=YYYY-MM-DD&to=YYYY-MM-DD[&metrics=a,b]``."""

from __future__ import annotations

from datetime import date
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from grassroots.org.models import Unit
from grassroots.replicas import statistics_reads
from grassroots.stats.breakdowns import DIMENSIONS, breakdown
from grassroots.stats.metrics import METRICS, compute, default_period
from grassroots.stats.models import COUNTERS


def _day(raw: str | None, field: str, default: date) -> date:
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({field: [f"Not a date (YYYY-MM-DD): {raw!r}"]}) from None


def _unit_and_period(request: Request) -> tuple[Unit, date, date]:
    code = request.query_params.get("unit")
    if not code:
        raise ValidationError({"unit": ["Required."]})
    unit = Unit.objects.visible_to(request.user).filter(code=code).first()
    if unit is None:
        raise ValidationError({"unit": [f"No unit {code} that you can see."]})
    first, last = default_period()
    start = _day(request.query_params.get("from"), "from", first)
    end = _day(request.query_params.get("to"), "to", last)
    if end < start:
        raise ValidationError({"to": ["The end of the period is before its start."]})
    return unit, start, end


class StatsView(APIView):
    """Metrics over a unit's whole subtree and a period; see ``/api/v1/stats/metrics/``."""

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", str, required=True, description="Division code of the unit."),
            OpenApiParameter("from", date),
            OpenApiParameter("to", date),
            OpenApiParameter("metrics", str, description="Comma-separated metric keys; default all."),
        ],
        responses=inline_serializer(
            "Stats",
            {
                "unit": serializers.CharField(),
                "from": serializers.DateField(),
                "to": serializers.DateField(),
                "metrics": serializers.DictField(),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        unit, start, end = _unit_and_period(request)
        keys = [k for k in (request.query_params.get("metrics") or "").split(",") if k] or None
        unknown = [k for k in keys or [] if k not in METRICS]
        if unknown:
            raise ValidationError({"metrics": [f"Unknown metric: {', '.join(unknown)}"]})
        with statistics_reads():
            figures = compute(unit, start, end, keys)
        return Response({"unit": unit.code, "from": start, "to": end, "metrics": figures})


class MetricListView(APIView):
    """Every metric key with its label and exact definition."""

    @extend_schema(responses=inline_serializer("MetricDefinition", {"key": serializers.CharField()}, many=True))
    def get(self, request: Request) -> Response:
        rows: list[dict[str, Any]] = [
            {"key": m.key, "label": str(m.label), "definition": m.definition} for m in METRICS.values()
        ]
        return Response(rows)


class BreakdownView(APIView):
    """A case counter of a subtree and period by child unit, category, channel or month."""

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", str, required=True),
            OpenApiParameter("from", date),
            OpenApiParameter("to", date),
            OpenApiParameter("by", str, enum=list(DIMENSIONS), required=True),
            OpenApiParameter("counter", str, enum=list(COUNTERS)),
        ],
        responses=inline_serializer(
            "Breakdown",
            {"key": serializers.CharField(), "label": serializers.CharField(), "value": serializers.IntegerField()},
            many=True,
        ),
    )
    def get(self, request: Request) -> Response:
        unit, start, end = _unit_and_period(request)
        by = request.query_params.get("by", "")
        counter = request.query_params.get("counter", "received")
        errors = {}
        if by not in DIMENSIONS:
            errors["by"] = [f"One of: {', '.join(DIMENSIONS)}."]
        if counter not in COUNTERS:
            errors["counter"] = [f"One of: {', '.join(COUNTERS)}."]
        if errors:
            raise ValidationError(errors)
        with statistics_reads():
            rows = breakdown(unit, start, end, by, counter)
        return Response([{"key": r.key, "label": r.label, "value": r.value} for r in rows])
