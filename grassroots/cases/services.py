"""Operations on cases. Each is one transaction: it locks the case, moves it through
:mod:`grassroots.cases.workflow`, and writes the timeline event and the audit entry
together. Views, the API, commands, tasks and tests all call these."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots import clock
from grassroots.accounts.choices import Role
from grassroots.audit.context import Origin, acting_user, current_origin
from grassroots.audit.models import Action
from grassroots.audit.services import Entry, record, record_all
from grassroots.cases import deadlines
from grassroots.cases.choices import (
    AssignmentMode,
    AssignmentStatus,
    CaseKind,
    Channel,
    Feedback,
    ReviewOutcome,
    State,
)
from grassroots.cases.models import (
    Assignment,
    Case,
    CaseCounter,
    CaseEvent,
    Category,
    ComplainedParty,
    PackagePlan,
    Petitioner,
    Receipt,
    RoutingRule,
)
from grassroots.cases.signals import case_classified, case_registered
from grassroots.cases.workflow import Act, Conflict, NotAllowed, lock, record_event, transition
from grassroots.deferred import enqueue_at
from grassroots.memo import Memo
from grassroots.org.choices import Level
from grassroots.org.models import Organisation, Person, Post, Unit
from grassroots.org.paths import SEGMENT_WIDTH, ancestor_paths
from grassroots.retention import delete_in_slices

MAX_REPRESENTATIVES = 5  # a group visit elects at most five representatives (信访条例 art. 18)
# Channels where the problem was found by staff, not brought by a named resident.
FOUND_BY_STAFF = frozenset({Channel.GRID_PATROL, Channel.GRID_MEETING, Channel.RESEARCH, Channel.ON_SITE})


@dataclass(frozen=True)
class PetitionerData:
    name: str
    phone: str = ""
    id_number: str = ""
    address: str = ""
    is_representative: bool = False


@dataclass(frozen=True)
class ComplainedData:
    person: Person | None = None
    organisation: Organisation | None = None
    description: str = ""


# --- intake ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Intake:
    """One problem brought to intake: everything :func:`register_cases` needs to make its case."""

    kind: str
    channel: str
    title: str
    description: str
    unit: Unit
    actor: Any = None
    category: Category | None = None
    address: str = ""
    latitude: Decimal | float | str | None = None
    longitude: Decimal | float | str | None = None
    persons: int = 1
    petitioners: tuple[PetitionerData, ...] = ()
    is_anonymous: bool = False
    complained: tuple[ComplainedData, ...] = ()
    idempotency_key: str | None = None
    is_urgent: bool = False
    is_difficult: bool = False
    registered_at: datetime | None = None
    origin: Origin | None = None  # where it came from, when not the current request (a receipt)
    key_owner: int | None = None  # whose idempotency key, when not the actor's (a receipt's receiver)

    @property
    def sender(self) -> int:
        """Whose keys this intake's key is among (``Case.key_owner``)."""
        return owner_of_keys(self.actor) if self.key_owner is None else self.key_owner

    @property
    def key(self) -> tuple[int, str] | None:
        """The idempotency key with its sender: keys are unique per sender."""
        return (self.sender, self.idempotency_key) if self.idempotency_key else None


def owner_of_keys(actor: Any) -> int:
    """Whose idempotency keys ``actor`` sends: its login's id, 0 for the system's own."""
    user = acting_user(actor)
    return user.pk if user is not None else 0


def _sent_with(keys: Iterable[tuple[int, str]]) -> QuerySet[Case]:
    """The cases sent with ``keys`` (sender, key): one condition per sender, and a batch
    has one. Unordered: callers match them by key, and the newest-first sort would invite
    the planner to walk the primary key instead of the keys' index."""
    by_owner: dict[int, list[str]] = {}
    for owner, key in keys:
        by_owner.setdefault(owner, []).append(key)
    match = Q(pk__in=[])
    for owner, some in by_owner.items():
        match |= Q(key_owner=owner, idempotency_key__in=some)
    return Case.objects.filter(match).order_by()


def register_case(
    *,
    actor: Any,
    kind: str,
    channel: str,
    title: str,
    description: str,
    unit: Unit,
    category: Category | None = None,
    address: str = "",
    latitude: Decimal | float | None = None,
    longitude: Decimal | float | None = None,
    persons: int = 1,
    petitioners: list[PetitionerData] | None = None,
    is_anonymous: bool = False,
    complained: list[ComplainedData] | None = None,
    idempotency_key: str | None = None,
    is_urgent: bool = False,
    is_difficult: bool = False,
    registered_at: datetime | None = None,
) -> Case:
    """Register a case from any channel. The same ``idempotency_key`` returns the case it
    first made, never a second one."""
    intake = Intake(
        actor=actor,
        kind=kind,
        channel=channel,
        title=title,
        description=description,
        unit=unit,
        category=category,
        address=address,
        latitude=latitude,
        longitude=longitude,
        persons=persons,
        petitioners=tuple(petitioners or ()),
        is_anonymous=is_anonymous,
        complained=tuple(complained or ()),
        idempotency_key=idempotency_key,
        is_urgent=is_urgent,
        is_difficult=is_difficult,
        registered_at=registered_at,
    )
    return register(intake)


def register(intake: Intake) -> Case:
    """Check ``intake`` and register its case, as :func:`register_case` does (for a caller
    that has built the intake already, as the API does)."""
    check_intake(intake)
    return _register_once(intake)


def _register_once(intake: Intake) -> Case:
    try:
        return register_cases([intake])[0]
    except IntegrityError:
        # A key seen before: a retry, or two requests with one key that raced. Almost every
        # key is new, so intake does not ask first — the key's unique index refuses the
        # second case, and rolling back returns the year's number it had taken (no gap).
        if intake.key:
            existing = _sent_with([intake.key]).first()
            if existing:
                return existing
        raise


def register_cases(intakes: list[Intake]) -> list[Case]:
    """Register checked intakes (see :func:`check_intake`) in one transaction: one case
    each, in order. One problem at the counter and a batch of receipts take this same
    path; a batch costs one statement per table, not one per case. An idempotency key
    already used makes the whole batch fail with ``IntegrityError`` and write nothing."""
    if not intakes:
        return []
    with transaction.atomic():
        return _register(intakes)


