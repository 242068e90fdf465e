"""The resident portal: raise a problem without an account, follow it with its case
number and secret, rate the answer, ask for a reopen or a review inside its window."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grassroots.cases.models import Case
from grassroots.cases.workflow import Act, WorkflowError
from grassroots.open311 import services
from grassroots.open311.forms import RateForm, ReportForm, ReviewForm, TrackForm
from grassroots.open311.models import Photo, ResidentReport, Source
from grassroots.org.choices import Level
from grassroots.org.models import Unit

TRACKED = "tracked_cases"  # session key: the case numbers this browser proved it may follow


def _root() -> Unit:
    try:
        return services.jurisdiction()
    except Unit.DoesNotExist as missing:
        raise Http404(_("No jurisdiction is configured.")) from missing


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    root = _root()
    form = ReportForm(request.POST or None, request.FILES or None, root=root)
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        try:
            made, secret = services.submit(
                form.submission(), source=Source.PORTAL, address=request.META.get("REMOTE_ADDR"), jurisdiction_unit=root
            )
        except ValidationError as invalid:
            errors = invalid.message_dict
        except services.Throttled as throttled:
            response = render(
                request, "open311/report.html", _report_context(form, root, {"__all__": [str(throttled)]})
            )
            response.status_code = 429
            response["Retry-After"] = str(throttled.retry_after)
            return response
        else:
            request.session["received"] = {"token": made.token, "secret": secret}
            return redirect("portal:received")
    status = 400 if request.method == "POST" else 200
    return render(request, "open311/report.html", _report_context(form, root, errors), status=status)


def _report_context(form: ReportForm, root: Unit, errors: dict[str, list[str]]) -> dict[str, Any]:
    for name, messages in errors.items():
        target = f"attribute_{name[10:-1]}" if name.startswith("attribute[") else name
        target = {"lat": "latitude", "long": "longitude", "location": "address"}.get(target, target)
        form.add_error(target if target in form.fields else None, messages)
    return {"form": form, "root": root}


def questions(request: HttpRequest) -> HttpResponse:
    """The questions of the chosen service, swapped into the form by htmx."""
    form = ReportForm({"service": request.GET.get("service", "")}, root=_root())
    return render(request, "open311/partials/questions.html", {"form": form})


def villages(request: HttpRequest) -> HttpResponse:
    """The villages and communities of the chosen town or street, as select options."""
    root = _root()
    options = Unit.objects.filter(parent__code=request.GET.get("township", ""), parent__parent=root).order_by("code")
    return render(request, "open311/partials/village_options.html", {"options": options})


def place_map(request: HttpRequest) -> HttpResponse:
    """The jurisdiction's villages and communities as GeoJSON, to click a place on."""
    root = _root()
    places = (
        Unit.objects.within(root)
        .filter(level=Level.VILLAGE, boundary__isnull=False)
        .only("code", "name", "name_en", "boundary")
    )
    features = [
        {
            "type": "Feature",
            "geometry": u.boundary,
            "properties": {"code": u.code, "name": u.name, "name_en": u.name_en},
        }
        for u in places
    ]
    return HttpResponse(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        content_type="application/json",
    )


def received(request: HttpRequest) -> HttpResponse:
    """The case number and the secret, shown once; the browser may follow the case."""
    shown = request.session.get("received")
    if not shown:
        return redirect("portal:track")
    made = ResidentReport.objects.select_related("case").filter(token=shown["token"]).first()
    if made is None:
        raise Http404
    if made.case:
        _remember(request, made.case.number)
        request.session.pop("received", None)  # the secret is shown once
    response = render(request, "open311/received.html", {"made": made, "secret": shown["secret"]})
    if not made.case:
        response["Refresh"] = "3"  # queued in a burst: the number appears in a moment
    return response


