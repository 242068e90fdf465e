"""Operations that change the org context. Views, API, commands and tests call these;
each is one transaction and writes its audit entry inside it."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.audit.models import Action
from grassroots.audit.services import record
from grassroots.org.choices import GridRole, Level, OrganisationKind, PostingRole, Rank, Sector, TeamKind, TeamRole
from grassroots.org.models import (
    Enterprise,
    GridMember,
    Organisation,
    Person,
    Post,
    Posting,
    Team,
    TeamMember,
    Unit,
)
from grassroots.org.paths import segment

GEOMETRY_TYPES = {"Polygon", "MultiPolygon"}


def validate_boundary(boundary: Any) -> None:
    """A unit boundary is a GeoJSON Polygon or MultiPolygon of [lon, lat] rings."""
    if boundary is None:
        return
    if not isinstance(boundary, dict) or boundary.get("type") not in GEOMETRY_TYPES:
        raise ValidationError({"boundary": _("The boundary must be a GeoJSON Polygon or MultiPolygon.")})
    polygons = boundary.get("coordinates")
    if boundary["type"] == "Polygon":
        polygons = [polygons]
    try:
        for polygon in polygons or []:
            for ring in polygon:
                if len(ring) < 4 or ring[0] != ring[-1]:
                    raise ValueError
                for lon, lat in ring:
                    if not (-180 <= float(lon) <= 180 and -90 <= float(lat) <= 90):
                        raise ValueError
    except (TypeError, ValueError):
        raise ValidationError(
            {"boundary": _("Every boundary ring needs at least four [longitude, latitude] points and must close.")}
        ) from None
    if not polygons:
        raise ValidationError({"boundary": _("The boundary has no coordinates.")})


def check_unit_placement(level: int, parent: Unit | None) -> None:
    if level not in Level.values:
        raise ValidationError({"level": _("Unknown level.")})
    if parent is None:
        return
    if level <= parent.level:
        raise ValidationError(
            {
                "level": _("A {level} cannot sit under a {parent}.").format(
                    level=Level(level).label, parent=Level(parent.level).label
                )
            }
        )


def assign_path(unit: Unit) -> None:
    """Give a freshly inserted unit its path; its parent's path must already be set."""
    unit.path = (unit.parent.path if unit.parent else "") + segment(unit.pk)


@transaction.atomic
def create_unit(
    *,
    actor: Any,
    code: str,
    name: str,
    level: int,
    parent: Unit | None = None,
    name_en: str = "",
    boundary: dict[str, Any] | None = None,
) -> Unit:
    check_unit_placement(level, parent)
    validate_boundary(boundary)
    if Unit.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Division code {code} is already in use.").format(code=code)})
    # The path needs the primary key, so insert with a unique placeholder, then fix it.
    unit = Unit.objects.create(
        parent=parent,
        level=level,
        code=code,
        name=name,
        name_en=name_en,
        boundary=boundary,
        path=f"~{code}",
    )
    assign_path(unit)
    Unit.objects.filter(pk=unit.pk).update(path=unit.path)
    record(Action.CREATE, actor=actor, target=unit, detail={"code": code, "level": level})
    return unit


@transaction.atomic
def create_organisation(
    *,
    actor: Any,
    unit: Unit,
    kind: OrganisationKind | str,
    code: str,
    name: str,
    name_en: str = "",
    coordinates_unit: bool = False,
) -> Organisation:
    if coordinates_unit and Organisation.objects.filter(unit=unit, coordinates_unit=True).exists():
        raise ValidationError(
            {"coordinates_unit": _("{unit} already has a coordinating organisation.").format(unit=unit.label)}
        )
    org = Organisation.objects.create(
        unit=unit,
        kind=kind,
        code=code,
        name=name,
        name_en=name_en,
        coordinates_unit=coordinates_unit,
    )
    record(Action.CREATE, actor=actor, target=org, detail={"unit": unit.code, "kind": str(kind)})
    return org