def register_batch(intakes: list[Intake]) -> list[Case]:
    """Register checked intakes in one transaction, each once: an intake whose idempotency
    key already made a case (a retried batch, or a key used meanwhile) gets that case —
    without ``_born``, which marks the cases this call made. Written with one statement per
    table, however many there are; a 12345 platform's batch and the waiting receipts take
    this path."""
    with transaction.atomic():
        keys = [i.key for i in intakes if i.key]
        earlier = _sent_with(keys).select_related("category", "unit", "responsible") if keys else Case.objects.none()
        made = {(c.key_owner, c.idempotency_key): c for c in earlier.defer("unit__boundary")}
        fresh = [i for i in intakes if i.key not in made]
        try:
            born = iter(register_cases(fresh))  # a savepoint of its own
        except IntegrityError:  # a key taken by another request in the meantime: one by one
            born = iter([_register_once(i) for i in fresh])
        return [made[i.key] if i.key in made else next(born) for i in intakes]


KEY_OF_A_HIDDEN_CASE = gettext_lazy("This idempotency key belongs to a case you cannot see.")


def hidden_from(user: Any, cases: list[Case]) -> set[int]:
    """The cases of ``cases`` an earlier request made (see ``register_batch``) that ``user``
    may not see: a key ``user`` sent before, for a case outside its units since its posts
    changed (or the system's, for a system's login). Intake answers with none of them."""
    earlier = [c.pk for c in cases if not hasattr(c, "_born")]
    if not earlier:  # the common case: reading the user's scope would cost statements
        return set()
    seen = set(Case.objects.visible_to(user).filter(pk__in=earlier).values_list("pk", flat=True))
    return set(earlier) - seen


def check_intake(intake: Intake) -> None:
    """Raise ``ValidationError`` (field → messages) if the case cannot be registered."""
    errors = intake_errors(intake)
    if errors:
        raise ValidationError(errors)


def batch_errors(intakes: list[Intake]) -> list[dict[str, list[str]]]:
    """For each intake of a batch, why its case cannot be registered (field → messages;
    empty when it can) — checked as one intake is, and no idempotency key twice."""
    errors = [intake_errors(intake) for intake in intakes]
    seen: set[str] = set()
    for intake, found in zip(intakes, errors, strict=True):
        key = intake.idempotency_key
        if key and key in seen:
            found.setdefault("idempotency_key", []).append(_("This idempotency key is used twice in the batch."))
        seen.add(key or "")
    return errors


