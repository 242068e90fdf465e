from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from grassroots.org.models import Unit
from grassroots.stats.briefing import briefing
from grassroots.stats.metrics import default_period
from grassroots.web.views import get_visible_or_404, top_units


@login_required
def briefing_page(request: HttpRequest) -> HttpResponse:
    """A printable work briefing for a unit and a period, in Chinese or English."""
    roots = top_units(request.user)
    code = request.GET.get("unit") or (roots[0].code if roots else "")
    unit = get_visible_or_404(Unit.objects.all(), request.user, code=code)
    first, last = default_period()
    try:
        start = date.fromisoformat(request.GET.get("from") or first.isoformat())
        end = date.fromisoformat(request.GET.get("to") or last.isoformat())
    except ValueError:
        start, end = first, last
    language = request.GET.get("lang") or translation.get_language() or "zh-hans"
    language = "en" if language.startswith("en") else "zh-hans"
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
