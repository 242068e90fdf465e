"""Residents raising and following problems: the operations behind the portal and the
Open311 interface. Both validate the same way, store the report first (that is the
acknowledgement) and make the case through :func:`grassroots.cases.services.register_case`,
so a resident's report is routed and timed like any other case."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from grassroots import clock
from grassroots.audit.models import Action
from grassroots.audit.services import record
from grassroots.cases import services as cases
from grassroots.cases.choices import FINAL_STATES, CaseKind, Channel, Feedback, State
from grassroots.cases.models import Case, CaseEvent, Category
from grassroots.cases.services import PetitionerData
from grassroots.open311.models import (
    ApiClient,
    Datatype,
    FailedSecret,
    Photo,
    ResidentReport,
    ServiceQuestion,
    Source,
)
from grassroots.org.models import Unit

DESCRIPTION_MAX = 4000  # GeoReport v2: free text limited to 4,000 characters
SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105  # no 0/O or 1/I to misread
PHOTO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
RATE_WINDOW = timedelta(minutes=1)


class Throttled(Exception):  # noqa: N818  # reads as the outcome
    """Far too many reports at once: refused, to be retried after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(_("Too many reports at once. Try again in {n} seconds.").format(n=retry_after))
        self.retry_after = retry_after


# --- where residents report to -------------------------------------------------------------


def jurisdiction(code: str | None = None) -> Unit:
    """The unit a report goes to: the one named by ``code``, else the configured
    jurisdiction, else the top of the tree down to where it first branches."""
    if code:
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise Unit.DoesNotExist(code)
        return unit
    if settings.JURISDICTION:
        return Unit.objects.get(code=settings.JURISDICTION)
    roots = list(Unit.objects.filter(parent__isnull=True)[:2])
    if len(roots) != 1:
        raise Unit.DoesNotExist(_("No jurisdiction is configured."))
    unit = roots[0]
    while True:
        children = list(Unit.objects.filter(parent=unit)[:2])
        if len(children) != 1:
            return unit
        unit = children[0]


def services() -> list[Category]:
    """The problems residents can report: active sub-categories, with their group."""
    return list(
        Category.objects.filter(is_active=True, parent__isnull=False, parent__is_active=True)
        .select_related("parent")
        .order_by("parent__sort_order", "parent__code", "sort_order", "code")
    )


def service(code: str) -> Category | None:
    return Category.objects.filter(code=code, is_active=True, parent__isnull=False).select_related("parent").first()


def questions(category: Category) -> list[ServiceQuestion]:
    return list(ServiceQuestion.objects.filter(category=category).order_by("order", "code"))


# --- API keys -------------------------------------------------------------------------------


def issue_key(*, actor: Any, name: str, contact: str = "", per_minute: int = 60) -> tuple[ApiClient, str]:
    """A new client and its key. The key is returned this once; only its hash is kept."""
    if not name.strip():
        raise ValidationError({"name": _("Name the client.")})
    prefix = secrets.token_hex(4)
    key = f"{prefix}.{secrets.token_urlsafe(24)}"
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name.strip(), contact=contact, key_prefix=prefix, key_hash=_digest(key), per_minute=per_minute
        )
        record(Action.CREATE, actor=actor, target=client, detail={"per_minute": per_minute})
    return client, key


def revoke_key(client: ApiClient, *, actor: Any) -> ApiClient:
    with transaction.atomic():
        ApiClient.objects.filter(pk=client.pk).update(is_active=False, revoked_at=clock.now())
        client.refresh_from_db()
        record(Action.UPDATE, actor=actor, target=client, detail={"revoked": True})
    return client


def client_for_key(key: str) -> ApiClient | None:
    """The active client holding ``key``, compared in constant time."""
    prefix = key.split(".", 1)[0]
    client = ApiClient.objects.filter(key_prefix=prefix, is_active=True).first() if prefix else None
    if client is None or not hmac.compare_digest(client.key_hash, _digest(key)):
        return None
    return client


