"""Pages of the closed loop: intake, queues, the case page with its acts, the overdue and
backlog board, and printable notices."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grassroots.audit.models import Action
from grassroots.audit.services import record
from grassroots.cases import notices, services
from grassroots.cases.api.views import ACT_ENDPOINTS
from grassroots.cases.choices import AssignmentStatus, CaseKind, Channel, NoticeKind, State
from grassroots.cases.filters import CaseFilter, without
from grassroots.cases.forms import GridReportForm, IntakeForm
from grassroots.cases.models import Assignment, Case, Category, PackagePlan
from grassroots.cases.workflow import Act, WorkflowError, allowed_acts
from grassroots.org.models import Organisation, Person
from grassroots.web.views import add_refusal, get_visible_or_404, is_htmx

PAGE = 50
STAFF_CHANNELS = [Channel.LETTER, Channel.VISIT, Channel.PHONE]


def _list_queryset(user: Any) -> Any:
    return Case.objects.visible_to(user).select_related("category", "unit", "responsible")


def _assigned_to(org_ids: Iterable[int]) -> Any:
    """The cases with an open assignment for these organisations: as a list of ids when it
    is a queue's worth, so both arms of "responsible or assigned" are index lookups (as a
    subquery the database walks every open case to test it); as a subquery when longer."""
    assigned = Assignment.objects.filter(organisation_id__in=org_ids, status=AssignmentStatus.OPEN)
    ids = list(assigned.values_list("case_id", flat=True)[:5001])
    return ids if len(ids) <= 5000 else assigned.values("case_id")


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """My queue (cases my organisations hold), or every case in my units, filtered."""
    user = request.user
    # Who holds no post (a grid member) holds no cases: their list is their grid's.
    tab = request.GET.get("tab") or ("mine" if user.organisation_ids() else "all")  # type: ignore[union-attr]
    cases = _list_queryset(user)
    if tab == "mine":
        org_ids = user.organisation_ids()  # type: ignore[union-attr]  # read once, kept on the user
        cases = cases.open().filter(Q(responsible_id__in=org_ids) | Q(pk__in=_assigned_to(org_ids)))
    filterset = CaseFilter(request.GET, queryset=cases, request=request)
    # The text is searched newest first by the list itself (newest_matching_ids), not
    # filtered over the whole subtree; the form still shows and checks it.
    text = request.GET.get("q", "").strip()
    unsearched = CaseFilter(without(request.GET, "q"), queryset=cases, request=request)
    rows = unsearched.qs if filterset.is_valid() and unsearched.is_valid() else cases.none()
    before = request.GET.get("before")
    if before and before.isdigit():
        rows = rows.filter(id__lt=int(before))
    ids = rows.newest_matching_ids(PAGE + 1, text) if text else rows.newest_ids(PAGE + 1)
    more = len(ids) > PAGE
    # The ids passed the scope; asking it again would lead the planner back to the subtree.
    shown = Case.objects.filter(pk__in=ids[:PAGE]).select_related("category", "unit", "responsible")
    page = list(shown.order_by("-id")) if ids else []
    context = {
        "tab": tab,
        "cases": page,
        "filter": filterset,
        "next_before": page[-1].pk if more and page else None,
        "query": request.GET.urlencode(),
        "now": timezone.now(),
    }
    template = "cases/partials/case_rows.html" if is_htmx(request) and before else "cases/queue.html"
    return render(request, template, context)


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The case list with the same filters as the page, as xlsx or CSV (no petitioner
    identity: the list never shows it)."""
    from grassroots.web.exports import table_response

    if fmt not in ("xlsx", "csv"):
        raise Http404
    cases = _list_queryset(request.user)
    filterset = CaseFilter(request.GET, queryset=cases, request=request)
    rows = filterset.qs if filterset.is_valid() else cases.none()
    rows = rows.order_by("-id")[:50000]
    header = [
        _("Number"),
        _("Title"),
        _("Kind"),
        _("Channel"),
        _("State"),
        _("Category"),
        _("Place"),
        _("Held by"),
        _("Persons"),
        _("Registered"),
        _("Due"),
    ]
    table = [
        [
            c.number,
            c.title,
            c.get_kind_display(),
            c.get_channel_display(),
            c.get_state_display(),
            c.category.full_label if c.category else "",
            c.unit.label,
            c.responsible.label if c.responsible else "",
            c.persons,
            timezone.localtime(c.registered_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(c.current_due_at).strftime("%Y-%m-%d") if c.current_due_at else "",
        ]
        for c in rows.select_related("category__parent")
    ]
    with transaction.atomic():
        record(
            Action.EXPORT,
            actor=request.user,
            target_type="cases.case",
            target_repr=f"{len(table)} cases",
            detail={"filters": request.GET.urlencode(), "format": fmt, "rows": len(table)},
        )
    return table_response("cases", fmt, header, table)


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """Overdue, due-soon and backlog cases, and who holds them."""
    cases = _list_queryset(request.user)
    overdue = cases.overdue().order_by("current_due_at")
    context = {
        "overdue": list(overdue[:100]),
        "due_soon": list(cases.due_soon(days=3).order_by("current_due_at")[:100]),
        "backlog": list(cases.backlog().order_by("handling_due_at")[:100]),
        "by_organisation": list(
            overdue.order_by()
            .values("responsible__name", "responsible__name_en")
            .annotate(n=Count("id"))
            .order_by("-n")[:20]
        ),
        "now": timezone.now(),
    }
    return render(request, "cases/board.html", context)


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    channel = request.GET.get("channel", Channel.VISIT)
    initial = {"channel": channel if channel in Channel.values else Channel.VISIT, "kind": CaseKind.PETITION}
    form = IntakeForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.register_case(
                actor=request.user,
                kind=d["kind"],
                channel=d["channel"],
                title=d["title"],
                description=d["description"],
                unit=d["unit"],
                category=d["category"],
                address=d["address"],
                latitude=d["latitude"],
                longitude=d["longitude"],
                persons=d["persons"],
                is_anonymous=d["is_anonymous"],
                is_urgent=d["is_urgent"],
                petitioners=form.petitioners(),
                idempotency_key=request.POST.get("idempotency_key") or None,
            )
        except ValidationError as exc:
            add_refusal(form, exc)
        else:
            return redirect("cases:detail", number=case.number)
    return render(
        request, "cases/intake.html", {"form": form, "staff_channels": STAFF_CHANNELS, "idempotency_key": _fresh_key()}
    )


@login_required
def grid_report(request: HttpRequest) -> HttpResponse:
    """A grid member's phone-friendly report of what a walk round found."""
    form = GridReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.register_case(
                actor=request.user,
                kind=CaseKind.GRID_INCIDENT,
                channel=Channel.GRID_PATROL,
                title=d["title"],
                description=d["description"],
                unit=d["unit"],
                address=d["address"],
                latitude=d["latitude"],
                longitude=d["longitude"],
                is_urgent=d["is_urgent"],
                idempotency_key=request.POST.get("idempotency_key") or None,
            )
        except ValidationError as exc:
            add_refusal(form, exc)
        else:
            return redirect("cases:detail", number=case.number)
    return render(request, "cases/grid_report.html", {"form": form, "idempotency_key": _fresh_key()})


def _fresh_key() -> str:
    import uuid

    return uuid.uuid4().hex


HANDLING = {"accepted", "assigned", "in_progress"}


def available_acts(case: Case, user: Any) -> list[str]:
    """The acts the case page offers, in the order a clerk meets them."""
    by_rule = set(allowed_acts(case, user))
    staff = user.has_role("petition_staff", "administrator", "leader")
    handler = staff or user.has_role("department_handler")
    offered = {
        "accept": "accept" in by_rule,
        "decline": "decline" in by_rule,
        "decline-repeat": "decline_repeat" in by_rule,
        "classify": case.is_open and handler,
        "escalate": case.state in HANDLING and handler,
        "assign": "assign" in by_rule,
        "start": "start" in by_rule,
        "site-visit": case.state in ("assigned", "in_progress") and handler,
        "progress": case.state in ("assigned", "in_progress", "replied") and handler,
        "request-extension": case.state in ("assigned", "in_progress")
        and handler
        and not case.extension_days
        and not case.extension_requested_days,
        "decide-extension": bool(case.extension_requested_days) and staff,
        "transfer": "transfer" in by_rule,
        "send-back": "send_back" in by_rule,
        "reply": "reply" in by_rule,
        "resolve": "resolve" in by_rule,
        "feedback": "feedback" in by_rule,
        "close": "close" in by_rule,
        "request-review": "request_review" in by_rule and bool(case.replied_at) and not case.review_outcome,
        "answer-review": "answer_review" in by_rule,
        "request-rereview": "request_rereview" in by_rule and bool(case.review_outcome) and not case.rereview_outcome,
        "answer-rereview": "answer_rereview" in by_rule,
        "flag": case.is_open and staff,
        "package": (case.is_difficult or case.is_backlog) and staff and case.is_open,
        "merge": "merge" in by_rule,
        "withdraw": "withdraw" in by_rule,
        "note": True,
    }
    return [name for name, ok in offered.items() if ok]


def _case_context(
    request: HttpRequest, case: Case, errors: dict[str, Any] | None = None, failed_act: str = ""
) -> dict[str, Any]:
    user = request.user
    acts = set(available_acts(case, user))
    return {
        "case": case,
        "petitioners": list(case.petitioners.all()),
        "assignments": list(case.assignments.select_related("organisation", "assigned_by")),
        "events": list(case.events.select_related("actor__person", "organisation")),
        "complained": list(case.complained_parties.select_related("person", "organisation")),
        "acts": acts,
        "package": PackagePlan.objects.filter(case=case).select_related("leader").first(),
        "notices": notices.available_notices(case),
        "errors": errors or {},
        "failed_act": failed_act,
        "departments": Organisation.objects.filter(
            kind__in=["department", "mediation_centre", "service_centre", "petition_office"]
        )
        .select_related("unit")
        .order_by("unit__path", "code")
        if acts & {"assign", "transfer"}
        else [],
        "categories": Category.objects.filter(parent__isnull=False, is_active=True).select_related("parent")
        if case.is_open
        else [],
        "leaders": Person.objects.visible_to(user).filter(posts__is_leader=True).distinct()[:200]
        if case.is_difficult or case.is_backlog
        else [],
        "now": timezone.now(),
        "act_labels": dict(Act.choices),
        "state_labels": dict(State.choices),
        "notice_labels": dict(NoticeKind.choices),
    }


def _case(request: HttpRequest, number: str) -> Case:
    queryset = Case.objects.select_related("category", "unit", "responsible", "policy", "master")
    case: Case = get_visible_or_404(queryset, request.user, number=number)
    return case


@login_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    case = _case(request, number)
    with transaction.atomic():
        record(Action.READ, actor=request.user, target=case, detail={"fields": ["petitioners"]})
    return render(request, "cases/detail.html", _case_context(request, case))


@login_required
@require_POST
def act(request: HttpRequest, number: str, name: str) -> HttpResponse:
    """Take one act on the case through the same table as the API; on htmx requests the
    case body is re-rendered in place."""
    endpoint = ACT_ENDPOINTS.get(name)
    if endpoint is None:
        raise Http404
    case = _case(request, number)
    errors: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if endpoint.serializer is not None:
        form = endpoint.serializer(data=request.POST)
        if form.is_valid():
            data = dict(form.validated_data)
        else:
            errors = dict(form.errors)
    if not errors:
        try:
            endpoint.call(case, request.user, data, request)  # type: ignore[arg-type]  # views pass Django requests
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        except WorkflowError as exc:
            errors = {"__all__": [exc.message]}
    case = _case(request, number)
    context = _case_context(request, case, errors, failed_act=name if errors else "")
    status = 400 if errors else 200
    if is_htmx(request):
        return render(request, "cases/partials/case_body.html", context, status=status)
    if not errors:
        return redirect("cases:detail", number=case.number)
    return render(request, "cases/detail.html", context, status=status)


@login_required
def reveal_petitioner(request: HttpRequest, number: str, index: int) -> HttpResponse:
    case = _case(request, number)
    if request.method != "POST" or not request.user.may_unmask:  # type: ignore[union-attr]
        raise Http404
    petitioners = list(case.petitioners.all())
    if not 0 <= index < len(petitioners):
        raise Http404
    petitioner = petitioners[index]
    with transaction.atomic():
        record(
            Action.READ,
            actor=request.user,
            target=case,
            detail={"fields": ["phone", "id_number"], "petitioner": petitioner.pk},
        )
    return render(request, "cases/partials/petitioner_revealed.html", {"p": petitioner})


@login_required
def notice(request: HttpRequest, number: str, kind: str) -> HttpResponse:
    case = _case(request, number)
    if kind not in NoticeKind.values or kind not in notices.available_notices(case):
        raise Http404
    language = request.GET.get("lang") or translation.get_language() or "zh-hans"
    language = "en" if language.startswith("en") else "zh-hans"
    rendered = notices.render_notice(case, kind, language)
    with transaction.atomic():
        record(Action.READ, actor=request.user, target=case, detail={"notice": kind, "language": language})
    return render(request, "cases/notice.html", {"case": case, "notice": rendered})