def intake_errors(intake: Intake) -> dict[str, list[str]]:
    """Why ``intake``'s case cannot be registered, field by field (empty when it can)."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    petitioners, latitude, longitude = intake.petitioners, intake.latitude, intake.longitude
    if intake.kind not in CaseKind.values:
        fail("kind", _("Unknown case kind."))
    if intake.channel not in Channel.values:
        fail("channel", _("Unknown channel."))
    if not intake.title.strip():
        fail("title", _("A case needs a short title."))
    if not intake.description.strip():
        fail("description", _("Describe the problem."))
    elif len(intake.description) > 4000:
        fail("description", _("The description is longer than 4,000 characters."))
    if intake.persons < 1:
        fail("persons", _("At least one person raised it."))
    representatives = [p for p in petitioners if p.is_representative]
    if len(representatives) > MAX_REPRESENTATIVES:
        fail("petitioners", _("A group visit names at most five representatives."))
    if intake.persons > 1 and len(petitioners) > MAX_REPRESENTATIVES and not representatives:
        fail("petitioners", _("For a group visit, name at most five representatives."))
    if intake.is_anonymous and petitioners:
        fail("petitioners", _("An anonymous case names no petitioner."))
    if not intake.is_anonymous and not petitioners and intake.channel not in FOUND_BY_STAFF:
        fail("petitioners", _("Name the petitioner, or mark the case anonymous."))
    if any(not p.name.strip() for p in petitioners):
        fail("petitioners", _("Every petitioner needs a name."))
    if (latitude is None) != (longitude is None):
        fail("latitude", _("Give both latitude and longitude, or neither."))
    elif latitude is not None and longitude is not None:
        if not -90 <= float(latitude) <= 90:
            fail("latitude", _("Latitude must be between -90 and 90."))
        if not -180 <= float(longitude) <= 180:
            fail("longitude", _("Longitude must be between -180 and 180."))
    return errors


def _register(intakes: list[Intake]) -> list[Case]:
    now = clock.now()
    cases: list[Case] = []
    workplaces: list[set[int]] = []
    units = [
        grid_containing(i.unit, float(i.longitude), float(i.latitude)) or i.unit
        if i.latitude is not None and i.longitude is not None
        else i.unit
        for i in intakes
    ]
    coordinators = coordinators_for_paths({u.path for u in units})
    for intake, unit in zip(intakes, units, strict=True):
        registered_at = intake.registered_at or now
        policy = deadlines.policy_for(intake.kind, intake.category)
        acceptance_due = deadlines.acceptance_due(policy, registered_at)
        named, posted = _complained_organisations(intake.complained)
        responsible = coordinators[unit.path]
        # Recusal (回避): a body complained about, or one a person complained about works in,
        # never holds the case; the coordinator above it does.
        while responsible is not None and responsible.pk in named | posted:
            above = responsible.unit.path[:-SEGMENT_WIDTH]
            responsible = coordinator_for_path(above) if above else None
        workplaces.append(posted - named)
        cases.append(
            Case(
                responsible=responsible,
                unit=unit,
                unit_path=unit.path,
                policy=policy,
                registered_at=registered_at,
                acceptance_due_at=acceptance_due,
                current_due_at=acceptance_due,
                latitude=_coordinate(intake.latitude),
                longitude=_coordinate(intake.longitude),
                created_by=acting_user(intake.actor),
                kind=intake.kind,
                channel=intake.channel,
                title=intake.title.strip(),
                description=intake.description.strip(),
                category=intake.category,
                address=intake.address,
                persons=intake.persons,
                is_anonymous=intake.is_anonymous,
                idempotency_key=intake.idempotency_key,
                key_owner=intake.sender,
                is_urgent=intake.is_urgent,
                is_difficult=intake.is_difficult,
            )
        )
    for case, number in zip(cases, _next_numbers([c.registered_at for c in cases]), strict=True):
        case.number = number
    Case.objects.bulk_create(cases)
    born = Petitioner.objects.bulk_create(
        [
            Petitioner(case=case, **vars(p))
            for case, intake in zip(cases, intakes, strict=True)
            for p in intake.petitioners
        ]
    )
    _add_complained(
        [
            (case, intake.complained, posted)
            for case, intake, posted in zip(cases, intakes, workplaces, strict=True)
            if intake.complained or posted
        ]
    )
    # Creation is the one state change not made by transition(): the row is born registered.
    events = CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=case,
                kind=Act.REGISTER,
                actor=case.created_by,
                organisation=case.responsible,
                to_state=State.REGISTERED,
                is_public=True,
                payload={"channel": case.channel, "kind": case.kind, "persons": case.persons, "unit": case.unit.code},
            )
            for case in cases
        ]
    )
    record_all(
        Action.CREATE,
        [
            Entry(
                actor=intake.actor,
                target=case,
                detail={"channel": case.channel, "unit": case.unit.code},
                origin=intake.origin,
            )
            for case, intake in zip(cases, intakes, strict=True)
        ],
    )
    case_registered.send(sender=Case, cases=cases)
    # What each case was born with, for a caller that answers with the whole case at once
    # (see ``as_born``); nothing else reads it, so no later act can make it stale.
    petitioners_of: dict[int, list[Petitioner]] = {}
    for petitioner in born:
        petitioners_of.setdefault(petitioner.case_id, []).append(petitioner)
    for case, event in zip(cases, events, strict=True):
        case._born = (petitioners_of.get(case.pk, []), event)  # type: ignore[attr-defined]  # a plain attribute
    return cases


def _coordinate(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))


# --- receipts: intake answered at once, registered in batches -------------------------------

RECEIPT_BATCH = 200  # receipts registered in one transaction (the year's counter row is held for it)
_woken_for: datetime | None = None  # the second this process last asked the registrar to run at


def receive(intake: Intake) -> Receipt:
    """Check ``intake`` as :func:`register_case` would and keep it as a receipt, to be
    registered with the others waiting. The same idempotency key returns the receipt it
    first made."""
    check_intake(intake)
    origin = intake.origin or current_origin()
    token = secrets.token_urlsafe(24)
    key = intake.idempotency_key or f"receipt:{token}"
    owner = intake.sender
    try:
        with transaction.atomic():
            receipt = Receipt.objects.create(
                token=token,
                received_at=intake.registered_at or clock.now(),
                received_by=acting_user(intake.actor),
                intake=_kept(intake),
                idempotency_key=key,
                key_owner=owner,
                ip=origin.ip,
                user_agent=origin.user_agent,
            )
            transaction.on_commit(_wake_registrar)
            return receipt
    except IntegrityError:
        existing = Receipt.objects.filter(key_owner=owner, idempotency_key=key).first()
        if existing is None:
            raise
        return existing


def register_receipts(limit: int = RECEIPT_BATCH) -> int:
    """Register the oldest receipts still waiting, up to ``limit``, in one transaction;
    returns how many were taken. Several registrars may run at once: on PostgreSQL each
    takes receipts the others have not locked."""
    with transaction.atomic():
        receipts = list(
            Receipt.objects.filter(processed_at__isnull=True)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("received_by")
            .order_by("id")[:limit]
        )
        if not receipts:
            return 0
        intakes, refused = _intakes_of(receipts)
        # A key a direct request used meanwhile (or a retried receipt's) keeps its case.
        taken = [r for r in receipts if r.pk in intakes]
        for receipt, case in zip(taken, register_batch([intakes[r.pk] for r in taken]), strict=True):
            # ... unless that case now lies outside the receiver's units: then the receipt
            # is refused, and names no case its receiver may not see.
            if hidden_from(receipt.received_by, [case]):
                refused[receipt.pk] = {"idempotency_key": [str(KEY_OF_A_HIDDEN_CASE)]}
        # The case holds what the receipt kept (its petitioner): the receipt keeps nothing.
        now = clock.now()
        done = Receipt.objects.filter(pk__in=[r.pk for r in receipts if r.pk not in refused])
        done.update(processed_at=now, intake={})
        for pk, why in refused.items():
            Receipt.objects.filter(pk=pk).update(processed_at=now, intake={}, refused=why)
    return len(receipts)


def prune_receipts(before: datetime) -> int:
    """Drop the receipts registered (or refused) before ``before``; returns how many. Their
    cases carry their keys, so a retried request still finds its case; the receipt's own
    address answers 404 from then on. A receipt still waiting is never dropped."""
    return delete_in_slices(Receipt.objects.filter(processed_at__lt=before))


def with_case_numbers(receipts: QuerySet[Receipt]) -> QuerySet[Receipt]:
    """``receipts`` each with the number of the case it became (``case_number``), read
    together by the idempotency key the case carries."""
    sent = Case.objects.filter(key_owner=OuterRef("key_owner"), idempotency_key=OuterRef("idempotency_key"))
    return receipts.annotate(case_number=Subquery(sent.values("number")[:1]))


def _wake_registrar() -> None:
    """Have the task worker register receipts at the start of the next second. Every
    process asks for the same whole seconds, and each once: the first run of a second
    takes all the receipts that waited for it, so a burst is registered in a few large
    batches a second (a receipt in a batch of 144 cost about half what one in a batch of 18
    did: docs/performance.md), and the other processes' runs of that second find little or
    nothing to do."""
    global _woken_for
    # The worker's clock, not the domain's: a demo replaying history still wants it now.
    at = timezone.now().replace(microsecond=0) + timedelta(seconds=1)
    if at == _woken_for:
        return
    _woken_for = at
    from grassroots.cases.tasks import register_waiting_receipts

    enqueue_at(register_waiting_receipts, at)


def _kept(intake: Intake) -> dict[str, Any]:
    """``intake`` as the receipt keeps it: plain values and primary keys."""
    return {
        "kind": intake.kind,
        "channel": intake.channel,
        "title": intake.title,
        "description": intake.description,
        "unit": intake.unit.pk,
        "category": intake.category.pk if intake.category else None,
        "address": intake.address,
        "latitude": None if intake.latitude is None else str(intake.latitude),
        "longitude": None if intake.longitude is None else str(intake.longitude),
        "persons": intake.persons,
        "petitioners": [vars(p) for p in intake.petitioners],
        "is_anonymous": intake.is_anonymous,
        "complained": [
            {
                "person": c.person.pk if c.person else None,
                "organisation": c.organisation.pk if c.organisation else None,
                "description": c.description,
            }
            for c in intake.complained
        ],
        "is_urgent": intake.is_urgent,
        "is_difficult": intake.is_difficult,
    }


def _intakes_of(receipts: list[Receipt]) -> tuple[dict[int, Intake], dict[int, dict[str, list[str]]]]:
    """The intake of each receipt, read back with one statement per table; and, for any
    that can no longer be registered (its place or category gone since), why not."""
    kept = [r.intake for r in receipts]
    units = Unit.objects.defer("boundary").in_bulk({k["unit"] for k in kept})
    categories = {c.pk: c for c in categories_by_code().values()}
    complained = [c for k in kept for c in k["complained"]]
    persons = Person.objects.in_bulk({c["person"] for c in complained if c["person"]})
    organisations = Organisation.objects.in_bulk({c["organisation"] for c in complained if c["organisation"]})
    intakes: dict[int, Intake] = {}
    refused: dict[int, dict[str, list[str]]] = {}
    for receipt, k in zip(receipts, kept, strict=True):
        unit = units.get(k["unit"])
        category = categories.get(k["category"]) if k["category"] else None
        # A person or body complained about, removed since: registering without them would
        # quietly drop whom the resident named.
        gone = [
            c
            for c in k["complained"]
            if (c["person"] and c["person"] not in persons)
            or (c["organisation"] and c["organisation"] not in organisations)
        ]
        if unit is None or (k["category"] and category is None) or gone:
            field = "unit" if unit is None else "category" if k["category"] and category is None else "complained"
            refused[receipt.pk] = {field: [_("It no longer exists.")]}
            continue
        intake = Intake(
            actor=receipt.received_by,
            kind=k["kind"],
            channel=k["channel"],
            title=k["title"],
            description=k["description"],
            unit=unit,
            category=category,
            address=k["address"],
            latitude=k["latitude"],
            longitude=k["longitude"],
            persons=k["persons"],
            petitioners=tuple(PetitionerData(**p) for p in k["petitioners"]),
            is_anonymous=k["is_anonymous"],
            complained=tuple(
                ComplainedData(
                    person=persons.get(c["person"]),
                    organisation=organisations.get(c["organisation"]),
                    description=c["description"],
                )
                for c in k["complained"]
            ),
            idempotency_key=receipt.idempotency_key,
            key_owner=receipt.key_owner,
            is_urgent=k["is_urgent"],
            is_difficult=k["is_difficult"],
            registered_at=receipt.received_at,
            origin=Origin(channel="api", ip=receipt.ip, user_agent=receipt.user_agent),
        )
        intakes[receipt.pk] = intake  # checked when the receipt was taken (``receive``)
    return intakes, refused


def as_born(case: Case) -> Case:
    """The case just registered, holding its petitioners, assignments and timeline as a
    prefetch would have read them — so intake answers with the whole case without reading
    it back. Only for a case fresh from ``register_case``, before any other act."""
    born, event = case._born  # type: ignore[attr-defined]  # set by _register
    case._prefetched_objects_cache = {  # type: ignore[attr-defined]  # what prefetch_related sets
        "petitioners": _as_read(case.petitioners.all(), born),
        "assignments": _as_read(case.assignments.all(), []),
        "events": _as_read(case.events.all(), [event]),
    }
    return case


def _as_read(queryset: Any, rows: list[Any]) -> Any:
    """``queryset`` as if evaluated to ``rows`` — what ``prefetch_related`` leaves behind."""
    queryset._result_cache = rows
    queryset._prefetch_done = True
    return queryset


def _complained_organisations(complained: tuple[ComplainedData, ...]) -> tuple[set[int], set[int]]:
    """The organisations named as complained about, and those a named person holds a post in."""
    named = {c.organisation.pk for c in complained if c.organisation}
    persons = [c.person.pk for c in complained if c.person]
    posted: set[int] = set()
    if persons:
        posted = set(Post.objects.active().filter(person_id__in=persons).values_list("organisation_id", flat=True))
    return named, posted


def _add_complained(rows: list[tuple[Case, tuple[ComplainedData, ...], set[int]]]) -> None:
    """Name who is complained about; a named person's organisations are hidden from too."""
    parties = []
    for case, complained, workplaces in rows:
        parties += [
            ComplainedParty(case=case, person=c.person, organisation=c.organisation, description=c.description)
            for c in complained
        ]
        parties += [
            ComplainedParty(case=case, organisation_id=oid, description=_("organisation of a person complained about"))
            for oid in sorted(workplaces)
        ]
    ComplainedParty.objects.bulk_create(parties)


