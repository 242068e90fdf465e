from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from grassroots.org.models import Unit
from grassroots.replicas import statistics_view
from grassroots.stats.briefing import briefing
from grassroots.stats.metrics import default_period
from grassroots.web.views import get_visible_or_404, top_units


def period_of(request: HttpRequest) -> tuple[date, date]:
    """The ``from`` and ``to`` of a request, each falling back to the default period."""
    first, last = default_period()
    try:
        start = date.fromisoformat(request.GET.get("from") or first.isoformat())
        end = date.fromisoformat(request.GET.get("to") or last.isoformat())
    except ValueError:
        start, end = first, last
    return start, end


@login_required
@statistics_view
def briefing_page(request: HttpRequest) -> HttpResponse:
    """A printable work briefing for a unit and a period, in Chinese or English."""
    roots = top_units(request.user)
    code = request.GET.get("unit") or (roots[0].code if roots else "")
    unit = get_visible_or_404(Unit.objects.all(), request.user, code=code)
    start, end = period_of(request)
    language = request.GET.get("lang") or translation.get_language() or "zh-hans"
    language = "en" if language.startswith("en") else "zh-hans"
    if request.GET.get("format") == "pdf":
        return _briefing_pdf_response(request, unit, start, end, language)
    return render(
        request,
        "stats/briefing.html",
        {
            "unit": unit,
            "start": start,
            "end": end,
            "language": language,
            "paragraphs": briefing(unit, start, end, language),
        },
    )


def _briefing_pdf_response(request: HttpRequest, unit: Unit, start: date, end: date, language: str) -> HttpResponse:
    from grassroots.stats.briefing_pdf import briefing_pdf
    from grassroots.web.exports import record_export

    body = briefing_pdf(unit, start, end, language)
    record_export(request, "briefing", unit.code, {"format": "pdf", "bytes": len(body)})
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="briefing-{unit.code}-{start:%Y%m%d}-{end:%Y%m%d}-{language}.pdf"'
    )
    return response


@login_required
@statistics_view
def dashboard(request: HttpRequest) -> HttpResponse:
    """A unit's dashboard: key figures (each a link to the cases behind it), the trend, the
    categories, the ranking of the units below, the overdue list and a grid hotspot map."""
    from grassroots.cases.models import Case
    from grassroots.org.choices import Level
    from grassroots.stats.breakdowns import breakdown, breakdown_of
    from grassroots.stats.metrics import compute

    roots = top_units(request.user)
    code = request.GET.get("unit") or (roots[0].code if roots else "")
    unit = get_visible_or_404(Unit.objects.all(), request.user, code=code)
    start, end = period_of(request)
    figures = compute(
        unit,
        start,
        end,
        [
            "receptions.batches",
            "receptions.persons",
            "cases.received",
            "cases.resolved",
            "cases.overdue",
            "backlog.open",
            "rate.satisfaction",
            "rate.on_time",
            "grid_meetings.count",
            "outreach.audience",
        ],
    )
    months = breakdown_of(unit, start, end, "month", ("received", "resolved"))
    children = breakdown_of(unit, start, end, "child", ("received", "resolved"))
    overdue = list(
        Case.objects.visible_to(request.user)
        .within(unit)
        .overdue()
        .select_related("responsible", "unit")
        .order_by("current_due_at")[:15]
    )
    has_hotspots = Case.objects.visible_to(request.user).within(unit).open().filter(unit__level=Level.GRID).exists()
    return render(
        request,
        "stats/dashboard.html",
        {
            "unit": unit,
            "start": start,
            "end": end,
            "figures": figures,
            "chart": {
                "months": [m.key for m in months],
                "received": [m.values["received"] for m in months],
                "resolved": [m.values["resolved"] for m in months],
                # The bar keeps the leaf's name (the parent's would fill a narrow chart's
                # margin, every bar alike); the tooltip gives the whole label.
                "categories": [
                    {"name": r.label.rsplit(" / ", 1)[-1], "full": r.label, "value": r.value}
                    for r in breakdown(unit, start, end, "category", "received")[:10]
                ],
            },
            "children": children,
            "overdue": overdue,
            "has_hotspots": has_hotspots,
        },
    )


