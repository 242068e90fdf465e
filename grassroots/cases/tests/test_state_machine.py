"""Random sequences of acts by random people never reach an illegal state, a refused act
writes nothing, and every state change has exactly one event."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.accounts.choices import Role
from grassroots.accounts.services import create_login
from grassroots.cases import services
from grassroots.cases.choices import CaseKind, Channel, State
from grassroots.cases.models import Case, CaseEvent
from grassroots.cases.services import PetitionerData
from grassroots.cases.workflow import TRANSITIONS, WorkflowError
from grassroots.conftest import PASSWORD
from grassroots.org import services as org

ACTS = {
    "accept": lambda c, u, w: services.accept_case(c, actor=u),
    "decline": lambda c, u, w: services.decline_case(c, actor=u, reason="不属于信访事项"),
    "assign": lambda c, u, w: services.assign_case(
        c, actor=u, organisations=[w.housing_centre], mode="assign", report_days=10
    ),
    "transfer": lambda c, u, w: services.transfer_case(c, actor=u, to=w.petition_office, reason="职责不符"),
    "send_back": lambda c, u, w: services.send_back(c, actor=u, reason="非本单位职责"),
    "start": lambda c, u, w: services.start_handling(c, actor=u),
    "visit": lambda c, u, w: services.record_site_visit(c, actor=u, place="现场", findings="已核实"),
    "extend": lambda c, u, w: services.request_extension(c, actor=u, days=10, reason="复杂"),
    "approve": lambda c, u, w: services.decide_extension(c, actor=u, approve=True),
    "reply": lambda c, u, w: services.reply_to_resident(c, actor=u, text="答复"),
    "resolve": lambda c, u, w: services.resolve_case(c, actor=u),
    "satisfied": lambda c, u, w: services.give_feedback(c, actor=u, verdict="satisfied"),
    "unsatisfied": lambda c, u, w: services.give_feedback(c, actor=u, verdict="unsatisfied"),
    "close": lambda c, u, w: services.close_case(c, actor=u),
    "review": lambda c, u, w: services.request_review(c, actor=u, reason="不服"),
    "answer_review": lambda c, u, w: services.answer_review(c, actor=u, outcome="upheld", opinion="维持"),
    "rereview": lambda c, u, w: services.request_rereview(c, actor=u, reason="仍不服"),
    "answer_rereview": lambda c, u, w: services.answer_rereview(c, actor=u, outcome="upheld", opinion="维持"),
    "withdraw": lambda c, u, w: services.withdraw_case(c, actor=u, reason="本人撤回"),
    "escalate": lambda c, u, w: services.escalate_case(c, actor=u, summary="报上级"),
    "flag": lambda c, u, w: services.flag_case(c, actor=u, difficult=True),
}
PEOPLE = ["county_staff", "street_staff", "grid_member", "housing", "nobody"]

# Which states each state may lead to, from the transition table.
REACHABLE: dict[str, set[str]] = {}
for rule in TRANSITIONS.values():
    for source in rule.sources:
        REACHABLE.setdefault(source, set()).add(rule.target)


@pytest.fixture
def housing(world):
    officer = org.register_person(actor=None, unit=world.county, code="P-ZF-9", name="向明")
    org.appoint(officer, actor=None, organisation=world.housing_centre, title="工作人员")
    return create_login("housing9", actor=None, password=PASSWORD, person=officer, roles=[Role.DEPARTMENT_HANDLER])


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(sorted(ACTS)), st.sampled_from(PEOPLE)), max_size=25))
def test_random_acts_keep_the_case_legal(world, housing, steps):
    users = {name: getattr(world, name, None) for name in PEOPLE} | {"housing": housing}
    case = services.register_case(
        actor=world.county_staff,
        kind=CaseKind.PETITION,
        channel=Channel.VISIT,
        unit=world.changlin,
        title="测试",
        description="随机操作",
        petitioners=[PetitionerData(name="王五")],
    )
    for act, who in steps:
        before = Case.objects.get(pk=case.pk)
        events_before = CaseEvent.objects.filter(case=case).count()
        try:
            ACTS[act](before, users[who], world)
        except (WorkflowError, ValidationError):
            after = Case.objects.get(pk=case.pk)
            assert (after.state, after.version) == (before.state, before.version), f"{act} by {who} half-wrote"
            assert CaseEvent.objects.filter(case=case).count() == events_before
            continue
        after = Case.objects.get(pk=case.pk)
        assert after.state in State.values
        new_changes = list(CaseEvent.objects.filter(case=case, id__gt=0).exclude(to_state="").order_by("id"))
        hops = [(e.from_state, e.to_state) for e in new_changes[1:]]  # the first is the registration
        for source, target in hops:
            assert target in REACHABLE.get(source, set()), f"illegal hop {source} -> {target}"
        if after.state != before.state:
            assert new_changes[-1].to_state == after.state
    # Replaying the state-changing events from "registered" ends in the current state,
    # and their count equals the version bumps: one event per change, no more, no less.
    case.refresh_from_db()
    changes = list(CaseEvent.objects.filter(case=case).exclude(to_state="").order_by("id"))
    state: str = State.REGISTERED
    for event in changes[1:]:
        assert event.from_state == state
        state = event.to_state
    assert state == case.state
    assert len(changes) - 1 == case.version - 1


def test_only_the_workflow_module_writes_the_state():
    root = Path(__file__).resolve().parents[2]
    offenders = []
    # Assigning a case's state, updating it in bulk, or setting it to one of the case states.
    pattern = re.compile(
        r"(\bcase\.state\s*=[^=])|(Case\.objects.*\.(update|create)\([^)]*\bstate\s*=)"
        r"|(\.(update|create)\([^)]*\bstate=State\.)"
    )
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).as_posix()
        if rel in {"cases/workflow.py"} or "/tests/" in f"/{rel}" or "/migrations/" in rel:
            continue
        for lineno, line in enumerate(path.read_text().splitlines(), start=1):
            if pattern.search(line) and "to_state" not in line:
                offenders.append(f"{rel}:{lineno}: {line.strip()}")
    assert offenders == []