def _next_numbers(moments: list[datetime]) -> list[str]:
    """The next case numbers, one per moment, counted within each moment's year."""
    years = [timezone.localtime(at).year for at in moments]
    wanted = Counter(years)
    taken: dict[int, Iterator[int]] = {}
    table = CaseCounter._meta.db_table
    for year, count in sorted(wanted.items()):
        # One statement takes the row lock, bumps and reads back: intake's hottest row is
        # held for the rest of the transaction only, and costs one round trip for a batch.
        with connection.cursor() as cursor:
            sql = f"UPDATE {table} SET last = last + %s WHERE year = %s RETURNING last"  # noqa: S608
            cursor.execute(sql, [count, year])
            row = cursor.fetchone()
            if row is None:  # the year's first case
                CaseCounter.objects.get_or_create(year=year)
                cursor.execute(sql, [count, year])
                row = cursor.fetchone()
        taken[year] = iter(range(row[0] - count + 1, row[0] + 1))
    return [f"{year}{next(taken[year]):07d}" for year in years]


def grid_containing(unit: Unit, lon: float, lat: float) -> Unit | None:
    """The grid under ``unit`` (or ``unit`` itself) whose boundary contains the point."""
    grids = (
        Unit.objects.within(unit)
        .filter(level=Level.GRID, boundary__isnull=False)
        .only("id", "path", "boundary", "code", "name", "name_en", "level", "parent_id")
    )
    for grid in grids:
        if grid.boundary and _contains(grid.boundary, lon, lat):
            return grid
    return None


def _contains(geometry: dict[str, Any], lon: float, lat: float) -> bool:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    for polygon in polygons:
        outer, *holes = polygon
        if _in_ring(outer, lon, lat) and not any(_in_ring(h, lon, lat) for h in holes):
            return True
    return False