@login_required
@statistics_view
def hotspots(request: HttpRequest) -> HttpResponse:
    """Grids of a unit as GeoJSON with their open cases, for the hotspot map."""
    import json

    from django.db.models import Count

    from grassroots.cases.models import Case
    from grassroots.org.choices import Level

    unit = get_visible_or_404(Unit.objects.all(), request.user, code=request.GET.get("unit", ""))
    counts = dict(
        Case.objects.visible_to(request.user)
        .within(unit)
        .open()
        .filter(unit__level=Level.GRID)
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    grids = Unit.objects.within(unit).filter(level=Level.GRID, boundary__isnull=False)
    features = [
        {
            "type": "Feature",
            "geometry": g.boundary,
            "properties": {"code": g.code, "name": g.name, "name_en": g.name_en, "value": counts.get(g.pk, 0)},
        }
        for g in grids
    ]
    return HttpResponse(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        content_type="application/json",
    )


@login_required
@statistics_view
def export_stats(request: HttpRequest) -> HttpResponse:
    """Every metric of a unit and period, with its definition, as xlsx or CSV."""
    from grassroots.stats.metrics import METRICS, compute
    from grassroots.web.exports import table_response

    roots = top_units(request.user)
    unit = get_visible_or_404(
        Unit.objects.all(), request.user, code=request.GET.get("unit") or (roots[0].code if roots else "")
    )
    start, end = period_of(request)
    figures = compute(unit, start, end)
    rows = [[key, str(METRICS[key].label), value, METRICS[key].definition] for key, value in figures.items()]
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    header = [unit.label, f"{start:%Y-%m-%d} – {end:%Y-%m-%d}", "", ""]
    return table_response(f"stats-{unit.code}-{start:%Y%m%d}-{end:%Y%m%d}", fmt, header, rows)


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    """A leader's own view: the cases and projects they package, their coming reception
    days and down-visits with the appointments booked, the villages and enterprises they
    are linked to (with the open cases of each village), and their unit's key figures."""
    from datetime import timedelta

    from django.db.models import Count, Q
    from django.db.models.functions import Substr

    from grassroots import clock
    from grassroots.activities.models import Activity
    from grassroots.cases.choices import OPEN_STATES
    from grassroots.cases.models import Case, PackagePlan
    from grassroots.linkage.models import Link
    from grassroots.org.paths import within_q
    from grassroots.research.models import KeyProject
    from grassroots.stats.metrics import compute

    person = getattr(request.user, "person", None)
    context: dict[str, object] = {"person": person}
    if person is not None:
        visible = Case.objects.visible_to(request.user)
        packages = list(
            PackagePlan.objects.filter(leader=person, case__in=visible)
            .select_related("case__unit", "case__responsible")
            .order_by("case__state", "due_on", "case_id")
        )
        now = clock.now()
        coming = list(
            Activity.objects.filter(leader=person, starts_at__gte=now, starts_at__lt=now + timedelta(days=30))
            .select_related("unit")
            .annotate(booked=Count("appointments", filter=~Q(appointments__state="cancelled")))
            .order_by("starts_at")[:20]
        )
        links = list(Link.objects.active().filter(person=person).select_related("village", "enterprise").order_by("id"))
        villages = {link.village.path: link.village.pk for link in links if link.village}
        open_by_village: dict[int, int] = {}
        for length in {len(path) for path in villages}:  # villages sit at one depth: one query
            counts = (
                visible.filter(within_q("unit_path", [p for p in villages if len(p) == length]), state__in=OPEN_STATES)
                .annotate(village=Substr("unit_path", 1, length))
                .values("village")
                .annotate(n=Count("id"))
                .order_by()
            )
            for row in counts:
                open_by_village[villages[row["village"]]] = row["n"]
        projects = list(KeyProject.objects.filter(package_leaders=person).select_related("unit").order_by("title"))
        start, end = default_period()
        context.update(
            {
                "packages": packages,
                "coming": coming,
                "links": [(link, open_by_village.get(link.village_id or 0)) for link in links],
                "projects": projects,
                "unit": person.unit,
                "figures": compute(
                    person.unit, start, end, ["cases.received", "cases.resolved", "cases.overdue", "rate.satisfaction"]
                ),
                "start": start,
                "end": end,
            }
        )
    return render(request, "stats/my_work.html", context)


@login_required
@statistics_view
def hot(request: HttpRequest) -> HttpResponse:
    """The dashboard's hot issues of a unit and period (loaded after the page, by htmx)."""
    from grassroots.triage.hot import hot_issues

    unit = get_visible_or_404(Unit.objects.all(), request.user, code=request.GET.get("unit", ""))
    start, end = period_of(request)
    return render(request, "stats/hot.html", {"issues": hot_issues(unit, start, end, user=request.user)})
