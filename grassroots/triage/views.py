"""Triage on the pages: suggestions and possible repeats at intake (partials for the intake
page, and the API's answer), possible repeats on the case page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from grassroots.org.models import Unit
from grassroots.triage import services


def _unit(user: Any, value: str) -> Unit | None:
    if not value:
        return None
    lookup: dict[str, Any] = {"pk": int(value)} if value.isdigit() and len(value) < 10 else {"code": value}
    # A grid's boundary can be a long polygon, and nothing here places a point.
    return Unit.objects.visible_to(user).defer("boundary").filter(**lookup).first()


@login_required
def suggest_partial(request: HttpRequest) -> HttpResponse:
    title = request.GET.get("title", "")[:200]
    description = request.GET.get("description", "")[:4000]
    made = services.suggest(title, description, unit=_unit(request.user, request.GET.get("unit", "")))
    return render(request, "triage/suggestions.html", {"made": made, "typed": bool((title + description).strip())})


@login_required
def similar_partial(request: HttpRequest) -> HttpResponse:
    """The intake page's cases that may be the same problem as the one being typed in: the
    repeat finder, given what the form holds so far (its place and first petitioner, once
    filled in)."""
    from grassroots.triage.repeats import Problem, look_alikes

    get = request.GET
    title, description = get.get("title", "")[:200].strip(), get.get("description", "")[:4000].strip()
    found = []
    if title or description:
        name, phone = get.get("petitioner_0_name", "")[:100].strip(), get.get("petitioner_0_phone", "")[:32].strip()
        problem = Problem(
            title=title,
            description=description,
            unit=_unit(request.user, get.get("unit", "")),
            names=frozenset([name] if name else []),
            phones=frozenset([phone] if phone else []),
        )
        found = look_alikes(problem, user=request.user)
    return render(request, "triage/similar.html", {"repeats": found})


class SuggestionSerializer(serializers.Serializer[Any]):
    category = serializers.CharField(source="category.code")
    name = serializers.CharField(source="category.full_label")
    probability = serializers.FloatField()
    organisation = serializers.CharField(source="organisation.code", allow_null=True, default=None)


class SuggestionsSerializer(serializers.Serializer[Any]):
    origin = serializers.CharField(source="source", help_text="model or keywords")
    model = serializers.IntegerField(source="model.version", allow_null=True, default=None)
    items = SuggestionSerializer(many=True)


class SuggestView(APIView):
    """The three likeliest categories of a problem, with the organisation each implies."""

    @extend_schema(
        parameters=[
            OpenApiParameter("title", str),
            OpenApiParameter("description", str),
            OpenApiParameter("unit", str, description="unit code, for the routing"),
        ],
        responses=SuggestionsSerializer,
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        made = services.suggest(
            params.get("title", "")[:200],
            params.get("description", "")[:4000],
            unit=_unit(request.user, params.get("unit", "")),
        )
        return Response(SuggestionsSerializer(made).data)


@login_required
def repeats_partial(request: HttpRequest, number: str) -> HttpResponse:
    """The case page's list of possible repeats, each with a one-click merge."""
    from grassroots.cases.models import Case
    from grassroots.cases.workflow import TRANSITIONS, Act
    from grassroots.triage.repeats import repeats_of
    from grassroots.web.views import get_visible_or_404

    case = get_visible_or_404(Case.objects.select_related("unit"), request.user, number=number)
    rule = TRANSITIONS[Act.MERGE]
    can_merge = case.state in rule.sources and request.user.has_role(*rule.roles)  # type: ignore[union-attr]
    found = repeats_of(case, user=request.user)
    return render(request, "triage/repeats.html", {"case": case, "repeats": found, "can_merge": can_merge})