def _in_ring(ring: list[list[float]], x: float, y: float) -> bool:
    """Even-odd ray casting; points on the boundary may fall either side."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


# --- routing --------------------------------------------------------------------------------


# Intake names its category by code and triage names the ones it suggests; administrators
# change the catalogue a few times a year (the memo's rules: grassroots.memo).
CATEGORIES: Memo[dict[str, Category]] = Memo("categories by code")


def categories_by_code() -> dict[str, Category]:
    """Every category (active or not) by its code, each with its parent."""
    return CATEGORIES.get("all", lambda: {c.code: c for c in Category.objects.select_related("parent")})


# Every intake names its place by code; units are added, renamed or moved by an import or
# an administrator, rarely (the memo's rules: grassroots.memo).
UNITS: Memo[Unit | None] = Memo("units by code")


def unit_by_code(code: str) -> Unit | None:
    """The unit with ``code`` (without its boundary, which only placing a point reads)."""
    return units_by_code([code])[code]


def units_by_code(codes: Collection[str]) -> dict[str, Unit | None]:
    """The unit of each of ``codes`` (``None`` for a code no unit has), read together."""

    def read(missing: set[Any]) -> dict[Any, Unit | None]:
        found = {u.code: u for u in Unit.objects.defer("boundary").filter(code__in=missing)}
        return {code: found.get(code) for code in missing}

    return UNITS.get_many(codes, read)  # type: ignore[return-value]  # keyed by the codes given


# Every intake routes its case to a coordinator; which organisation coordinates a unit
# changes rarely (the memo's rules: grassroots.memo).
COORDINATORS: Memo[Organisation | None] = Memo("coordinating organisations")


def coordinator_for(unit: Unit) -> Organisation | None:
    """The coordinating organisation of ``unit`` or, failing that, of its nearest ancestor."""
    return coordinator_for_path(unit.path)


def coordinator_for_path(path: str) -> Organisation | None:
    return coordinators_for_paths([path])[path]


def coordinators_for_paths(paths: Collection[str]) -> dict[str, Organisation | None]:
    """The coordinator of the unit at each of ``paths`` (or of its nearest ancestor that has
    one), read together: a batch names many places."""

    def read(missing: set[Any]) -> dict[Any, Organisation | None]:
        wanted = {a for path in missing for a in ancestor_paths(path)}
        # Two bodies coordinating one unit is a mistake of the tree's keepers; the older holds.
        orgs = Organisation.objects.filter(coordinates_unit=True, unit__path__in=wanted).select_related("unit")
        at: dict[str, Organisation] = {}
        for org in orgs.order_by("-id"):
            at[org.unit.path] = org
        return {path: next((at[a] for a in reversed(ancestor_paths(path)) if a in at), None) for path in missing}

    return COORDINATORS.get_many(paths, read)  # type: ignore[return-value]  # keyed by the paths given


def matching_rule(case: Case) -> RoutingRule | None:
    """The routing rule for the case: highest priority, then the narrowest unit and the
    most specific category and kind."""
    paths = ancestor_paths(case.unit_path)
    categories = [c for c in ([case.category_id, case.category.parent_id] if case.category else []) if c]
    rules = RoutingRule.objects.filter(is_active=True, unit__path__in=paths).select_related("unit", "organisation")
    candidates = [
        r
        for r in rules
        if (r.category_id is None or r.category_id in categories) and (not r.kind or r.kind == case.kind)
    ]

    def rank(r: RoutingRule) -> tuple[int, int, int, int]:
        return (
            r.priority,
            len(r.unit.path),
            2 if r.category_id == case.category_id else 1 if r.category_id else 0,
            1 if r.kind else 0,
        )

    return max(candidates, key=rank, default=None)


# --- the acts -------------------------------------------------------------------------------


def _acting_org(case: Case, actor: Any, *, handler_act: bool) -> Organisation | None:
    """The organisation through which ``actor`` acts on ``case``: the responsible one or one
    holding an open assignment. Staff of the petition office may act without one."""
    if actor is None:
        return case.responsible
    org_ids = actor.organisation_ids()
    open_orgs = set(case.assignments.filter(status=AssignmentStatus.OPEN).values_list("organisation_id", flat=True))
    for oid in ([case.responsible_id] if case.responsible_id else []) + sorted(open_orgs):
        if oid in org_ids:
            return Organisation.objects.get(pk=oid)
    if handler_act and not actor.has_role(Role.PETITION_STAFF, Role.ADMINISTRATOR, Role.LEADER):
        raise NotAllowed(_("Only the organisation handling this case may do that."), "not_handler")
    return None


def accept_case(case: Case, *, actor: Any, note: str = "", version: int | None = None) -> Case:
    """Accept the case (受理), start the handling clock, and route it."""
    with transaction.atomic():
        case = lock(case, version)
        now = clock.now()
        handling_due = deadlines.handling_due(case.policy, now, case.registered_at)
        transition(
            case,
            Act.ACCEPT,
            actor=actor,
            note=note,
            organisation=case.responsible,
            updates={"accepted_at": now, "handling_due_at": handling_due},
            payload={"handling_due_at": handling_due.isoformat() if handling_due else None},
        )
        _route(case, actor)
        record(Action.UPDATE, actor=actor, target=case, detail={"act": Act.ACCEPT})
    return case


def _route(case: Case, actor: Any) -> None:
    rule = matching_rule(case)
    if rule is not None:
        _assign(
            case,
            actor=actor,
            organisations=[rule.organisation],
            mode=AssignmentMode.FORWARD,
            report_due_at=None,
            instructions="",
            assigned_by=case.responsible,
            via_rule=rule,
        )


def decline_case(case: Case, *, actor: Any, reason: str, version: int | None = None) -> Case:
    """Decline to accept (不予受理), with the reason the notice will give."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for not accepting.")})
    with transaction.atomic():
        case = lock(case, version)
        transition(
            case,
            Act.DECLINE,
            actor=actor,
            note=reason,
            organisation=case.responsible,
            updates={"closed_at": clock.now()},
        )
        record(Action.UPDATE, actor=actor, target=case, detail={"act": Act.DECLINE})
    return case


def decline_repeat(case: Case, *, actor: Any, earlier: Case, version: int | None = None) -> Case:
    """Refuse the same facts again after a final re-review (不再受理)."""
    earlier = Case.objects.get(pk=earlier.pk)  # as it stands now, not as the caller last saw it
    _same_province(case, earlier, "earlier")
    if not earlier.rereview_outcome:
        raise ValidationError(
            {
                "earlier": _("Case {number} has no final re-review; this one must be considered.").format(
                    number=earlier.number
                )
            }
        )
    with transaction.atomic():
        case = lock(case, version)
        transition(
            case,
            Act.DECLINE_REPEAT,
            actor=actor,
            organisation=case.responsible,
            note=_("Same facts as case {number}, finally re-reviewed.").format(number=earlier.number),
            updates={"repeat_of": earlier, "closed_at": clock.now()},
            payload={"earlier": earlier.number},
        )
        record(Action.UPDATE, actor=actor, target=case, detail={"act": Act.DECLINE_REPEAT})
    return case


def classify_case(case: Case, *, actor: Any, category: Category, summary: str = "") -> Case:
    """Classify and summarise (分类汇总); the deadline policy the case started under stays."""
    with transaction.atomic():
        case = lock(case)
        if not case.is_open:
            raise Conflict(_("Case {number} is closed.").format(number=case.number), "closed")
        old = case.category
        Case.objects.filter(pk=case.pk).update(category=category)
        case.category = category
        record_event(
            case,
            Act.CLASSIFY,
            actor=actor,
            note=summary,
            organisation=case.responsible,
            payload={"from": old.code if old else None, "to": category.code},
        )
        case_classified.send(sender=Case, case=case, category=category, actor=actor)
    return case


