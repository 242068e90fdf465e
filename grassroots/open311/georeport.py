"""The Open311 GeoReport v2 interface, as the specification writes it: every resource in
XML (required) and JSON by its path suffix, errors as a list of code and description with
HTTP 400, 403 or 404, service requests posted form-encoded with an API key.

Only residents' reports marked public are listed, and never with a name, phone or e-mail;
staff-registered petitions are not part of the feed at all."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from grassroots import clock
from grassroots.cases.models import Case, CaseEvent, Category
from grassroots.cases.workflow import Act
from grassroots.open311 import services
from grassroots.open311.models import ResidentReport, ServiceQuestion, Source
from grassroots.org.models import Unit
from grassroots.org.paths import within_q

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-26T00:00:00Z"  # when this interface last changed
DEFAULT_SPAN = timedelta(days=90)  # "a span of 90 days or first 1000 requests"
MAX_RESULTS = 1000
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
# In XML a list is an element holding one child per item, named as the spec names them.
ITEM_TAGS = {
    "attributes": "attribute",
    "values": "value",
    "notes": "note",
    "endpoints": "endpoint",
    "formats": "format",
}
CJK = re.compile(r"[\u4e00-\u9fff]")
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


class Open311Error(Exception):
    def __init__(self, status: int, *errors: tuple[int | str, str]) -> None:
        super().__init__(errors)
        self.status = status
        self.errors = errors


# --- rendering --------------------------------------------------------------------------------


def respond(fmt: str, root: str, item: str | None, data: Any, status: int = 200) -> HttpResponse:
    """``data`` as the JSON the spec shows, or as its XML: ``root`` holding one ``item``
    element per entry (``item`` None: ``data`` is a single object under ``root``)."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        element = ET.Element(root)
        for entry in data if item else [data]:
            _fill(ET.SubElement(element, item) if item else element, entry)
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="unicode")
    return HttpResponse(body.encode(), status=status, content_type=CONTENT_TYPES[fmt])


def _fill(element: ET.Element, entry: dict[str, Any]) -> None:
    for key, value in entry.items():
        child = ET.SubElement(element, key)
        if isinstance(value, list):
            for part in value:
                sub = ET.SubElement(child, ITEM_TAGS[key])
                if isinstance(part, dict):
                    _fill(sub, part)
                else:
                    sub.text = _text(part)
        elif isinstance(value, dict):
            _fill(child, value)
        else:
            child.text = _text(value)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def errors_response(fmt: str, status: int, errors: tuple[tuple[int | str, str], ...]) -> HttpResponse:
    data = [{"code": code, "description": description} for code, description in errors]
    return respond(fmt, "errors", "error", data, status)


