"""The case state machine: which action leads from which states to which, and who may
take it. :func:`transition` is the only code that writes ``Case.state``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots import clock
from grassroots.accounts.choices import Role
from grassroots.cases.choices import OPEN_STATES, State
from grassroots.cases.deadlines import current_due
from grassroots.cases.models import Case, CaseEvent
from grassroots.org.models import Organisation


class Act(models.TextChoices):
    """Everything that can happen to a case; each is one kind of timeline event."""

    REGISTER = "register", gettext_lazy("registered")
    ACCEPT = "accept", gettext_lazy("accepted")
    DECLINE = "decline", gettext_lazy("declined")
    DECLINE_REPEAT = "decline_repeat", gettext_lazy("not re-accepted")
    ROUTE = "route", gettext_lazy("routed")
    ESCALATE = "escalate", gettext_lazy("reported upward")
    ASSIGN = "assign", gettext_lazy("sent to departments")
    TRANSFER = "transfer", gettext_lazy("transferred")
    SEND_BACK = "send_back", gettext_lazy("sent back")
    RETURN_ASSIGNMENT = "return_assignment", gettext_lazy("assignment returned")
    START = "start", gettext_lazy("handling started")
    SITE_VISIT = "site_visit", gettext_lazy("site visit")
    PROGRESS = "progress", gettext_lazy("progress")
    REQUEST_EXTENSION = "request_extension", gettext_lazy("extension requested")
    DECIDE_EXTENSION = "decide_extension", gettext_lazy("extension decided")
    REPLY = "reply", gettext_lazy("replied")
    RESOLVE = "resolve", gettext_lazy("resolved")
    FEEDBACK = "feedback", gettext_lazy("resident's verdict")
    REOPEN = "reopen", gettext_lazy("reopened")
    CLOSE = "close", gettext_lazy("closed")
    REQUEST_REVIEW = "request_review", gettext_lazy("review requested")
    ANSWER_REVIEW = "answer_review", gettext_lazy("review answered")
    REQUEST_REREVIEW = "request_rereview", gettext_lazy("re-review requested")
    ANSWER_REREVIEW = "answer_rereview", gettext_lazy("re-review answered")
    WITHDRAW = "withdraw", gettext_lazy("withdrawn")
    MERGE = "merge", gettext_lazy("merged")
    REPEAT_MERGED = "repeat_merged", gettext_lazy("repeat merged in")
    FLAG = "flag", gettext_lazy("flags changed")
    PACKAGE = "package", gettext_lazy("package leader set")
    NOTE = "note", gettext_lazy("note")
    CLASSIFY = "classify", gettext_lazy("classified")
    ACTIVITY = "activity", gettext_lazy("work at the grassroots")
    MEASURE = "measure", gettext_lazy("measure adopted")


STAFF = frozenset({Role.PETITION_STAFF, Role.ADMINISTRATOR, Role.LEADER})
HANDLERS = frozenset({Role.DEPARTMENT_HANDLER, Role.PETITION_STAFF, Role.ADMINISTRATOR, Role.LEADER})
INTAKE = STAFF | {Role.GRID_MEMBER, Role.DEPARTMENT_HANDLER}
ACTIVE = frozenset(OPEN_STATES) - {State.UNDER_REVIEW, State.UNDER_REREVIEW}


@dataclass(frozen=True)
class Rule:
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    public: bool = field(default=True)  # shown on the resident's timeline


TRANSITIONS: dict[str, Rule] = {
    Act.ACCEPT: Rule(frozenset({State.REGISTERED}), State.ACCEPTED, STAFF),
    Act.DECLINE: Rule(frozenset({State.REGISTERED}), State.DECLINED, STAFF),
    Act.DECLINE_REPEAT: Rule(frozenset({State.REGISTERED}), State.NOT_REACCEPTED, STAFF),
    Act.ASSIGN: Rule(frozenset({State.ACCEPTED, State.ASSIGNED, State.IN_PROGRESS}), State.ASSIGNED, HANDLERS),
    Act.TRANSFER: Rule(frozenset({State.ASSIGNED, State.IN_PROGRESS}), State.ASSIGNED, HANDLERS),
    Act.SEND_BACK: Rule(frozenset({State.ASSIGNED}), State.ACCEPTED, HANDLERS),
    Act.START: Rule(frozenset({State.ASSIGNED}), State.IN_PROGRESS, HANDLERS),
    Act.REPLY: Rule(frozenset({State.IN_PROGRESS}), State.REPLIED, HANDLERS),
    Act.RESOLVE: Rule(frozenset({State.REPLIED}), State.RESOLVED, HANDLERS),
    Act.FEEDBACK: Rule(frozenset({State.RESOLVED}), State.CLOSED, STAFF),
    Act.REOPEN: Rule(frozenset({State.RESOLVED}), State.IN_PROGRESS, STAFF),
    Act.CLOSE: Rule(frozenset({State.RESOLVED}), State.CLOSED, STAFF),
    Act.REQUEST_REVIEW: Rule(frozenset({State.REPLIED, State.RESOLVED, State.CLOSED}), State.UNDER_REVIEW, STAFF),
    Act.ANSWER_REVIEW: Rule(frozenset({State.UNDER_REVIEW}), State.CLOSED, STAFF),
    Act.REQUEST_REREVIEW: Rule(frozenset({State.CLOSED}), State.UNDER_REREVIEW, STAFF),
    Act.ANSWER_REREVIEW: Rule(frozenset({State.UNDER_REREVIEW}), State.CLOSED, STAFF),
    Act.WITHDRAW: Rule(ACTIVE, State.WITHDRAWN, STAFF),
    Act.MERGE: Rule(
        frozenset({State.REGISTERED, State.ACCEPTED, State.ASSIGNED, State.IN_PROGRESS}), State.MERGED, STAFF
    ),
}


class WorkflowError(Exception):
    """An action that cannot be taken; ``code`` tells which rule stopped it."""

    status = 400

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class NotAllowed(WorkflowError):  # noqa: N818  # reads as the reason in callers
    status = 403


class Conflict(WorkflowError):  # noqa: N818
    """Someone else changed the case first: reload and decide again."""

    status = 409


def allowed_acts(case: Case, user: Any) -> list[str]:
    """Actions ``user`` may take on ``case`` in its current state (for the case page)."""
    return [act for act, rule in TRANSITIONS.items() if case.state in rule.sources and _has_role(user, rule.roles)]


def _has_role(user: Any, roles: Iterable[str]) -> bool:
    return user is None or user.has_role(*roles)


def lock(case: Case, expected_version: int | None = None) -> Case:
    """The case re-read under a row lock; the caller is inside ``transaction.atomic``.

    With ``expected_version`` (what the actor saw), any change since is a conflict.
    """
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Case {number} was changed by someone else (now: {state}). Reload it and try again.").format(
                number=locked.number, state=locked.get_state_display()
            ),
            "stale_version",
        )
    return locked


def transition(
    case: Case,
    act: str,
    *,
    actor: Any,
    note: str = "",
    organisation: Organisation | None = None,
    payload: dict[str, Any] | None = None,
    updates: dict[str, Any] | None = None,
    public: bool | None = None,
) -> CaseEvent:
    """Move a locked case along ``act``: check the state and the actor's role, write the
    new state (and ``updates``) and the one timeline event, together.

    The caller holds the row lock (:func:`lock`) inside a transaction.
    """
    rule = TRANSITIONS[act]
    if case.state not in rule.sources:
        raise Conflict(
            _("Case {number} is {state}: it cannot be {act} now.").format(
                number=case.number, state=case.get_state_display(), act=Act(act).label
            ),
            "wrong_state",
        )
    if not _has_role(actor, rule.roles):
        raise NotAllowed(_("Your role may not do this: {act}.").format(act=Act(act).label), "role")
    from_state = case.state
    fields = {"state": rule.target, "version": case.version + 1, "updated_at": clock.now(), **(updates or {})}
    for name, value in fields.items():
        setattr(case, name, value)
    case.current_due_at = fields["current_due_at"] = current_due(case)
    Case.objects.filter(pk=case.pk).update(**fields)
    return CaseEvent.objects.create(
        case=case,
        kind=act,
        actor=actor,
        organisation=organisation,
        from_state=from_state,
        to_state=rule.target,
        note=note,
        is_public=rule.public if public is None else public,
        payload=payload or {},
    )


def record_event(
    case: Case,
    act: str,
    *,
    actor: Any,
    note: str = "",
    organisation: Organisation | None = None,
    payload: dict[str, Any] | None = None,
    public: bool = False,
) -> CaseEvent:
    """A timeline event that does not change the state (a site visit, a note, a flag)."""
    if act in TRANSITIONS:
        raise ValueError(f"{act} changes the state: use transition()")
    return CaseEvent.objects.create(
        case=case,
        kind=act,
        actor=actor,
        organisation=organisation,
        note=note,
        payload=payload or {},
        is_public=public,
    )