def escalate_case(case: Case, *, actor: Any, summary: str, category: Category | None = None) -> Case:
    """Report the case up to the coordinating organisation of the next unit up (e.g. a
    community branch to the street party working committee)."""
    if not summary.strip():
        raise ValidationError({"summary": _("Summarise the case for the level above.")})
    with transaction.atomic():
        case = lock(case)
        if case.state not in (State.ACCEPTED, State.ASSIGNED, State.IN_PROGRESS):
            raise Conflict(_("Only a case being handled can be reported upward."), "wrong_state")
        acting = _acting_org(case, actor, handler_act=True)
        current = acting or case.responsible
        above = coordinator_for(current.unit.parent) if current and current.unit.parent else None
        if above is None:
            raise ValidationError(
                {
                    "summary": _("There is no coordinating organisation above {org}.").format(
                        org=current.label if current else "—"
                    )
                }
            )
        updates: dict[str, Any] = {"responsible": above}
        if category:
            updates["category"] = category
        Case.objects.filter(pk=case.pk).update(**updates)
        for k, v in updates.items():
            setattr(case, k, v)
        record_event(
            case,
            Act.ESCALATE,
            actor=actor,
            organisation=current,
            note=summary,
            public=True,
            payload={"to": above.code, "category": category.code if category else None},
        )
        if category:
            case_classified.send(sender=Case, case=case, category=category, actor=actor)
    return case


def assign_case(
    case: Case,
    *,
    actor: Any,
    organisations: list[Organisation],
    mode: str = AssignmentMode.ASSIGN,
    report_days: int | None = None,
    instructions: str = "",
    version: int | None = None,
) -> Case:
    """Send the case to one or more organisations: forward it (转送), or assign it with a
    report-back deadline (交办)."""
    if not organisations:
        raise ValidationError({"organisations": _("Choose at least one organisation.")})
    if mode not in AssignmentMode.values:
        raise ValidationError({"mode": _("Unknown mode.")})
    if mode == AssignmentMode.ASSIGN and not report_days:
        raise ValidationError({"report_days": _("An assignment (交办) needs a report-back deadline.")})
    with transaction.atomic():
        case = lock(case, version)
        acting = _acting_org(case, actor, handler_act=True)
        due = (
            deadlines.due_after_days(clock.now(), report_days, working_days=case.policy.working_days)
            if report_days
            else None
        )
        _assign(
            case,
            actor=actor,
            organisations=organisations,
            mode=mode,
            report_due_at=due,
            instructions=instructions,
            assigned_by=acting or case.responsible,
        )
        record(
            Action.UPDATE, actor=actor, target=case, detail={"act": Act.ASSIGN, "to": [o.code for o in organisations]}
        )
    return case


def _assign(
    case: Case,
    *,
    actor: Any,
    organisations: list[Organisation],
    mode: str,
    report_due_at: datetime | None,
    instructions: str,
    assigned_by: Organisation | None,
    via_rule: RoutingRule | None = None,
) -> None:
    # The assigning body's own open assignment is done: it has passed the case on.
    if assigned_by is not None:
        case.assignments.filter(organisation=assigned_by, status=AssignmentStatus.OPEN).update(
            status=AssignmentStatus.TRANSFERRED
        )
    Assignment.objects.bulk_create(
        [
            Assignment(
                case=case,
                organisation=o,
                assigned_by=assigned_by,
                mode=mode,
                report_due_at=report_due_at,
                instructions=instructions,
            )
            for o in organisations
        ]
    )
    transition(
        case,
        Act.ASSIGN,
        actor=actor,
        organisation=assigned_by,
        note=instructions,
        updates={"responsible": organisations[0]},
        payload={
            "to": [o.code for o in organisations],
            "mode": mode,
            "rule": via_rule.pk if via_rule else None,
            "report_due_at": report_due_at.isoformat() if report_due_at else None,
        },
    )


def transfer_case(case: Case, *, actor: Any, to: Organisation, reason: str, version: int | None = None) -> Case:
    """Pass the case to the competent organisation, with the reason."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case is transferred.")})
    with transaction.atomic():
        case = lock(case, version)
        acting = _acting_org(case, actor, handler_act=True)
        if acting is not None:
            case.assignments.filter(organisation=acting, status=AssignmentStatus.OPEN).update(
                status=AssignmentStatus.TRANSFERRED
            )
        Assignment.objects.create(case=case, organisation=to, assigned_by=acting, mode=AssignmentMode.FORWARD)
        transition(
            case,
            Act.TRANSFER,
            actor=actor,
            organisation=acting,
            note=reason,
            updates={"responsible": to},
            payload={"to": to.code},
        )
    return case


def send_back(case: Case, *, actor: Any, reason: str, version: int | None = None) -> Case:
    """Return an assignment to the body that sent it (not ours to handle), with the reason."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case is sent back.")})
    with transaction.atomic():
        case = lock(case, version)
        acting = _acting_org(case, actor, handler_act=True)
        mine = case.assignments.filter(status=AssignmentStatus.OPEN)
        mine = mine.filter(organisation=acting) if acting else mine
        assignment = mine.order_by("-id").first()
        if assignment is None:
            raise Conflict(_("There is no open assignment to send back."), "no_assignment")
        Assignment.objects.filter(pk=assignment.pk).update(status=AssignmentStatus.SENT_BACK)
        others = case.assignments.filter(status=AssignmentStatus.OPEN).exclude(pk=assignment.pk)
        if others.exists():
            record_event(
                case,
                Act.RETURN_ASSIGNMENT,
                actor=actor,
                organisation=assignment.organisation,
                note=reason,
                payload={"to": assignment.assigned_by.code if assignment.assigned_by else None},
            )
            if case.responsible_id == assignment.organisation_id:
                first = others.select_related("organisation").first()
                Case.objects.filter(pk=case.pk).update(responsible=first.organisation if first else None)
        else:
            transition(
                case,
                Act.SEND_BACK,
                actor=actor,
                organisation=assignment.organisation,
                note=reason,
                updates={"responsible": assignment.assigned_by},
                payload={"to": assignment.assigned_by.code if assignment.assigned_by else None},
            )
    return case


def start_handling(case: Case, *, actor: Any, version: int | None = None) -> Case:
    with transaction.atomic():
        case = lock(case, version)
        acting = _acting_org(case, actor, handler_act=True)
        transition(case, Act.START, actor=actor, organisation=acting)
    return case


