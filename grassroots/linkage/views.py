"""Linkage pages: each policy's coverage with every gap by name, the solver's proposal as a
diff to approve, and the report as xlsx."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from grassroots.linkage import services
from grassroots.linkage.models import LinkagePolicy
from grassroots.web.exports import table_response
from grassroots.web.views import get_visible_or_404

APPROVERS = ("administrator", "leader")


def _policy(request: HttpRequest, pk: int) -> LinkagePolicy:
    policy: LinkagePolicy = get_visible_or_404(LinkagePolicy.objects.select_related("unit"), request.user, pk=pk)
    return policy


@login_required
def policy_list(request: HttpRequest) -> HttpResponse:
    policies = list(LinkagePolicy.objects.visible_to(request.user).filter(is_active=True).select_related("unit"))
    return render(request, "linkage/list.html", {"rows": [(p, services.coverage(p)) for p in policies]})


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(request, pk)
    user: Any = request.user  # login_required: a real User
    context = {"policy": policy, "coverage": services.coverage(policy), "may_apply": user.has_role(*APPROVERS)}
    return render(request, "linkage/report.html", context)


def fingerprint(proposal: services.Proposal) -> str:
    """A digest of exactly what a person approved, to refuse a stale approval."""
    parts = sorted(f"+{p.pk}:{type(t).__name__}:{t.pk}" for p, t in proposal.add)
    parts += sorted(f"-{link.pk}" for link in proposal.remove)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


@login_required
def proposal(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(request, pk)
    may_apply = request.user.has_role(*APPROVERS)  # type: ignore[union-attr]  # login_required: a real User
    current = services.propose(policy)
    if request.method == "POST":
        if not may_apply:
            raise Http404
        if request.POST.get("fingerprint") != fingerprint(current):
            messages.error(request, _("The links changed since this proposal was made; review the new one."))
        else:
            try:
                added, ended = services.apply_proposal(policy, actor=request.user, proposal=current)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request, _("Applied: {added} links made, {ended} ended.").format(added=added, ended=ended)
                )
                return redirect("linkage:report", pk=policy.pk)
    return render(
        request,
        "linkage/proposal.html",
        {
            "policy": policy,
            "proposal": current,
            "fingerprint": fingerprint(current),
            "may_apply": may_apply,
            "add": current.add[:500],
            "remove": current.remove[:500],
        },
    )


@login_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(request, pk)
    result = services.coverage(policy)
    rows: list[list[Any]] = [
        [_("villages covered"), result.villages_covered, result.villages_total, f"{result.villages_pct}%"],
        [_("enterprises covered"), result.enterprises_covered, result.enterprises_total, f"{result.enterprises_pct}%"],
        [_("cadres meeting their quota"), result.cadres_meeting_quota, result.cadres_total, ""],
        *[[_("village not covered"), v.code, v.label, ""] for v in result.uncovered_villages],
        *[[_("enterprise not covered"), e.code, e.label, e.unit.label] for e in result.uncovered_enterprises],
        *[[_("cadre short of the quota"), p.code, p.label, f"{nv} + {ne}"] for p, nv, ne in result.cadres_short],
    ]
    return table_response(
        f"linkage-{policy.pk}",
        request.GET.get("format", "xlsx") if request.GET.get("format") in ("xlsx", "csv") else "xlsx",
        [_("item"), _("count or code"), _("of or name"), _("note")],
        rows,
    )


@login_required
def package_leaders(request: HttpRequest) -> HttpResponse:
    """Open difficult and backlog cases, and a balanced package leader for each in one go."""
    from django.db.models import Q

    from grassroots.cases.models import Case
    from grassroots.org.models import Unit
    from grassroots.web.views import top_units

    user: Any = request.user
    roots = top_units(user)
    unit = roots[0] if len(roots) == 1 else Unit.objects.filter(parent__isnull=True).first()
    needing = (
        Case.objects.visible_to(user)
        .open()
        .filter(Q(is_difficult=True) | Q(pk__in=Case.objects.backlog().values("pk")))
    )
    cases = list(needing.select_related("unit", "package__leader").order_by("current_due_at")[:500])
    plan: dict[int, Any] = {}
    load = 0
    reasons: list[str] = []
    if unit is not None and cases:
        plan, load, reasons = services.plan_package_leaders(cases, list(services.leaders_for(unit)))
    if request.method == "POST" and user.has_role(*APPROVERS) and unit is not None:
        try:
            done, load = services.assign_package_leaders(actor=user, unit=unit, cases=cases)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("{n} cases now have a package leader; the busiest leader has {load}.").format(n=done, load=load),
            )
            return redirect("linkage:package-leaders")
    rows = [(c, plan.get(c.pk)) for c in cases]
    return render(
        request,
        "linkage/package_leaders.html",
        {"rows": rows, "load": load, "reasons": reasons, "may_apply": user.has_role(*APPROVERS)},
    )
