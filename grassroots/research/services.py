from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from grassroots.audit.context import acting_user
from grassroots.audit.models import Action
from grassroots.audit.services import record
from grassroots.cases.models import Case
from grassroots.cases.workflow import Act, record_event
from grassroots.org.models import Organisation, Person, Team, Unit
from grassroots.research.models import (
    Aspect,
    Finding,
    KeyProject,
    Measure,
    MeasureKind,
    Milestone,
    Problem,
    Reform,
    ResearchPlan,
    ServiceItem,
    Topic,
)


@transaction.atomic
def adopt_measure(
    *,
    actor: Any,
    title: str,
    adopted_on: date,
    unit: Unit | None = None,
    case: Case | None = None,
    quantity: Decimal | int | None = None,
    quantity_unit: str = "",
    description: str = "",
    kind: str = MeasureKind.ACTION,
    document_number: str = "",
    organisation: Organisation | None = None,
    topic: Topic | None = None,
    problem: Problem | None = None,
    project: KeyProject | None = None,
) -> Measure:
    """Record a measure adopted for a case, a research topic or problem, a key project or
    a unit, with its quantity if it has one."""
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Name the measure.")]
    if quantity is not None and Decimal(quantity) < 0:
        errors["quantity"] = [_("A quantity cannot be negative.")]
    if quantity is not None and not quantity_unit.strip():
        errors["quantity_unit"] = [_("Say what the quantity counts (spaces, yuan, households...).")]
    if problem is not None and topic is None:
        topic = problem.topic
    if unit is None and case is None and topic is None and project is None:
        errors["unit"] = [_("A measure belongs to a case or a unit.")]
    if errors:
        raise ValidationError(errors)
    where = (
        unit
        or (case.unit if case else None)
        or (project.unit if project else None)
        or (topic.aspect.plan.unit if topic else None)
    )
    assert where is not None  # one of them is set (checked above)
    measure = Measure.objects.create(
        kind=kind,
        title=title.strip(),
        description=description,
        quantity=quantity,
        quantity_unit=quantity_unit,
        adopted_on=adopted_on,
        document_number=document_number,
        case=case,
        topic=topic,
        problem=problem,
        project=project,
        unit=where,
        unit_path=where.path,
        organisation=organisation,
        created_by=acting_user(actor),
    )
    if case is not None:
        record_event(
            case,
            Act.MEASURE,
            actor=actor,
            note=title,
            public=True,
            payload={
                "measure": measure.pk,
                "quantity": str(quantity) if quantity is not None else None,
                "unit": quantity_unit,
            },
        )
    record(Action.CREATE, actor=actor, target=measure, detail={"case": case.number if case else None})
    return measure


# --- research plans (M7) ---------------------------------------------------------------------


def _need(**values: str) -> None:
    errors = {k: [_("Required.")] for k, v in values.items() if not str(v).strip()}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_plan(
    *,
    actor: Any,
    title: str,
    unit: Unit,
    starts_on: date,
    ends_on: date | None = None,
    organisation: Organisation | None = None,
    description: str = "",
) -> ResearchPlan:
    _need(title=title)
    plan = ResearchPlan.objects.create(
        title=title,
        unit=unit,
        unit_path=unit.path,
        starts_on=starts_on,
        ends_on=ends_on,
        organisation=organisation,
        description=description,
    )
    record(Action.CREATE, actor=actor, target=plan)
    return plan


@transaction.atomic
def add_aspect(plan: ResearchPlan, *, actor: Any, title: str) -> Aspect:
    _need(title=title)
    aspect = Aspect.objects.create(plan=plan, title=title, order=plan.aspects.count())
    record(Action.CREATE, actor=actor, target=aspect)
    return aspect


@transaction.atomic
def add_topic(
    aspect: Aspect,
    *,
    actor: Any,
    title: str,
    lead: Person | None = None,
    team: Team | None = None,
    due_on: date | None = None,
) -> Topic:
    _need(title=title)
    topic = Topic.objects.create(aspect=aspect, title=title, lead=lead, team=team, due_on=due_on)
    record(Action.CREATE, actor=actor, target=topic)
    return topic