def record_site_visit(
    case: Case, *, actor: Any, place: str, findings: str, participants: str = "", visited_at: datetime | None = None
) -> Case:
    """A visit to the site (上门/现场查看) while handling; starts handling if not yet begun."""
    if not findings.strip():
        raise ValidationError({"findings": _("Record what the visit found.")})
    with transaction.atomic():
        case = lock(case)
        acting = _acting_org(case, actor, handler_act=True)
        if case.state == State.ASSIGNED:
            transition(case, Act.START, actor=actor, organisation=acting)
        if case.state != State.IN_PROGRESS:
            raise Conflict(_("Site visits are recorded while a case is being handled."), "wrong_state")
        record_event(
            case,
            Act.SITE_VISIT,
            actor=actor,
            organisation=acting,
            note=findings,
            public=True,
            payload={
                "place": place,
                "participants": participants,
                "visited_at": (visited_at or clock.now()).isoformat(),
            },
        )
    return case


def record_progress(case: Case, *, actor: Any, note: str, public: bool = True) -> Case:
    """A step of the work (a plan changed, works begun) on the timeline."""
    if not note.strip():
        raise ValidationError({"note": _("Say what happened.")})
    with transaction.atomic():
        case = lock(case)
        if case.state not in (State.ASSIGNED, State.IN_PROGRESS, State.REPLIED):
            raise Conflict(_("Progress is recorded while a case is being handled."), "wrong_state")
        acting = _acting_org(case, actor, handler_act=True)
        record_event(case, Act.PROGRESS, actor=actor, organisation=acting, note=note, public=public)
    return case


