"""Pages of work at the grassroots: the list and calendars, recording an activity, its
page (problems filed, cases moved, appointments), and a stationed cadre's log."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grassroots import clock
from grassroots.activities import services
from grassroots.activities.choices import ActivityKind, CaseRole
from grassroots.activities.forms import (
    ActivityForm,
    CancelForm,
    FileCaseForm,
    HoldForm,
    PostingLogForm,
    PostingOutcomeForm,
)
from grassroots.activities.models import Activity, Appointment, PostingLog, PostingOutcome
from grassroots.cases.models import Case
from grassroots.cases.services import PetitionerData
from grassroots.org.models import Person, Posting, Unit
from grassroots.web.views import add_refusal, get_visible_or_404


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    activities = Activity.objects.visible_to(request.user).select_related("unit", "leader")
    kind = request.GET.get("kind", "")
    if kind in ActivityKind.values:
        activities = activities.filter(kind=kind)
    return render(
        request,
        "activities/list.html",
        {"activities": list(activities.order_by("-starts_at")[:100]), "kinds": ActivityKind.choices, "kind": kind},
    )


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The activity list with the page's filter, as xlsx or CSV (audited)."""
    from grassroots.web.exports import audited_table_response

    if fmt not in ("xlsx", "csv"):
        raise Http404
    activities = Activity.objects.visible_to(request.user).select_related("unit", "leader", "organisation")
    kind = request.GET.get("kind", "")
    if kind in ActivityKind.values:
        activities = activities.filter(kind=kind)
    header = [
        _("When"),
        _("Ends"),
        _("Kind"),
        _("State"),
        _("Title"),
        _("Unit"),
        _("Organisation"),
        _("Leader"),
        _("Batches"),
        _("Persons"),
        _("Topic"),
    ]
    table = [
        [
            timezone.localtime(a.starts_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(a.ends_at).strftime("%Y-%m-%d %H:%M") if a.ends_at else "",
            a.get_kind_display(),
            a.get_state_display(),
            a.title,
            a.unit.label,
            a.organisation.label if a.organisation else "",
            a.leader.label if a.leader else "",
            a.batches,
            a.persons,
            a.topic,
        ]
        for a in activities.order_by("-starts_at")[:50000]
    ]
    return audited_table_response(request, "activities", fmt, "activities.activity", header, table)


@login_required
def month_calendar(request: HttpRequest) -> HttpResponse:
    """A month of activities for a unit's subtree or for one person."""
    today = timezone.localtime(clock.now()).date()
    try:
        year, month = (int(x) for x in request.GET.get("month", f"{today.year}-{today.month}").split("-"))
        first = date(year, month, 1)
    except (ValueError, TypeError):
        first = today.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    activities = Activity.objects.visible_to(request.user).select_related("unit")
    subject: Any = None
    if request.GET.get("person"):
        subject = get_visible_or_404(Person.objects.all(), request.user, code=request.GET["person"])
        activities = activities.filter(participants=subject) | activities.filter(leader=subject)
    elif request.GET.get("unit"):
        subject = get_visible_or_404(Unit.objects.all(), request.user, code=request.GET["unit"])
        activities = activities.within(subject)
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    by_day: dict[date, list[Activity]] = {}
    for activity in activities.filter(starts_at__gte=start, starts_at__lt=end).distinct().order_by("starts_at"):
        by_day.setdefault(timezone.localtime(activity.starts_at).date(), []).append(activity)
    weeks = [
        [(d if d.month == first.month else None, by_day.get(d, [])) for d in week]
        for week in calendar.Calendar().monthdatescalendar(first.year, first.month)
    ]
    previous = (first - timedelta(days=1)).replace(day=1)
    following = last + timedelta(days=1)
    query = f"&person={subject.code}" if isinstance(subject, Person) else (f"&unit={subject.code}" if subject else "")
    return render(
        request,
        "activities/calendar.html",
        {
            "weeks": weeks,
            "first": first,
            "subject": subject,
            "query": query,
            "previous": f"{previous.year}-{previous.month}",
            "following": f"{following.year}-{following.month}",
        },
    )


@login_required
def record(request: HttpRequest) -> HttpResponse:
    initial = {
        "kind": request.GET.get("kind", ActivityKind.GRID_MEETING),
        "held": True,
        "starts_at": timezone.localtime(clock.now()).strftime("%Y-%m-%dT%H:%M"),
    }
    form = ActivityForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            activity = services.record_activity(
                actor=request.user,
                kind=d["kind"],
                title=d["title"],
                unit=d["unit"],
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                place=d["place"],
                topic=d["topic"],
                minutes=d["minutes"],
                persons=d["persons"],
                held=d["held"],
                organisation=_first_org(request.user),
                leader=getattr(request.user, "person", None) if d["kind"] == ActivityKind.RECEPTION_DAY else None,
            )
        except ValidationError as exc:
            add_refusal(form, exc)
        else:
            return redirect("activities:detail", pk=activity.pk)
    return render(request, "activities/record.html", {"form": form})


def _first_org(user: Any) -> Any:
    from grassroots.org.models import Organisation

    ids = sorted(user.organisation_ids())
    return Organisation.objects.filter(pk=ids[0]).first() if ids else None


def _context(request: HttpRequest, activity: Activity, **extra: Any) -> dict[str, Any]:
    links = list(activity.case_links.select_related("case"))
    visible = set(
        Case.objects.visible_to(request.user)
        .filter(pk__in=[link.case_id for link in links])
        .values_list("pk", flat=True)
    )
    return {
        "activity": activity,
        "links": [link for link in links if link.case_id in visible],
        "participants": list(activity.participants.all()),
        "appointments": list(activity.appointments.select_related("case")),
        "slots": services.free_slots(activity) if activity.kind == ActivityKind.RECEPTION_DAY else [],
        "attachments": list(activity.attachments.all()),
        "file_form": extra.pop("file_form", None) or FileCaseForm(),
        "hold_form": extra.pop("hold_form", None) or HoldForm(initial={"persons": activity.persons}),
        "cancel_form": extra.pop("cancel_form", None) or CancelForm(),
        "counts_batches": activity.kind in services.COUNTED,  # the kinds that receive visitors in batches
        "errors": extra.pop("errors", {}),
        **extra,
    }


def _activity(request: HttpRequest, pk: int) -> Activity:
    activity: Activity = get_visible_or_404(
        Activity.objects.select_related("unit", "organisation", "leader", "team"), request.user, pk=pk
    )
    return activity


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "activities/detail.html", _context(request, _activity(request, pk)))