def endpoint(methods: tuple[str, ...] = ("GET",)) -> Callable[..., Callable[..., HttpResponse]]:
    """Turns Open311Error and bad methods into the spec's error lists."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        def handle(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = errors_response(fmt, 405, ((405, _("Use {methods}.").format(methods=", ".join(methods))),))
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, fmt, **kwargs)
            except Open311Error as error:
                response = errors_response(fmt, error.status, error.errors)
                if error.status == 429:
                    response["Retry-After"] = "60"
                return response

        handle.__name__ = view.__name__
        handle.__doc__ = view.__doc__
        return handle

    return wrap


def _w3(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- resources --------------------------------------------------------------------------------


@endpoint()
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Service discovery: where the GeoReport v2 endpoint is and which formats it speaks."""
    base = request.build_absolute_uri(reverse("open311:discovery", args=["xml"])).rsplit("/", 1)[0]
    data = {
        "changeset": CHANGESET,
        "contact": _("The petition office of the jurisdiction (see the portal at {url})").format(
            url=request.build_absolute_uri(reverse("portal:report"))
        ),
        "key_service": _("API keys are issued by the administrator: grassroots open311 issue-key NAME"),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", None, data)


def _jurisdiction(request: HttpRequest) -> Unit:
    code = (request.POST if request.method == "POST" else request.GET).get("jurisdiction_id", "").strip()
    try:
        return services.jurisdiction(code or None)
    except Unit.DoesNotExist as missing:
        if code:
            raise Open311Error(404, (404, _("jurisdiction_id {code} was not found.").format(code=code))) from missing
        raise Open311Error(400, (400, _("jurisdiction_id was not provided."))) from missing


def _service_entry(category: Category, with_questions: set[int]) -> dict[str, Any]:
    parent = category.parent
    return {
        "service_code": category.code,
        "service_name": category.label,
        "description": category.full_label,
        "metadata": category.pk in with_questions,
        "type": "realtime",
        "keywords": ", ".join(category.keywords.replace(",", " ").split()) or None,
        "group": parent.label if parent else None,
    }


@endpoint()
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    _jurisdiction(request)
    categories = services.services()
    asking = set(ServiceQuestion.objects.filter(category__in=categories).values_list("category_id", flat=True))
    return respond(fmt, "services", "service", [_service_entry(c, asking) for c in categories])


@endpoint()
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    _jurisdiction(request)
    category = services.service(code)
    if category is None:
        raise Open311Error(404, (404, _("service_code {code} was not found.").format(code=code)))
    attributes = []
    for question in services.questions(category):
        attribute: dict[str, Any] = {
            "variable": question.variable,
            "code": question.code,
            "datatype": question.datatype,
            "required": question.required,
            "datatype_description": question.hint or None,
            "order": question.order,
            "description": question.label,
        }
        if question.datatype in ("singlevaluelist", "multivaluelist"):
            attribute["values"] = [{"key": key, "name": name} for key, name in question.choices()]
        attributes.append(attribute)
    return respond(fmt, "service_definition", None, {"service_code": category.code, "attributes": attributes})


@endpoint(methods=("GET", "POST"))
def requests_resource(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    return _list_requests(request, fmt)


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    key = data.get("api_key", "").strip()
    client = services.client_for_key(key) if key else None
    if client is None:
        message = _("Invalid api_key received -- can't proceed with create_request.")
        raise Open311Error(403, (403, message if key else _("api_key was not provided.")))
    unit = _jurisdiction(request)
    # PostgreSQL stores no NUL character in text; say which field has one rather than fail.
    for name, values in data.lists():
        if any("\x00" in value for value in values):
            raise Open311Error(400, (400, _("{field}: contains a NUL character.").format(field=name)))
    code = data.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, (400, _("service_code was not provided.")))
    category = services.service(code)
    if category is None:
        raise Open311Error(404, (404, _("service_code {code} was not found.").format(code=code)))
    answers: dict[str, Any] = {}
    for name in data:
        match = ATTRIBUTE.match(name)
        if match:
            answers[match.group(1)] = data.getlist(name) if match.group(2) else data.get(name)
    name = full_name(data.get("first_name", ""), data.get("last_name", ""))
    submission = services.Submission(
        category=category,
        description=data.get("description", ""),
        latitude=data.get("lat") or None,
        longitude=data.get("long") or None,
        address=data.get("address_string", ""),
        address_id=data.get("address_id", "").strip(),
        name=name,
        phone=data.get("phone", ""),
        email=data.get("email", "").strip(),
        device_id=data.get("device_id", ""),
        account_id=data.get("account_id", ""),
        media_url=data.get("media_url", "").strip(),
        answers=answers,
    )
    try:
        report, _secret = services.submit(
            submission,
            source=Source.OPEN311,
            client=client,
            address=request.META.get("REMOTE_ADDR"),
            jurisdiction_unit=unit,
        )
    except ValidationError as invalid:
        raise Open311Error(400, *_validation_errors(invalid)) from invalid
    except services.Throttled as throttled:
        raise Open311Error(429, (429, str(throttled))) from throttled
    entry: dict[str, Any]
    if report.case_id and report.case:
        notice = _("Registered with {organisation}; the decision on acceptance is due by {day}.").format(
            organisation=report.case.responsible.label if report.case.responsible else "—",
            day=timezone.localtime(report.case.acceptance_due_at).date() if report.case.acceptance_due_at else "—",
        )
        entry = {"service_request_id": report.case.number, "service_notice": notice, "account_id": None}
    else:
        notice = _("Received and queued; ask for the request id with the token shortly.")
        entry = {"token": report.token, "service_notice": notice, "account_id": None}
    return respond(fmt, "service_requests", "request", [entry], status=201)


def full_name(first: str, last: str) -> str:
    """Chinese names are written family name first and without a space; others as given."""
    first, last = first.strip(), last.strip()
    if CJK.search(first + last) and not (first + last).isascii():
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


def _validation_errors(invalid: ValidationError) -> list[tuple[int | str, str]]:
    messages = invalid.message_dict if hasattr(invalid, "error_dict") else {"": invalid.messages}
    field_names = {"lat": "lat", "long": "long", "address_string": "address_string"}
    return [
        (400, f"{field_names.get(name, name)}: {message}" if name else message)
        for name, texts in messages.items()
        for message in texts
    ]


def _list_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    unit = _jurisdiction(request)
    reports = _public_reports().filter(within_q("case__unit_path", [unit.path]))
    extensions = params.get("extensions", "").lower() == "true"
    ids = [part.strip() for part in params.get("service_request_id", "").split(",") if part.strip()]
    if ids:
        # "This overrides all other arguments."
        reports = reports.filter(case__number__in=ids[:MAX_RESULTS])
        return _requests_response(fmt, list(reports.order_by("-case__registered_at")), request, extensions)
    codes = [part.strip() for part in params.get("service_code", "").split(",") if part.strip()]
    if codes:
        reports = reports.filter(
            Q(case__category__code__in=codes) | Q(case__category__isnull=True, category__code__in=codes)
        )
    start, end = _period(params.get("start_date", ""), params.get("end_date", ""))
    reports = reports.filter(case__registered_at__gte=start, case__registered_at__lte=end)
    statuses = {part.strip() for part in params.get("status", "").split(",") if part.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, (400, _("status must be open, closed or both (comma separated).")))
    if statuses == {"open"}:
        reports = reports.filter(case__state__in=_open_states())
    elif statuses == {"closed"}:
        reports = reports.exclude(case__state__in=_open_states())
    page, size = _paging(params.get("page", ""), params.get("page_size", ""))
    chosen = list(reports.order_by("-case__registered_at", "-case_id")[(page - 1) * size : page * size])
    return _requests_response(fmt, chosen, request, extensions)


def _open_states() -> list[str]:
    from grassroots.cases.choices import OPEN_STATES, State

    return [s for s in OPEN_STATES if s != State.RESOLVED]


def _period(start_text: str, end_text: str) -> tuple[datetime, datetime]:
    start = _when(start_text, "start_date")
    end = _when(end_text, "end_date")
    if start and end and end < start:
        raise Open311Error(400, (400, _("end_date is before start_date.")))
    if start and end and end - start > DEFAULT_SPAN:
        raise Open311Error(400, (400, _("start_date and end_date may not span more than 90 days.")))
    if start and not end:
        end = start + DEFAULT_SPAN
    if end and not start:
        start = end - DEFAULT_SPAN
    if not start or not end:
        end = clock.now()
        start = end - DEFAULT_SPAN
    return start, end


def _when(text: str, name: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        value = parse_datetime(text.strip().replace(" ", "+"))  # a '+' arrives as a space when not escaped
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise Open311Error(
            400,
            (400, _("{name} must be a w3 date and time with its zone, e.g. 2010-01-01T00:00:00Z.").format(name=name)),
        )
    return value


def _paging(page_text: str, size_text: str) -> tuple[int, int]:
    """The pagination extension: ``page`` from 1, ``page_size`` up to 1,000."""
    try:
        page = int(page_text) if page_text.strip() else 1
        size = int(size_text) if size_text.strip() else MAX_RESULTS
    except ValueError as bad:
        raise Open311Error(400, (400, _("page and page_size must be whole numbers."))) from bad
    if page < 1 or not 1 <= size <= MAX_RESULTS:
        raise Open311Error(400, (400, _("page starts at 1; page_size is between 1 and 1000.")))
    return page, size


def _public_reports() -> Any:
    return ResidentReport.objects.filter(is_public=True, case__isnull=False).select_related(
        "case__category__parent", "case__responsible", "case__unit", "category__parent"
    )


@endpoint()
def request_detail(request: HttpRequest, fmt: str, number: str) -> HttpResponse:
    unit = _jurisdiction(request)
    report = _public_reports().filter(within_q("case__unit_path", [unit.path]), case__number=number).first()
    if report is None:
        raise Open311Error(404, (404, _("service_request_id {id} was not found.").format(id=number)))
    return _requests_response(fmt, [report], request, request.GET.get("extensions", "").lower() == "true")


@endpoint()
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    _jurisdiction(request)
    report = ResidentReport.objects.filter(token=token).select_related("case").first()
    if report is None:
        raise Open311Error(404, (404, _("token {token} was not found.").format(token=token[:60])))
    entry: dict[str, Any] = {"token": report.token}
    if report.case:
        entry = {"service_request_id": report.case.number, "token": report.token}
    return respond(fmt, "service_requests", "request", [entry])


@csrf_exempt  # a client posting to a wrong path is told it is wrong, not about cookies
def not_found(request: HttpRequest, fmt: str | None = None, rest: str = "") -> HttpResponse:
    # A path without a format suffix gets the required format, XML.
    return errors_response(
        fmt if fmt in CONTENT_TYPES else "xml",
        404,
        (
            (
                404,
                _("There is no such resource."),
            ),
        ),
    )


def _requests_response(fmt: str, reports: list[ResidentReport], request: HttpRequest, extensions: bool) -> HttpResponse:
    case_ids = [r.case_id for r in reports if r.case_id]
    timeline = services.public_events(case_ids)
    photos = _first_photos(reports)
    entries = [_request_entry(r, timeline[r.case_id], photos, request, extensions) for r in reports if r.case_id]
    return respond(fmt, "service_requests", "request", entries)


def _first_photos(reports: list[ResidentReport]) -> dict[int, Any]:
    from grassroots.open311.models import Photo

    first: dict[int, Any] = {}
    for photo in Photo.objects.filter(report__in=reports).order_by("uploaded_at"):
        first.setdefault(photo.report_id, photo)
    return first


def _request_entry(
    report: ResidentReport,
    events: list[CaseEvent],
    photos: dict[int, Any],
    request: HttpRequest,
    extensions: bool,
) -> dict[str, Any]:
    case: Case = report.case  # type: ignore[assignment]  # the callers keep reports with cases
    category = case.category or report.category
    closed = services.is_closed(case)
    photo = photos.get(report.pk)
    media = (
        request.build_absolute_uri(reverse("portal:photo", args=[photo.pk])) if photo else (report.media_url or None)
    )
    entry: dict[str, Any] = {
        "service_request_id": case.number,
        "status": "closed" if closed else "open",
        "status_notes": services.status_notes(events),
        "service_name": category.label,
        "service_code": category.code,
        "description": case.description,
        "agency_responsible": case.responsible.label if case.responsible else None,
        "service_notice": None,
        "requested_datetime": _w3(case.registered_at),
        "updated_datetime": _w3((case.closed_at or case.resolved_at) if closed else case.updated_at)
        or _w3(case.updated_at),
        "expected_datetime": None if closed else _w3(case.handling_due_at or case.current_due_at),
        "address": case.address or case.unit.label,
        "address_id": case.unit.code,
        "zipcode": None,
        "lat": float(case.latitude) if case.latitude is not None else None,
        "long": float(case.longitude) if case.longitude is not None else None,
        "media_url": media,
    }
    if extensions:
        entry["attributes"] = [
            {"code": code, "value": ", ".join(value) if isinstance(value, list) else value}
            for code, value in sorted(report.answers.items())
        ]
        entry["notes"] = [
            {
                "datetime": _w3(event.at),
                "description": event.note.strip()
                if event.kind in services.PUBLIC_NOTE_KINDS and event.note.strip()
                else str(Act(event.kind).label),
                "type": event.kind,
            }
            for event in events
        ]
    return entry