@transaction.atomic
def record_problem(topic: Topic, *, actor: Any, description: str) -> Problem:
    _need(description=description)
    problem = Problem.objects.create(topic=topic, description=description)
    record(Action.CREATE, actor=actor, target=problem)
    return problem


def problem_to_case(problem: Problem, *, actor: Any, title: str, unit: Unit | None = None, **case_fields: Any) -> Case:
    """Hand a problem the research found to the closed loop, as a case from research."""
    from grassroots.cases.choices import CaseKind, Channel
    from grassroots.cases.services import register_case

    if problem.case_id:
        raise ValidationError({"problem": [_("This problem is already a case.")]})
    with transaction.atomic():
        case = register_case(
            actor=actor,
            kind=case_fields.pop("kind", CaseKind.SUGGESTION),
            channel=Channel.RESEARCH,
            title=title,
            description=problem.description,
            unit=unit or problem.topic.aspect.plan.unit,
            **case_fields,
        )
        Problem.objects.filter(pk=problem.pk).update(case=case)
        problem.case = case
        record_event(case, Act.NOTE, actor=actor, note=problem.topic.title, payload={"research_problem": problem.pk})
    return case


@transaction.atomic
def record_finding(topic: Topic, *, actor: Any, text: str, recorded_on: date) -> Finding:
    _need(text=text)
    finding = Finding.objects.create(topic=topic, text=text, recorded_on=recorded_on)
    record(Action.CREATE, actor=actor, target=finding)
    return finding


@transaction.atomic
def mark_problem_solved(problem: Problem, *, actor: Any, on: date) -> Problem:
    Problem.objects.filter(pk=problem.pk).update(solved_on=on)
    problem.solved_on = on
    record(Action.UPDATE, actor=actor, target=problem, detail={"solved_on": str(on)})
    return problem


@transaction.atomic
def finish_topic(topic: Topic, *, actor: Any, on: date) -> Topic:
    Topic.objects.filter(pk=topic.pk).update(done_on=on)
    topic.done_on = on
    record(Action.UPDATE, actor=actor, target=topic, detail={"done_on": str(on)})
    return topic


def plan_progress(plan: ResearchPlan) -> dict[str, int]:
    """The plan's figures rolled up: aspects, topics (and finished), problems (and solved,
    counting a problem solved when its case is resolved or closed), findings, measures."""
    return progress_of([plan.pk])[plan.pk]


def progress_of(plan_ids: list[int]) -> dict[int, dict[str, int]]:
    """:func:`plan_progress` for many plans in a fixed number of queries."""
    from django.db.models import Count, Q

    figures: dict[int, dict[str, int]] = {
        pk: dict.fromkeys(
            ("aspects", "topics", "topics_done", "problems", "problems_solved", "findings", "measures"), 0
        )
        for pk in plan_ids
    }

    def fill(rows: Any, *keys: str) -> None:
        for row in rows:
            for key in keys:
                figures[row["plan_pk"]][key] = row[key]

    fill(
        Aspect.objects.filter(plan_id__in=plan_ids).values(plan_pk=F("plan_id")).annotate(aspects=Count("id")),
        "aspects",
    )
    fill(
        Topic.objects.filter(aspect__plan_id__in=plan_ids)
        .values(plan_pk=F("aspect__plan_id"))
        .annotate(topics=Count("id"), topics_done=Count("id", filter=Q(done_on__isnull=False))),
        "topics",
        "topics_done",
    )
    solved = Q(solved_on__isnull=False) | Q(case__state__in=["resolved", "closed"])
    fill(
        Problem.objects.filter(topic__aspect__plan_id__in=plan_ids)
        .values(plan_pk=F("topic__aspect__plan_id"))
        .annotate(problems=Count("id"), problems_solved=Count("id", filter=solved)),
        "problems",
        "problems_solved",
    )
    fill(
        Finding.objects.filter(topic__aspect__plan_id__in=plan_ids)
        .values(plan_pk=F("topic__aspect__plan_id"))
        .annotate(findings=Count("id")),
        "findings",
    )
    fill(
        Measure.objects.filter(topic__aspect__plan_id__in=plan_ids)
        .values(plan_pk=F("topic__aspect__plan_id"))
        .annotate(measures=Count("id")),
        "measures",
    )
    return figures