@login_required
@require_POST
def file_case(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)

    def call(d: dict[str, Any]) -> None:
        petitioners = (
            [PetitionerData(name=d["petitioner"], phone=d["phone"], is_representative=d["persons"] > 1)]
            if d["petitioner"]
            else []
        )
        services.file_case(
            activity,
            actor=request.user,
            title=d["title"],
            description=d["description"],
            persons=d["persons"],
            petitioners=petitioners,
            is_anonymous=not petitioners and activity.kind not in _STAFF_FOUND,
        )

    return _posted(request, activity, FileCaseForm(request.POST), call, "file_form")


_STAFF_FOUND = {ActivityKind.GRID_MEETING, ActivityKind.RESEARCH_VISIT, ActivityKind.ON_SITE_OFFICE}


@login_required
@require_POST
def link_case(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    case = Case.objects.visible_to(request.user).filter(number=request.POST.get("case", "").strip()).first()
    role = request.POST.get("role", CaseRole.MOVED)
    errors: dict[str, Any] = {}
    if case is None:
        errors["case"] = [_no_case()]
    else:
        try:
            services.link_case(activity, actor=request.user, case=case, role=role, note=request.POST.get("note", ""))
        except ValidationError as exc:
            errors = exc.message_dict
    if errors:
        return render(request, "activities/detail.html", _context(request, activity, errors=errors), status=400)
    return redirect("activities:detail", pk=activity.pk)


def _no_case() -> str:
    from django.utils.translation import gettext as _

    return _("There is no such case that you can see.")


@login_required
@require_POST
def hold(request: HttpRequest, pk: int) -> HttpResponse:
    """A planned activity recorded as held, with its minutes and the people it reached."""
    activity = _activity(request, pk)

    def call(d: dict[str, Any]) -> None:
        services.hold_activity(
            activity, actor=request.user, minutes=d["minutes"], persons=d["persons"], batches=d["batches"]
        )

    return _posted(request, activity, HoldForm(request.POST), call, "hold_form")


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """A planned activity called off, with the reason; its booked appointments with it."""
    activity = _activity(request, pk)

    def call(d: dict[str, Any]) -> None:
        services.cancel_activity(activity, actor=request.user, reason=d["reason"])

    return _posted(request, activity, CancelForm(request.POST), call, "cancel_form")


def _posted(
    request: HttpRequest, activity: Activity, form: Any, call: Callable[[dict[str, Any]], None], name: str
) -> HttpResponse:
    """A form posted from the activity's page: the service called with what it holds, then
    back to the page; or the page again (400) with the form as posted, the service's
    refusal on the field it names, and any other reason in the page's error box."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            add_refusal(form, exc)
        else:
            return redirect("activities:detail", pk=activity.pk)
    errors = {"": form.non_field_errors()} if form.non_field_errors() else {}
    return render(
        request, "activities/detail.html", _context(request, activity, errors=errors, **{name: form}), status=400
    )


@login_required
@require_POST
def book(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    case = Case.objects.visible_to(request.user).filter(number=request.POST.get("case", "").strip()).first()
    slot = parse_datetime(request.POST.get("slot_at", ""))
    errors: dict[str, Any] = {}
    if case is None:
        errors["case"] = [_no_case()]
    elif slot is None:
        errors["slot_at"] = [_("Choose one of the day's times.")]
    else:
        try:
            services.book_appointment(
                activity, actor=request.user, case=case, slot_at=slot, note=request.POST.get("note", "")
            )
        except ValidationError as exc:
            errors = exc.message_dict
    if errors:
        return render(request, "activities/detail.html", _context(request, activity, errors=errors), status=400)
    return redirect("activities:detail", pk=activity.pk)


@login_required
@require_POST
def attend(request: HttpRequest, pk: int, appointment_id: int) -> HttpResponse:
    activity = _activity(request, pk)
    appointment = Appointment.objects.filter(activity=activity, pk=appointment_id).first()
    if appointment is None or not Case.objects.visible_to(request.user).filter(pk=appointment.case_id).exists():
        raise Http404
    try:
        if request.POST.get("outcome") == "no_show":
            services.miss_appointment(appointment, actor=request.user)
        else:
            services.attend_appointment(
                appointment,
                actor=request.user,
                notes=request.POST.get("notes", ""),
                resolved=request.POST.get("outcome") == "resolved",
            )
    except ValidationError as exc:
        return render(
            request, "activities/detail.html", _context(request, activity, errors=exc.message_dict), status=400
        )
    return redirect("activities:detail", pk=activity.pk)


@login_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    upload = request.FILES.get("file")
    errors: dict[str, Any] = {}
    if upload is None:
        errors["file"] = [_("Choose a file to upload.")]
    else:
        try:
            services.attach_file(
                activity,
                actor=request.user,
                name=upload.name or "file",
                content=upload.read(services.ATTACHMENT_MAX_BYTES + 1),
            )
        except ValidationError as exc:
            errors = exc.message_dict
    if errors:
        return render(request, "activities/detail.html", _context(request, activity, errors=errors), status=400)
    return redirect("activities:detail", pk=activity.pk)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The user's notifications (appointment reminders and the like); opening marks them read."""
    from grassroots.accounts.models import Notification

    user: Any = request.user  # login_required: a real User
    notes = list(Notification.objects.filter(recipient=user)[:100])
    unread = [n.pk for n in notes if n.read_at is None]
    if unread:
        Notification.objects.filter(pk__in=unread).update(read_at=clock.now())
    return render(request, "activities/inbox.html", {"notes": notes, "unread": set(unread)})


@login_required
def posting(request: HttpRequest, pk: int) -> HttpResponse:
    """A stationed cadre's log and results (M1)."""
    item: Posting = get_visible_or_404(
        Posting.objects.select_related("person", "village", "sent_by"), request.user, pk=pk
    )
    log_form = PostingLogForm(request.POST if request.POST.get("form") == "log" else None)
    outcome_form = PostingOutcomeForm(request.POST if request.POST.get("form") == "outcome" else None)
    if request.method == "POST":
        form = log_form if request.POST.get("form") == "log" else outcome_form
        if form.is_valid():
            try:
                if form is log_form:
                    services.log_posting_work(item, actor=request.user, **form.cleaned_data)
                else:
                    services.record_posting_outcome(item, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_refusal(form, exc)
            else:
                return redirect("activities:posting", pk=item.pk)
    return render(
        request,
        "activities/posting.html",
        {
            "posting": item,
            "logs": list(PostingLog.objects.filter(posting=item)[:100]),
            "outcomes": list(PostingOutcome.objects.filter(posting=item)),
            "log_form": log_form,
            "outcome_form": outcome_form,
        },
        status=400 if request.method == "POST" else 200,
    )
