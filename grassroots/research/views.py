"""Pages of investigation and research: plans with their rolled-up figures, key projects,
and service items with their reforms."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from grassroots.research.models import KeyProject, Measure, ResearchPlan, ServiceItem, Topic
from grassroots.research.services import plan_progress, progress_of
from grassroots.web.views import get_visible_or_404


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    plans = list(ResearchPlan.objects.visible_to(user).select_related("unit")[:50])
    figures = progress_of([p.pk for p in plans])
    return render(
        request,
        "research/overview.html",
        {
            "plans": [(p, figures[p.pk]) for p in plans],
            "projects": list(
                KeyProject.objects.visible_to(user)
                .filter(parent__isnull=True)
                .select_related("unit")
                .prefetch_related("children", "package_leaders")[:50]
            ),
            "items": list(ServiceItem.objects.visible_to(user).prefetch_related("reforms")[:100]),
            "measures": list(Measure.objects.visible_to(user).select_related("case", "unit")[:20]),
        },
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(ResearchPlan.objects.select_related("unit"), request.user, pk=pk)
    topics = Topic.objects.select_related("lead").prefetch_related("problems__case", "findings", "measures")
    aspects = plan.aspects.prefetch_related(Prefetch("topics", queryset=topics))
    return render(
        request, "research/plan.html", {"plan": plan, "aspects": list(aspects), "progress": plan_progress(plan)}
    )