# --- key projects (M8) -----------------------------------------------------------------------


@transaction.atomic
def create_project(
    *,
    actor: Any,
    title: str,
    unit: Unit,
    parent: KeyProject | None = None,
    weight: Decimal | int = 1,
    description: str = "",
    package_leaders: list[Person] | None = None,
) -> KeyProject:
    _need(title=title)
    if Decimal(weight) <= 0:
        raise ValidationError({"weight": [_("A weight must be positive.")]})
    project = KeyProject.objects.create(
        title=title, unit=unit, unit_path=unit.path, parent=parent, weight=weight, description=description
    )
    if package_leaders:
        project.package_leaders.set(package_leaders)
    record(Action.CREATE, actor=actor, target=project)
    return project


def set_progress(project: KeyProject, *, actor: Any, progress: Decimal | int) -> KeyProject:
    """Set a leaf project's progress (0-100); every ancestor becomes the weighted mean of
    its parts."""
    value = Decimal(progress)
    if not Decimal(0) <= value <= Decimal(100):
        raise ValidationError({"progress": [_("Progress is between 0 and 100.")]})
    if project.children.exists():
        raise ValidationError({"progress": [_("A project with parts takes its progress from them.")]})
    with transaction.atomic():
        KeyProject.objects.filter(pk=project.pk).update(progress=value)
        record(Action.UPDATE, actor=actor, target=project, detail={"progress": str(value)})
        parent_id = project.parent_id
        while parent_id is not None:
            parts = list(KeyProject.objects.filter(parent_id=parent_id).values_list("progress", "weight"))
            total = sum((w for _p, w in parts), Decimal(0))
            rolled = (sum((p * w for p, w in parts), Decimal(0)) / total).quantize(Decimal("0.01"))
            KeyProject.objects.filter(pk=parent_id).update(progress=rolled)
            parent_id = KeyProject.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    project.refresh_from_db()
    return project


@transaction.atomic
def add_milestone(project: KeyProject, *, actor: Any, title: str, due_on: date) -> Milestone:
    _need(title=title)
    milestone = Milestone.objects.create(project=project, title=title, due_on=due_on)
    record(Action.CREATE, actor=actor, target=milestone)
    return milestone


@transaction.atomic
def reach_milestone(milestone: Milestone, *, actor: Any, on: date) -> Milestone:
    Milestone.objects.filter(pk=milestone.pk).update(done_on=on)
    milestone.done_on = on
    record(Action.UPDATE, actor=actor, target=milestone, detail={"done_on": str(on)})
    return milestone


# --- service items and reforms (M7) ----------------------------------------------------------


@transaction.atomic
def create_service_item(
    *,
    actor: Any,
    name: str,
    unit: Unit,
    materials: int,
    time_limit_hours: Decimal | int,
    organisation: Organisation | None = None,
    description: str = "",
) -> ServiceItem:
    _need(name=name)
    item = ServiceItem.objects.create(
        name=name,
        unit=unit,
        unit_path=unit.path,
        materials=materials,
        time_limit_hours=time_limit_hours,
        organisation=organisation,
        description=description,
    )
    record(Action.CREATE, actor=actor, target=item)
    return item


def adopt_reform(
    item: ServiceItem,
    *,
    actor: Any,
    title: str,
    adopted_on: date,
    materials_after: int,
    hours_after: Decimal | int,
    document_number: str = "",
) -> Reform:
    """Record a reform of a service item as before and after, and make "after" current."""
    _need(title=title)
    if materials_after < 0 or Decimal(hours_after) < 0:
        raise ValidationError({"materials_after": [_("Counts cannot be negative.")]})
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        reform = Reform.objects.create(
            item=item,
            title=title,
            adopted_on=adopted_on,
            document_number=document_number,
            materials_before=item.materials,
            materials_after=materials_after,
            hours_before=item.time_limit_hours,
            hours_after=hours_after,
        )
        ServiceItem.objects.filter(pk=item.pk).update(materials=materials_after, time_limit_hours=hours_after)
        record(
            Action.CREATE,
            actor=actor,
            target=reform,
            detail={
                "materials": [item.materials, materials_after],
                "hours": [str(item.time_limit_hours), str(hours_after)],
            },
        )
    return reform