def _digest(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


# --- raising a problem ----------------------------------------------------------------------


@dataclass
class Submission:
    """What a resident sends, from either door."""

    category: Category
    description: str = ""
    unit: Unit | None = None
    latitude: Any = None
    longitude: Any = None
    address: str = ""
    address_id: str = ""
    name: str = ""
    phone: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    media_url: str = ""
    is_public: bool = True
    answers: dict[str, Any] = field(default_factory=dict)
    photos: list[tuple[str, bytes]] = field(default_factory=list)


def check(submission: Submission, *, require_description: bool) -> dict[str, Any]:
    """Validate ``submission``; the cleaned answers and location, or a ValidationError
    naming every field that is wrong and why."""
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    description = submission.description.strip()
    if len(description) > DESCRIPTION_MAX:
        fail("description", _("The description is longer than 4,000 characters."))
    elif require_description and not description:
        fail("description", _("Describe the problem."))
    latitude = _coordinate(submission.latitude, -90, 90, "lat", _("Latitude must be between -90 and 90."), fail)
    longitude = _coordinate(submission.longitude, -180, 180, "long", _("Longitude must be between -180 and 180."), fail)
    if (submission.latitude in (None, "")) != (submission.longitude in (None, "")):
        fail("lat", _("Give both latitude and longitude, or neither."))
    place: Unit | None = submission.unit
    if submission.address_id:
        place = Unit.objects.filter(code=submission.address_id).first()
        if place is None:
            fail("address_id", _("There is no place with the code {code}.").format(code=submission.address_id))
    if latitude is None and not submission.address.strip() and not submission.address_id:
        fail("location", _("Say where the problem is: a point on the map (lat and long), an address or a place code."))
    if len(submission.address) > 300:
        fail("address_string", _("The address is longer than 300 characters."))
    if submission.phone and not submission.name.strip():
        fail("name", _("Give your name with your phone number, or leave both out to stay anonymous."))
    if submission.media_url:
        parts = urlsplit(submission.media_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(submission.media_url) > 500:
            fail("media_url", _("The media link must be an http or https address."))
    if submission.email and ("@" not in submission.email or len(submission.email) > 254):
        fail("email", _("That is not an e-mail address."))
    answers = _check_answers(submission.category, submission.answers, fail)
    photos = _check_photos(submission.photos, fail)
    if errors:
        raise ValidationError(errors)
    return {"answers": answers, "photos": photos, "latitude": latitude, "longitude": longitude, "place": place}


def _coordinate(value: Any, low: int, high: int, name: str, message: str, fail: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        fail(name, _("Not a number: {value}").format(value=str(value)[:40]))
        return None
    if not number.is_finite() or not low <= number <= high:
        fail(name, message)
        return None
    return number.quantize(Decimal("0.000001"))


def _check_answers(category: Category, given: dict[str, Any], fail: Any) -> dict[str, Any]:
    asked = {q.code: q for q in questions(category)}
    answers: dict[str, Any] = {}
    for code in given:
        if code not in asked:
            fail(f"attribute[{code}]", _("This service asks no question {code}.").format(code=code))
    for code, question in asked.items():
        if not question.variable:
            continue
        value = given.get(code)
        values = [v for v in (value if isinstance(value, list) else [value]) if v not in (None, "")]
        if not values:
            if question.required:
                fail(f"attribute[{code}]", _("Answer: {question}").format(question=question.label))
            continue
        keys = {str(v["key"]) for v in question.values}
        name = f"attribute[{code}]"
        if question.datatype == Datatype.MULTI:
            wrong = [v for v in values if str(v) not in keys]
            if wrong:
                fail(name, _("Not a choice of this question: {value}").format(value=", ".join(map(str, wrong))[:80]))
            answers[code] = [str(v) for v in values]
            continue
        if len(values) > 1:
            fail(name, _("This question takes one answer."))
            continue
        answer = str(values[0])
        if question.datatype == Datatype.SINGLE and answer not in keys:
            fail(name, _("Not a choice of this question: {value}").format(value=answer[:80]))
        elif question.datatype == Datatype.NUMBER:
            try:
                float(answer)
            except ValueError:
                fail(name, _("Not a number: {value}").format(value=answer[:40]))
        elif question.datatype == Datatype.DATETIME and parse_datetime(answer) is None:
            fail(name, _("Not a date and time (e.g. 2026-05-01T08:30:00+08:00): {value}").format(value=answer[:40]))
        elif question.datatype == Datatype.STRING and ("\n" in answer or len(answer) > 300):
            fail(name, _("A short answer: one line, at most 300 characters."))
        elif len(answer) > 2000:
            fail(name, _("The answer is longer than 2,000 characters."))
        answers[code] = answer
    return answers


def _check_photos(photos: list[tuple[str, bytes]], fail: Any) -> list[tuple[str, bytes, str]]:
    checked = []
    if len(photos) > settings.PHOTOS_PER_REPORT:
        fail("photos", _("At most {n} photos.").format(n=settings.PHOTOS_PER_REPORT))
    for name, content in photos[: settings.PHOTOS_PER_REPORT]:
        kind = next((t for magic, t in PHOTO_TYPES.items() if content.startswith(magic)), None)
        if len(content) > settings.PHOTO_MAX_BYTES:
            limit = settings.PHOTO_MAX_BYTES // (1024 * 1024)
            fail("photos", _("{name} is larger than {mb} MB.").format(name=name[:60], mb=limit))
        elif kind is None:
            fail("photos", _("{name} is not a JPEG or PNG photo.").format(name=name[:60]))
        else:
            checked.append((name, content, kind))
    return checked


def submit(
    submission: Submission,
    *,
    source: str,
    client: ApiClient | None = None,
    address: str | None = None,
    jurisdiction_unit: Unit | None = None,
) -> tuple[ResidentReport, str]:
    """Store a resident's report and make its case.

    Returns the report and the tracking secret (shown to the resident once). Within the
    rate limit the case is made in the same transaction; above it the report is stored and
    queued (a burst is slowed, never lost); far above it :class:`Throttled` is raised and
    nothing is stored.
    """
    cleaned = check(submission, require_description=source == Source.PORTAL)
    defer = _over_limit(client, address)
    secret = "".join(secrets.choice(SECRET_ALPHABET) for _ in range(8))
    unit = cleaned["place"] or jurisdiction_unit or jurisdiction()
    description = submission.description.strip() or _described(submission.category, cleaned["answers"])
    with transaction.atomic():
        report = ResidentReport.objects.create(
            token=secrets.token_urlsafe(24),
            secret_hash=_digest(secret),
            source=source,
            category=submission.category,
            client=client,
            is_public=submission.is_public,
            answers=cleaned["answers"],
            email=submission.email,
            device_id=submission.device_id[:100],
            account_id=submission.account_id[:100],
            media_url=submission.media_url,
            address=address,
            pending={
                "category": submission.category.pk,
                "unit": unit.pk,
                "description": description,
                "address": submission.address.strip()[:300],
                "latitude": None if cleaned["latitude"] is None else str(cleaned["latitude"]),
                "longitude": None if cleaned["longitude"] is None else str(cleaned["longitude"]),
                "name": submission.name.strip()[:100],
                "phone": submission.phone.strip()[:32],
            },
        )
        for _name, content, kind in cleaned["photos"]:
            photo = Photo(report=report, content_type=kind, size=len(content))
            photo.file.save(f"{photo.id}.{'png' if kind == 'image/png' else 'jpg'}", ContentFile(content), save=False)
            photo.save()
        if client is not None:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=clock.now())
        if defer:
            from grassroots.open311.tasks import make_case

            transaction.on_commit(lambda: make_case.enqueue(report.pk))
        else:
            report.case = make_case_now(report)
            report.processed_at = clock.now()
    return report, secret


def _over_limit(client: ApiClient | None, address: str | None) -> bool:
    """True when the report should be queued; raises when it should be refused."""
    since = clock.now() - RATE_WINDOW
    if client is not None:
        limit = client.per_minute
        recent = ResidentReport.objects.filter(client=client, submitted_at__gte=since).count()
    else:
        limit = settings.PORTAL_REPORTS_PER_MINUTE
        recent = ResidentReport.objects.filter(address=address, client=None, submitted_at__gte=since).count()
    if recent >= limit * settings.REPORT_REFUSE_FACTOR:
        raise Throttled(retry_after=int(RATE_WINDOW.total_seconds()))
    return recent >= limit


def _described(category: Category, answers: dict[str, Any]) -> str:
    """A description for a report that came without one: the service and its answers."""
    lines = [category.full_label]
    for question in questions(category):
        if question.code in answers:
            value = answers[question.code]
            chosen = dict(question.choices())
            shown = (
                ", ".join(chosen.get(v) or v for v in value) if isinstance(value, list) else chosen.get(value) or value
            )
            lines.append(f"{question.label}: {shown}")
    return "\n".join(lines)


def make_case_now(report: ResidentReport) -> Case:
    """Make the case of a stored report, once: a second call (a retried task, two
    workers) finds the case already made and returns it."""
    with transaction.atomic():
        report = ResidentReport.objects.select_for_update().get(pk=report.pk)
        if report.case_id:
            return Case.objects.get(pk=report.case_id)
        data = report.pending
        category = Category.objects.get(pk=data["category"])
        description = data["description"]
        first_line = description.splitlines()[0] if description else category.label
        case = cases.register_case(
            actor=None,
            kind=CaseKind.HOTLINE,
            channel=Channel.ONLINE,
            title=first_line[:60] or category.name,
            description=description,
            unit=Unit.objects.get(pk=data["unit"]),
            category=category,
            address=data["address"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            petitioners=[PetitionerData(name=data["name"], phone=data["phone"])] if data["name"] else [],
            is_anonymous=not data["name"],
            idempotency_key=f"report:{report.token}",
            registered_at=report.submitted_at,
        )
        ResidentReport.objects.filter(pk=report.pk).update(case=case, pending={}, processed_at=clock.now())
    return case


def make_pending_cases(limit: int = 500) -> int:
    """Make the cases of queued reports (a safety net behind the per-report task)."""
    pending = list(ResidentReport.objects.filter(processed_at__isnull=True).order_by("id")[:limit])
    for report in pending:
        make_case_now(report)
    return len(pending)


# --- following a report ---------------------------------------------------------------------


class TrackingRefused(Exception):  # noqa: N818
    pass


def find_tracked(number: str, secret: str, *, address: str | None) -> ResidentReport:
    """The report whose case is ``number``, if ``secret`` is its tracking secret.

    Wrong answers are counted per address; past the hourly limit even a right one waits,
    so a secret cannot be guessed by trying."""
    since = clock.now() - timedelta(hours=1)
    if FailedSecret.objects.filter(address=address, at__gte=since).count() >= settings.TRACKING_FAILURES_PER_HOUR:
        raise TrackingRefused(_("Too many wrong attempts from this address. Try again in an hour."))
    report = (
        ResidentReport.objects.select_related("case")
        .filter(case__number=number.strip(), source=Source.PORTAL)
        .exclude(secret_hash="")
        .first()
    )
    given = _digest(secret.strip().upper().replace("-", "").replace(" ", ""))
    if report is None or not hmac.compare_digest(report.secret_hash, given):
        FailedSecret.objects.create(address=address)
        raise TrackingRefused(_("The case number and the secret do not match."))
    return report


@dataclass(frozen=True)
class ResidentChoices:
    """What the resident may do now, and until when."""

    can_rate: bool
    can_review: bool
    review_until: datetime | None


def resident_choices(case: Case) -> ResidentChoices:
    from grassroots.cases import deadlines

    review_until = None
    can_review = False
    if case.replied_at and not case.review_outcome and case.state in (State.REPLIED, State.RESOLVED, State.CLOSED):
        review_until = deadlines.review_request_window_ends(case.policy, case.replied_at)
        can_review = clock.now() <= review_until
    return ResidentChoices(can_rate=case.state == State.RESOLVED, can_review=can_review, review_until=review_until)


def rate(report: ResidentReport, *, verdict: str, comment: str = "") -> Case:
    """The resident's verdict on the answer: satisfied closes the case, unsatisfied
    reopens it (the resident's way to ask for a reopen)."""
    if verdict not in Feedback.values:
        raise ValidationError({"verdict": _("Choose satisfied, basically satisfied or unsatisfied.")})
    if verdict == Feedback.UNSATISFIED and not comment.strip():
        raise ValidationError({"comment": _("Say what is still wrong, so the handler can act on it.")})
    assert report.case is not None
    case = cases.give_feedback(report.case, actor=None, verdict=verdict, comment=comment.strip()[:2000])
    record(Action.UPDATE, actor=None, target=case, detail={"by": "resident", "verdict": verdict})
    return case


def ask_review(report: ResidentReport, *, reason: str) -> Case:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the answer should be reviewed.")})
    assert report.case is not None
    case = cases.request_review(report.case, actor=None, reason=reason.strip()[:2000])
    record(Action.UPDATE, actor=None, target=case, detail={"by": "resident", "review": True})
    return case


# --- what the public sees -------------------------------------------------------------------

# Events whose note is written for the resident and may be shown as the status notes.
PUBLIC_NOTE_KINDS = frozenset(
    {"reply", "resolve", "answer_review", "answer_rereview", "decline", "decline_repeat", "withdraw", "progress"}
)


def is_closed(case: Case) -> bool:
    """GeoReport has two states: a resolved case is closed for the reporter, as is every
    case that needs no more work."""
    return case.state == State.RESOLVED or case.state in FINAL_STATES


def public_events(case_ids: list[int]) -> dict[int, list[CaseEvent]]:
    """The public timeline of each case, oldest first, in one query."""
    timeline: dict[int, list[CaseEvent]] = {pk: [] for pk in case_ids}
    for event in CaseEvent.objects.filter(case_id__in=case_ids, is_public=True).order_by("case_id", "at", "id"):
        timeline[event.case_id].append(event)
    return timeline


# Of those, the answers given to the resident: the latest is the status note.
ANSWER_KINDS = frozenset({"reply", "answer_review", "answer_rereview", "decline", "decline_repeat", "withdraw"})


def status_notes(events: list[CaseEvent]) -> str | None:
    """The latest answer given to the resident (the reply, a review's answer, the reason
    for declining); progress and resolution notes stay in the history."""
    for event in reversed(events):
        if event.kind in ANSWER_KINDS and event.note.strip():
            return event.note.strip()
    return None
