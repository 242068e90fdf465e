"""Pages of investigation and research: plans with their rolled-up figures, key projects,
and service items with their reforms."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from grassroots.research.models import KeyProject, Measure, Problem, ResearchPlan, ServiceItem, Topic
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


@login_required
def export(request: HttpRequest, what: str, fmt: str) -> HttpResponse:
    """The research plans with their progress, the problems found, or the measures adopted
    in the user's units, as xlsx or CSV (audited)."""
    from grassroots.web.exports import audited_table_response

    if fmt not in ("xlsx", "csv") or what not in ("plans", "problems", "measures"):
        raise Http404
    user = request.user
    plans = ResearchPlan.objects.visible_to(user).select_related("unit")
    header: list[Any]
    rows: list[list[Any]]
    if what == "plans":
        chosen = list(plans.order_by("-starts_on", "id")[:10000])
        figures = progress_of([p.pk for p in chosen])
        header = [_("Plan"), _("Unit"), _("From"), _("Until"), _("Aspects"), _("Topics"), _("Problems found")]
        header += [_("Problems solved"), _("Measures adopted")]
        rows = [
            [p.title, p.unit.label, p.starts_on, p.ends_on or ""]
            + [figures[p.pk].get(k, 0) for k in ("aspects", "topics", "problems", "problems_solved", "measures")]
            for p in chosen
        ]
    elif what == "problems":
        problems = (
            Problem.objects.filter(topic__aspect__plan__in=plans)
            .select_related("topic__aspect__plan", "case")
            .order_by("topic__aspect__plan_id", "id")[:50000]
        )
        header = [_("Plan"), _("Topic"), _("Problem"), _("Case"), _("Case state"), _("Solved on")]
        rows = [
            [
                pr.topic.aspect.plan.title,
                pr.topic.title,
                pr.description,
                pr.case.number if pr.case else "",
                pr.case.get_state_display() if pr.case else "",
                pr.solved_on or "",
            ]
            for pr in problems
        ]
    else:
        measures = Measure.objects.visible_to(user).select_related("unit", "case").order_by("-adopted_on", "id")
        header = [_("Measure"), _("Kind"), _("Quantity"), _("Unit of quantity"), _("Adopted on"), _("Unit")]
        header += [_("Document number"), _("Case")]
        rows = [
            [
                m.title,
                m.get_kind_display(),
                m.quantity if m.quantity is not None else "",
                m.quantity_unit,
                m.adopted_on,
                m.unit.label,
                m.document_number,
                m.case.number if m.case else "",
            ]
            for m in measures[:50000]
        ]
    return audited_table_response(request, f"research-{what}", fmt, f"research.{what}", header, rows)