@transaction.atomic
def register_enterprise(
    *,
    actor: Any,
    unit: Unit,
    code: str,
    name: str,
    sector: Sector | str,
    above_designated_size: bool = False,
    name_en: str = "",
) -> Enterprise:
    enterprise = Enterprise.objects.create(
        unit=unit,
        code=code,
        name=name,
        name_en=name_en,
        sector=sector,
        above_designated_size=above_designated_size,
    )
    record(Action.CREATE, actor=actor, target=enterprise, detail={"unit": unit.code})
    return enterprise


@transaction.atomic
def register_person(
    *,
    actor: Any,
    unit: Unit,
    code: str,
    name: str,
    rank: Rank | str = Rank.NONE,
    name_en: str = "",
    phone: str = "",
) -> Person:
    person = Person.objects.create(unit=unit, code=code, name=name, name_en=name_en, rank=rank, phone=phone)
    record(Action.CREATE, actor=actor, target=person, detail={"unit": unit.code, "rank": str(rank)})
    return person


@transaction.atomic
def appoint(
    person: Person,
    *,
    actor: Any,
    organisation: Organisation,
    title: str,
    title_en: str = "",
    is_leader: bool = False,
    started_on: date | None = None,
    ended_on: date | None = None,
) -> Post:
    _check_dates(started_on, ended_on)
    post = Post.objects.create(
        person=person,
        organisation=organisation,
        title=title,
        title_en=title_en,
        is_leader=is_leader,
        started_on=started_on or timezone.localdate(),
        ended_on=ended_on,
    )
    record(Action.CREATE, actor=actor, target=post, detail={"person": person.code, "organisation": organisation.code})
    return post


@transaction.atomic
def assign_to_grid(
    person: Person,
    *,
    actor: Any,
    grid: Unit,
    role: GridRole | str = GridRole.FULL_TIME,
    started_on: date | None = None,
) -> GridMember:
    if grid.level != Level.GRID:
        raise ValidationError({"grid": _("{unit} is not a grid.").format(unit=grid.label)})
    membership = GridMember.objects.create(
        person=person,
        grid=grid,
        role=role,
        started_on=started_on or timezone.localdate(),
    )
    record(Action.CREATE, actor=actor, target=membership, detail={"person": person.code, "grid": grid.code})
    return membership


@transaction.atomic
def post_to_village(
    person: Person,
    *,
    actor: Any,
    village: Unit,
    role: PostingRole | str = PostingRole.RURAL_REVITALIZATION_INSTRUCTOR,
    started_on: date,
    ended_on: date | None = None,
    sent_by: Organisation | None = None,
) -> Posting:
    """Station ``person`` in ``village`` for a period (M1)."""
    if village.level != Level.VILLAGE:
        raise ValidationError({"village": _("{unit} is not a village or community.").format(unit=village.label)})
    _check_dates(started_on, ended_on)
    posting = Posting.objects.create(
        person=person,
        village=village,
        role=role,
        started_on=started_on,
        ended_on=ended_on,
        sent_by=sent_by,
    )
    record(Action.CREATE, actor=actor, target=posting, detail={"person": person.code, "village": village.code})
    return posting


@transaction.atomic
def form_team(
    *,
    actor: Any,
    unit: Unit,
    name: str,
    kind: TeamKind | str,
    name_en: str = "",
    organisation: Organisation | None = None,
    description: str = "",
    leader: Person | None = None,
    members: list[Person] | None = None,
    started_on: date | None = None,
) -> Team:
    team = Team.objects.create(
        unit=unit,
        name=name,
        name_en=name_en,
        kind=kind,
        organisation=organisation,
        description=description,
    )
    day = started_on or timezone.localdate()
    rows = [TeamMember(team=team, person=leader, role=TeamRole.LEADER, started_on=day)] if leader else []
    rows += [
        TeamMember(team=team, person=p, role=TeamRole.MEMBER, started_on=day) for p in members or [] if p != leader
    ]
    TeamMember.objects.bulk_create(rows)
    record(Action.CREATE, actor=actor, target=team, detail={"members": [m.person.code for m in rows]})
    return team


def _check_dates(started_on: date | None, ended_on: date | None) -> None:
    if started_on and ended_on and ended_on < started_on:
        raise ValidationError({"ended_on": _("The end date is before the start date.")})
