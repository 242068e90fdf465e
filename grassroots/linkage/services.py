"""Linkage: who is linked to what, how well a policy is covered, and the solver's
proposal as a diff that a person approves and applies in one transaction."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grassroots import clock
from grassroots.audit.context import acting_user
from grassroots.audit.models import Action
from grassroots.audit.services import record
from grassroots.linkage import solver
from grassroots.linkage.models import EnterpriseScope, Link, LinkagePolicy
from grassroots.org.choices import RANK_ORDER, Level, Rank
from grassroots.org.models import Enterprise, Person, Unit
from grassroots.org.paths import ancestor_paths


def eligible_cadres(policy: LinkagePolicy) -> Any:
    ranks = [r for r, order in RANK_ORDER.items() if order >= RANK_ORDER[Rank(policy.min_rank)]]
    return Person.objects.within(policy.unit).filter(rank__in=ranks).select_related("unit")


def villages_of(policy: LinkagePolicy) -> Any:
    return Unit.objects.within(policy.unit).filter(level=Level.VILLAGE)


def enterprises_of(policy: LinkagePolicy) -> Any:
    qs = Enterprise.objects.within(policy.unit).select_related("unit")
    if policy.enterprise_scope == EnterpriseScope.ABOVE_SIZE:
        qs = qs.filter(above_designated_size=True)
    elif policy.enterprise_scope == EnterpriseScope.SECTORS:
        qs = qs.filter(sector__in=policy.clean_sectors())
    return qs


@dataclass
class Snapshot:
    """The policy's world, loaded once: the solver's instance and the names to word it."""

    instance: solver.Instance
    cadres: dict[int, Person]
    villages: dict[int, Unit]
    enterprises: dict[int, Enterprise]
    townships: dict[str, Unit]
    links: list[Link]


def snapshot(policy: LinkagePolicy) -> Snapshot:
    townships = {u.path: u for u in Unit.objects.within(policy.unit).filter(level__lte=Level.TOWNSHIP)}

    def township_of(path: str) -> str:
        for ancestor in reversed(ancestor_paths(path)):
            unit = townships.get(ancestor)
            if unit is not None and unit.level == Level.TOWNSHIP:
                return ancestor
        return path

    cadres = {p.pk: p for p in eligible_cadres(policy)}
    villages = {v.pk: v for v in villages_of(policy)}
    enterprises = {e.pk: e for e in enterprises_of(policy)}
    links = list(Link.objects.active().filter(person_id__in=list(cadres)).select_related("village", "enterprise"))
    existing = {(lk.person_id, solver.VILLAGE, lk.village_id) for lk in links if lk.village_id}
    existing |= {(lk.person_id, solver.ENTERPRISE, lk.enterprise_id) for lk in links if lk.enterprise_id}
    instance = solver.Instance(
        cadres=[solver.Cadre(p.pk, p.unit.path, township_of(p.unit.path)) for p in cadres.values()],
        villages=[solver.Item(v.pk, v.path, township_of(v.path)) for v in villages.values()],
        enterprises=[solver.Item(e.pk, e.unit.path, township_of(e.unit.path)) for e in enterprises.values()],
        min_villages=policy.min_villages,
        min_enterprises=policy.min_enterprises,
        max_per_cadre=policy.max_per_cadre,
        within_jurisdiction=policy.within_jurisdiction,
        existing=existing,
    )
    return Snapshot(instance, cadres, villages, enterprises, townships, links)


@dataclass
class Coverage:
    villages_total: int
    villages_covered: int
    enterprises_total: int
    enterprises_covered: int
    cadres_total: int
    cadres_meeting_quota: int
    uncovered_villages: list[Unit] = field(default_factory=list)
    uncovered_enterprises: list[Enterprise] = field(default_factory=list)
    cadres_short: list[tuple[Person, int, int]] = field(default_factory=list)  # person, villages, enterprises

    @property
    def villages_pct(self) -> float:
        return 100.0 if not self.villages_total else round(100 * self.villages_covered / self.villages_total, 1)

    @property
    def enterprises_pct(self) -> float:
        return (
            100.0 if not self.enterprises_total else round(100 * self.enterprises_covered / self.enterprises_total, 1)
        )

    @property
    def complete(self) -> bool:
        return (
            self.villages_covered == self.villages_total
            and self.enterprises_covered == self.enterprises_total
            and self.cadres_meeting_quota == self.cadres_total
        )


def coverage(policy: LinkagePolicy, snap: Snapshot | None = None) -> Coverage:
    """Villages and enterprises covered x of y, cadres meeting their quota, every gap by name."""
    snap = snap or snapshot(policy)
    village_links = {(lk.person_id, lk.village_id) for lk in snap.links if lk.village_id in snap.villages}
    enterprise_links = {(lk.person_id, lk.enterprise_id) for lk in snap.links if lk.enterprise_id in snap.enterprises}
    covered_v = {v for _p, v in village_links}
    covered_e = {e for _p, e in enterprise_links}
    per_v = Counter(p for p, _v in village_links)
    per_e = Counter(p for p, _e in enterprise_links)
    short = [
        (p, per_v[p.pk], per_e[p.pk])
        for p in snap.cadres.values()
        if per_v[p.pk] < policy.min_villages or per_e[p.pk] < policy.min_enterprises
    ]
    return Coverage(
        villages_total=len(snap.villages),
        villages_covered=len(covered_v),
        enterprises_total=len(snap.enterprises),
        enterprises_covered=len(covered_e),
        cadres_total=len(snap.cadres),
        cadres_meeting_quota=len(snap.cadres) - len(short),
        uncovered_villages=sorted((v for k, v in snap.villages.items() if k not in covered_v), key=lambda u: u.path),
        uncovered_enterprises=sorted(
            (e for k, e in snap.enterprises.items() if k not in covered_e), key=lambda e: (e.unit.path, e.code)
        ),
        cadres_short=sorted(short, key=lambda row: row[0].code),
    )


@dataclass
class Proposal:
    feasible: bool
    max_load: int = 0
    add: list[tuple[Person, Unit | Enterprise]] = field(default_factory=list)
    remove: list[Link] = field(default_factory=list)
    keep: int = 0
    reasons: list[str] = field(default_factory=list)


def propose(policy: LinkagePolicy) -> Proposal:
    """What the solver would change to reach full coverage and every quota with the lowest
    heaviest load; or, when that is impossible, exactly why."""
    snap = snapshot(policy)
    solution = solver.solve(snap.instance)
    if not solution.feasible:
        return Proposal(feasible=False, reasons=[_word(gap, snap, policy) for gap in solution.gaps])
    existing = snap.instance.existing
    add = sorted(solution.links - existing)
    in_scope = [lk for lk in snap.links if lk.village_id in snap.villages or lk.enterprise_id in snap.enterprises]
    removed = [
        lk
        for lk in in_scope
        if (lk.person_id, solver.VILLAGE if lk.village_id else solver.ENTERPRISE, lk.village_id or lk.enterprise_id)
        not in solution.links
    ]
    return Proposal(
        feasible=True,
        max_load=solution.max_load,
        add=[
            (snap.cadres[c], snap.villages[i] if kind == solver.VILLAGE else snap.enterprises[i]) for c, kind, i in add
        ],
        remove=removed,
        keep=len(in_scope) - len(removed),
    )


def _word(gap: solver.Gap, snap: Snapshot, policy: LinkagePolicy) -> str:
    place = snap.townships.get(gap.scope) or Unit.objects.filter(path=gap.scope).first()
    where = place.label if place else policy.unit.label
    if gap.reason == "uncoverable":
        if gap.kind == solver.VILLAGE:
            return ngettext(
                "%(n)d village in %(unit)s has no eligible cadre within jurisdiction.",
                "%(n)d villages in %(unit)s have no eligible cadre within jurisdiction.",
                len(gap.items),
            ) % {"n": len(gap.items), "unit": where}
        return ngettext(
            "%(n)d enterprise in %(unit)s has no eligible cadre within jurisdiction.",
            "%(n)d enterprises in %(unit)s have no eligible cadre within jurisdiction.",
            len(gap.items),
        ) % {"n": len(gap.items), "unit": where}
    if gap.reason == "short_quota":
        person = snap.cadres[gap.cadres[0]]
        what = _("villages") if gap.kind == solver.VILLAGE else _("enterprises")
        return _("{cadre} can reach fewer than {n} {what} within jurisdiction ({unit}).").format(
            cadre=person.label, n=gap.needed, what=what, unit=person.unit.label
        )
    if gap.reason == "too_few_cadres":
        return ngettext(
            "At least %(n)d more eligible cadre is needed in %(unit)s.",
            "At least %(n)d more eligible cadres are needed in %(unit)s.",
            gap.needed,
        ) % {"n": gap.needed, "unit": where}
    if gap.reason == "load_cap":
        return _("The quotas need {n} links per cadre, more than the {cap} a cadre may have.").format(
            n=gap.needed, cap=policy.max_per_cadre
        )
    return _("No cadre in {unit} is of the policy's rank or above.").format(unit=policy.unit.label)


def apply_proposal(policy: LinkagePolicy, *, actor: Any, proposal: Proposal) -> tuple[int, int]:
    """Make the approved changes: new links from today, removed links ended today. One
    transaction; the policy's cadres are checked again, so a stale proposal cannot link
    someone who has left."""
    if not proposal.feasible:
        raise ValidationError({"proposal": [_("An infeasible proposal cannot be applied.")]})
    today = clock.today()
    with transaction.atomic():
        current = set(eligible_cadres(policy).values_list("pk", flat=True))
        if any(person.pk not in current for person, _target in proposal.add):
            raise ValidationError({"proposal": [_("The cadres have changed since the proposal; propose again.")]})
        Link.objects.filter(pk__in=[lk.pk for lk in proposal.remove], ended_on__isnull=True).update(ended_on=today)
        Link.objects.bulk_create(
            [
                Link(
                    person=person,
                    village=target if isinstance(target, Unit) else None,
                    enterprise=target if isinstance(target, Enterprise) else None,
                    started_on=today,
                    policy=policy,
                    created_by=acting_user(actor),
                )
                for person, target in proposal.add
            ],
            batch_size=2000,
        )
        record(
            Action.UPDATE,
            actor=actor,
            target=policy,
            detail={"added": len(proposal.add), "ended": len(proposal.remove), "max_load": proposal.max_load},
        )
    return len(proposal.add), len(proposal.remove)


@transaction.atomic
def link(person: Person, *, actor: Any, village: Unit | None = None, enterprise: Enterprise | None = None) -> Link:
    if (village is None) == (enterprise is None):
        raise ValidationError({"target": [_("Link to one village or one enterprise.")]})
    if village is not None and village.level != Level.VILLAGE:
        raise ValidationError({"village": [_("{unit} is not a village or community.").format(unit=village.label)]})
    made = Link.objects.create(
        person=person,
        village=village,
        enterprise=enterprise,
        created_by=acting_user(actor),
    )
    record(Action.CREATE, actor=actor, target=made)
    return made


@transaction.atomic
def end_link(item: Link, *, actor: Any) -> Link:
    Link.objects.filter(pk=item.pk, ended_on__isnull=True).update(ended_on=clock.today())
    item.refresh_from_db()
    record(Action.UPDATE, actor=actor, target=item, detail={"ended_on": str(item.ended_on)})
    return item


# --- package leaders (包案) ---------------------------------------------------------------------


def leaders_for(unit: Unit) -> Any:
    """Leading cadres on the rosters of ``unit``'s subtree: an active leading post, and a rank
    of township/section level or above (a village branch secretary does not package cases)."""
    from grassroots.org.models import Post

    leading = Post.objects.active().filter(is_leader=True).values("person_id")
    ranks = [r for r, order in RANK_ORDER.items() if order >= RANK_ORDER[Rank.TOWNSHIP_SECTION]]
    return Person.objects.within(unit).filter(pk__in=leading, rank__in=ranks).select_related("unit")


def plan_package_leaders(cases: list[Any], leaders: list[Person]) -> tuple[dict[int, Person], int, list[str]]:
    """A package leader for every case, within each leader's own unit, the busiest leader as
    lightly loaded as possible, keeping leaders already in charge. Returns the choice per
    case id, the heaviest load, and the reasons when some case cannot be covered."""
    from grassroots.cases.models import PackagePlan

    current = dict(PackagePlan.objects.filter(case__in=cases).values_list("case_id", "leader_id"))
    instance = solver.Instance(
        cadres=[solver.Cadre(p.pk, p.unit.path, p.unit.path) for p in leaders],
        villages=[],
        enterprises=[solver.Item(c.pk, c.unit_path, c.unit_path) for c in cases],
        min_villages=0,
        min_enterprises=0,
        within_jurisdiction=True,
        existing={(leader, solver.ENTERPRISE, case) for case, leader in current.items()},
    )
    solution = solver.solve(instance)
    if not solution.feasible:
        lost = [g for g in solution.gaps if g.reason == "uncoverable"]
        count = sum(len(g.items) for g in lost) or len(cases)
        return (
            {},
            0,
            [
                ngettext(
                    "%(n)d case has no leader within whose unit it lies.",
                    "%(n)d cases have no leader within whose unit they lie.",
                    count,
                )
                % {"n": count}
            ],
        )
    by_id = {p.pk: p for p in leaders}
    chosen: dict[int, Person] = {}
    for leader, _kind, case in sorted(solution.links):
        if case not in chosen or current.get(case) == leader:
            chosen[case] = by_id[leader]
    return chosen, solution.max_load, []


def assign_package_leaders(*, actor: Any, unit: Unit, cases: list[Any]) -> tuple[int, int]:
    """Give every open difficult or backlog case of ``cases`` a package leader, balanced."""
    from grassroots.cases.services import set_package_leader

    chosen, load, reasons = plan_package_leaders(cases, list(leaders_for(unit)))
    if reasons:
        raise ValidationError({"leaders": reasons})
    with transaction.atomic():
        for case in cases:
            set_package_leader(
                case,
                actor=actor,
                leader=chosen[case.pk],
                task=_("Settle the case and report on it."),
                responsibility=_("The package leader answers for the case until it is closed."),
            )
    return len(cases), load