def _remember(request: HttpRequest, number: str) -> None:
    tracked = [n for n in request.session.get(TRACKED, []) if n != number]
    request.session[TRACKED] = [*tracked[-19:], number]


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None, initial={"number": request.GET.get("number", "")})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                found = services.find_tracked(
                    form.cleaned_data["number"], form.cleaned_data["secret"], address=request.META.get("REMOTE_ADDR")
                )
            except services.TrackingRefused as refused:
                form.add_error(None, str(refused))
                status = 403
            else:
                assert found.case is not None
                _remember(request, found.case.number)
                return redirect("portal:tracked", found.case.number)
    return render(request, "open311/track.html", {"form": form}, status=status)


def _tracked_report(request: HttpRequest, number: str) -> ResidentReport:
    if number not in request.session.get(TRACKED, []):
        raise Http404
    found = (
        ResidentReport.objects.select_related(
            "case__category__parent", "case__responsible", "case__unit", "case__policy"
        )
        .filter(case__number=number)
        .first()
    )
    if found is None:
        raise Http404
    return found


def tracked(request: HttpRequest, number: str) -> HttpResponse:
    found = _tracked_report(request, number)
    return render(request, "open311/tracked.html", _tracked_context(found))


def _tracked_context(found: ResidentReport, **extra: Any) -> dict[str, Any]:
    case: Case = found.case  # type: ignore[assignment]
    events = services.public_events([case.pk])[case.pk]
    organisations = {o.pk: o.label for o in _organisations(events)}
    timeline = [
        {
            "at": e.at,
            "label": Act(e.kind).label,
            "organisation": organisations.get(e.organisation_id, ""),
            "note": e.note if e.kind in services.PUBLIC_NOTE_KINDS else "",
        }
        for e in events
    ]
    return {
        "report": found,
        "case": case,
        "closed": services.is_closed(case),
        "timeline": timeline,
        "choices": services.resident_choices(case),
        "photos": list(found.photos.all()),
        "rate_form": extra.get("rate_form") or RateForm(),
        "review_form": extra.get("review_form") or ReviewForm(),
        "problem": extra.get("problem", ""),
    }


def _organisations(events: list[Any]) -> list[Any]:
    from grassroots.org.models import Organisation

    return list(Organisation.objects.filter(pk__in={e.organisation_id for e in events if e.organisation_id}))


@require_POST
def rate(request: HttpRequest, number: str) -> HttpResponse:
    found = _tracked_report(request, number)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.rate(found, verdict=form.cleaned_data["verdict"], comment=form.cleaned_data["comment"])
        except ValidationError as invalid:
            for name, messages in invalid.message_dict.items():
                form.add_error(name if name in form.fields else None, messages)
        except WorkflowError as refused:
            return _tracked_again(request, found, problem=refused.message, rate_form=form)
        else:
            return redirect("portal:tracked", number)
    return _tracked_again(request, found, rate_form=form)


@require_POST
def review(request: HttpRequest, number: str) -> HttpResponse:
    found = _tracked_report(request, number)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.ask_review(found, reason=form.cleaned_data["reason"])
        except ValidationError as invalid:
            form.add_error(None, invalid.messages)
        except WorkflowError as refused:
            return _tracked_again(request, found, problem=refused.message, review_form=form)
        else:
            return redirect("portal:tracked", number)
    return _tracked_again(request, found, review_form=form)


def _tracked_again(request: HttpRequest, found: ResidentReport, **extra: Any) -> HttpResponse:
    found.case.refresh_from_db()  # type: ignore[union-attr]
    return render(request, "open311/tracked.html", _tracked_context(found, **extra), status=400)


def photo(request: HttpRequest, pk: str) -> HttpResponseBase:
    """A report's photo: public with a public report; otherwise for the resident who
    follows it and for staff who may see the case."""
    found = Photo.objects.select_related("report__case").filter(pk=pk).first()
    if found is None:
        raise Http404
    case = found.report.case
    allowed = found.report.is_public or (case is not None and case.number in request.session.get(TRACKED, []))
    if not allowed and case is not None and request.user.is_authenticated:
        allowed = Case.objects.visible_to(request.user).filter(pk=case.pk).exists()
    if not allowed:
        raise Http404
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