def request_extension(case: Case, *, actor: Any, days: int, reason: str) -> Case:
    """Ask once for more time; a superior decides (信访条例 art. 33: at most 30 days)."""
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Say why more time is needed.")]
    if days < 1:
        errors["days"] = [_("Ask for at least one day.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = lock(case)
        if days > case.policy.max_extension_days:
            raise ValidationError(
                {"days": [_("At most {n} days may be added.").format(n=case.policy.max_extension_days)]}
            )
        if case.state not in (State.ASSIGNED, State.IN_PROGRESS):
            raise Conflict(_("An extension is asked for while a case is being handled."), "wrong_state")
        if case.extension_days or case.extension_requested_days:
            raise Conflict(_("A case may be extended only once."), "extension_used")
        acting = _acting_org(case, actor, handler_act=True)
        Case.objects.filter(pk=case.pk).update(extension_requested_days=days)
        case.extension_requested_days = days
        record_event(case, Act.REQUEST_EXTENSION, actor=actor, organisation=acting, note=reason, payload={"days": days})
    return case


def decide_extension(case: Case, *, actor: Any, approve: bool, note: str = "") -> Case:
    """A superior approves or refuses the extension asked for."""
    if actor is not None and not actor.has_role(Role.LEADER, Role.PETITION_STAFF, Role.ADMINISTRATOR):
        raise NotAllowed(_("Only a leader or the petition office decides on extensions."), "role")
    with transaction.atomic():
        case = lock(case)
        days = case.extension_requested_days
        if not days:
            raise Conflict(_("No extension has been asked for."), "no_request")
        updates: dict[str, Any] = {"extension_requested_days": None}
        if approve and case.handling_due_at:
            updates["extension_days"] = days
            updates["handling_due_at"] = deadlines.extended(case.handling_due_at, days, case.policy)
        for k, v in updates.items():
            setattr(case, k, v)
        updates["current_due_at"] = case.current_due_at = deadlines.current_due(case)
        Case.objects.filter(pk=case.pk).update(**updates)
        record_event(
            case,
            Act.DECIDE_EXTENSION,
            actor=actor,
            note=note,
            public=approve,
            payload={
                "approved": approve,
                "days": days,
                "handling_due_at": case.handling_due_at.isoformat() if case.handling_due_at else None,
            },
        )
    return case


def reply_to_resident(case: Case, *, actor: Any, text: str, version: int | None = None) -> Case:
    """The handling opinion (处理意见) given to the resident."""
    if not text.strip():
        raise ValidationError({"text": _("Write the reply.")})
    with transaction.atomic():
        case = lock(case, version)
        acting = _acting_org(case, actor, handler_act=True)
        transition(case, Act.REPLY, actor=actor, organisation=acting, note=text, updates={"replied_at": clock.now()})
    return case


def resolve_case(case: Case, *, actor: Any, note: str = "", version: int | None = None) -> Case:
    with transaction.atomic():
        case = lock(case, version)
        acting = _acting_org(case, actor, handler_act=True)
        now = clock.now()
        was_backlog = bool(case.handling_due_at and case.handling_due_at < deadlines.backlog_cutoff(now))
        case.assignments.filter(status=AssignmentStatus.OPEN).update(status=AssignmentStatus.REPORTED)
        transition(
            case,
            Act.RESOLVE,
            actor=actor,
            organisation=acting,
            note=note,
            updates={"resolved_at": now, "was_backlog": was_backlog},
        )
    return case


def give_feedback(case: Case, *, actor: Any, verdict: str, comment: str = "", version: int | None = None) -> Case:
    """The resident's verdict: satisfied or basically satisfied closes the case;
    unsatisfied reopens it."""
    if verdict not in Feedback.values:
        raise ValidationError({"verdict": _("Unknown verdict.")})
    with transaction.atomic():
        case = lock(case, version)
        if verdict == Feedback.UNSATISFIED:
            transition(
                case,
                Act.REOPEN,
                actor=actor,
                note=comment,
                payload={"verdict": verdict},
                updates={
                    "feedback": verdict,
                    "feedback_at": clock.now(),
                    "reopen_count": case.reopen_count + 1,
                    "resolved_at": None,
                },
            )
        else:
            transition(
                case,
                Act.FEEDBACK,
                actor=actor,
                note=comment,
                payload={"verdict": verdict},
                updates={"feedback": verdict, "feedback_at": clock.now(), "closed_at": clock.now()},
            )
    return case


def close_case(case: Case, *, actor: Any, note: str = "", version: int | None = None) -> Case:
    """Close a resolved case whose resident gave no verdict."""
    with transaction.atomic():
        case = lock(case, version)
        transition(case, Act.CLOSE, actor=actor, note=note, updates={"closed_at": clock.now()})
    return case


def request_review(case: Case, *, actor: Any, reason: str, requested_at: datetime | None = None) -> Case:
    """The petitioner asks the level above to review the handling opinion (复查),
    within the window after the reply."""
    requested_at = requested_at or clock.now()
    with transaction.atomic():
        case = lock(case)
        if case.review_outcome:
            raise Conflict(_("This case has been reviewed already; ask for a re-review."), "reviewed")
        if case.replied_at is None:
            raise Conflict(_("There is no handling opinion to review yet."), "no_reply")
        window = deadlines.review_request_window_ends(case.policy, case.replied_at)
        if requested_at > window:
            raise Conflict(
                _("The window for asking a review closed on {day}.").format(day=timezone.localtime(window).date()),
                "window_closed",
            )
        due = deadlines.review_answer_due(case.policy, requested_at)
        transition(case, Act.REQUEST_REVIEW, actor=actor, note=reason, updates={"review_due_at": due})
    return case


def answer_review(case: Case, *, actor: Any, outcome: str, opinion: str) -> Case:
    if outcome not in ReviewOutcome.values:
        raise ValidationError({"outcome": _("Unknown outcome.")})
    if not opinion.strip():
        raise ValidationError({"opinion": _("Write the review opinion.")})
    with transaction.atomic():
        case = lock(case)
        now = clock.now()
        transition(
            case,
            Act.ANSWER_REVIEW,
            actor=actor,
            note=opinion,
            payload={"outcome": outcome},
            updates={"review_outcome": outcome, "reviewed_at": now, "closed_at": now},
        )
    return case


def request_rereview(case: Case, *, actor: Any, reason: str, requested_at: datetime | None = None) -> Case:
    """After a review, one more level (复核), within the same window; its answer is final."""
    requested_at = requested_at or clock.now()
    with transaction.atomic():
        case = lock(case)
        if not case.reviewed_at or case.rereview_outcome:
            raise Conflict(_("A re-review follows one review, once."), "no_review")
        window = deadlines.review_request_window_ends(case.policy, case.reviewed_at)
        if requested_at > window:
            raise Conflict(
                _("The window for asking a re-review closed on {day}.").format(day=timezone.localtime(window).date()),
                "window_closed",
            )
        due = deadlines.review_answer_due(case.policy, requested_at)
        transition(case, Act.REQUEST_REREVIEW, actor=actor, note=reason, updates={"review_due_at": due})
    return case


def answer_rereview(case: Case, *, actor: Any, outcome: str, opinion: str) -> Case:
    if outcome not in ReviewOutcome.values:
        raise ValidationError({"outcome": _("Unknown outcome.")})
    if not opinion.strip():
        raise ValidationError({"opinion": _("Write the re-review opinion.")})
    with transaction.atomic():
        case = lock(case)
        now = clock.now()
        transition(
            case,
            Act.ANSWER_REREVIEW,
            actor=actor,
            note=opinion,
            payload={"outcome": outcome, "final": True},
            updates={"rereview_outcome": outcome, "rereviewed_at": now, "closed_at": now},
        )
    return case


def withdraw_case(case: Case, *, actor: Any, reason: str, version: int | None = None) -> Case:
    if not reason.strip():
        raise ValidationError({"reason": _("Record why the case is withdrawn.")})
    with transaction.atomic():
        case = lock(case, version)
        transition(case, Act.WITHDRAW, actor=actor, note=reason, updates={"closed_at": clock.now()})
    return case


def merge_case(case: Case, *, actor: Any, into: Case, version: int | None = None) -> Case:
    """Merge a repeat into its master case; the master's timeline notes it."""
    if into.pk == case.pk:
        raise ValidationError({"into": _("A case cannot be merged into itself.")})
    _same_province(case, into, "into")
    with transaction.atomic():
        # Lock both in id order so two opposite merges cannot deadlock.
        first, second = sorted([case, into], key=lambda c: c.pk)
        lock(first)
        lock(second)
        case = lock(case, version)
        master = Case.objects.get(pk=into.pk)
        if not master.is_open:
            raise Conflict(
                _("Case {number} is closed; merge into an open case.").format(number=master.number), "master_closed"
            )
        if master.master_id:
            raise Conflict(_("Case {number} is itself merged.").format(number=master.number), "master_merged")
        transition(
            case,
            Act.MERGE,
            actor=actor,
            updates={"master": master, "closed_at": clock.now()},
            payload={"into": master.number},
        )
        record_event(master, Act.REPEAT_MERGED, actor=actor, payload={"repeat": case.number, "persons": case.persons})
    return case


def _same_province(case: Case, other: Case, field: str) -> None:
    """Cases of two provinces live on two shards (grassroots.shards): one cannot point at
    the other, as a distributed database could not keep the link."""
    if case.shard != other.shard:
        raise ValidationError(
            {
                field: _("Case {number} belongs to another province; cases of two provinces cannot be linked.").format(
                    number=other.number
                )
            }
        )


def flag_case(case: Case, *, actor: Any, difficult: bool | None = None, urgent: bool | None = None) -> Case:
    """Mark or unmark a case difficult and complex (疑难复杂) or urgent."""
    with transaction.atomic():
        case = lock(case)
        updates = {k: v for k, v in (("is_difficult", difficult), ("is_urgent", urgent)) if v is not None}
        if not updates:
            return case
        Case.objects.filter(pk=case.pk).update(**updates)
        for k, v in updates.items():
            setattr(case, k, v)
        record_event(case, Act.FLAG, actor=actor, payload=updates)
    return case


def set_package_leader(
    case: Case,
    *,
    actor: Any,
    leader: Person,
    staff: str = "",
    due_on: Any = None,
    task: str = "",
    responsibility: str = "",
) -> PackagePlan:
    """Put a leader personally in charge (包案) of a difficult or backlog case."""
    if actor is not None and not actor.has_role(Role.LEADER, Role.PETITION_STAFF, Role.ADMINISTRATOR):
        raise NotAllowed(_("Only leaders and the petition office set package leaders."), "role")
    with transaction.atomic():
        case = lock(case)
        if not (case.is_difficult or case.is_backlog):
            raise ValidationError({"leader": _("Package leaders are for difficult or backlog cases.")})
        plan, _created = PackagePlan.objects.update_or_create(
            case=case,
            defaults={
                "leader": leader,
                "staff": staff,
                "due_on": due_on,
                "task": task,
                "responsibility": responsibility,
            },
        )
        record_event(case, Act.PACKAGE, actor=actor, payload={"leader": leader.code, "due_on": str(due_on or "")})
    return plan


def add_note(case: Case, *, actor: Any, note: str) -> Case:
    if not note.strip():
        raise ValidationError({"note": _("Write the note.")})
    with transaction.atomic():
        case = lock(case)
        record_event(case, Act.NOTE, actor=actor, note=note)
    return case
