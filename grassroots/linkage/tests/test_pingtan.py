"""M4, Pingtan's "1+1+5": every cadre at or above department level is linked to at least
one village and five enterprises, and every village and every enterprise above designated
size is covered."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from grassroots.linkage import services
from grassroots.linkage.models import Link, LinkagePolicy
from grassroots.org import services as org
from grassroots.org.choices import Level, Rank, Sector
from grassroots.org.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def pingtan(db):
    district = org.create_unit(
        actor=None, code="350128000000", name="平潭综合实验区", name_en="Pingtan", level=Level.COUNTY
    )
    towns = [
        org.create_unit(
            actor=None,
            code=f"350128{t:03d}000",
            name=f"镇{t}",
            name_en=f"Town {t}",
            level=Level.TOWNSHIP,
            parent=district,
        )
        for t in (1, 2, 3)
    ]
    villages = [
        org.create_unit(actor=None, code=f"350128{t:03d}{v:03d}", name=f"村{t}-{v}", level=Level.VILLAGE, parent=town)
        for t, town in enumerate(towns, start=1)
        for v in (1, 2)
    ]
    for i in range(20):
        org.register_enterprise(
            actor=None,
            unit=villages[i % 6],
            code=f"E{i:03d}",
            name=f"企业{i}",
            sector=Sector.MANUFACTURING,
            above_designated_size=i < 12,
        )
    cadres = [
        org.register_person(actor=None, unit=district, code=f"C{i}", name=f"干部{i}", rank=Rank.DEPARTMENT_BUREAU)
        for i in range(5)
    ]
    org.register_person(actor=None, unit=district, code="CLERK", name="科员", rank=Rank.OTHER)
    policy = LinkagePolicy.objects.create(
        name="1+1+5挂钩联系",
        name_en='"1+1+5" linkage',
        unit=district,
        min_rank=Rank.DEPARTMENT_BUREAU,
        min_villages=1,
        min_enterprises=5,
        max_per_cadre=8,
        within_jurisdiction=True,
    )
    return {"district": district, "towns": towns, "villages": villages, "cadres": cadres, "policy": policy}


def test_the_solver_reaches_full_coverage_and_the_report_shows_100_percent(pingtan, world):
    policy = pingtan["policy"]
    before = services.coverage(policy)
    assert (before.villages_covered, before.villages_total, before.enterprises_total) == (0, 6, 12)
    assert before.cadres_total == 5  # the clerk is below the rank
    proposal = services.propose(policy)
    assert proposal.feasible and proposal.max_load == 7  # 5 x (1 + 5) = 30 links at least, over 5 cadres: 6..7
    added, ended = services.apply_proposal(policy, actor=world.admin, proposal=proposal)
    assert (added, ended) == (len(proposal.add), 0)
    after = services.coverage(policy)
    assert after.complete
    assert (after.villages_pct, after.enterprises_pct) == (100.0, 100.0)
    # A second proposal changes nothing: the links already meet the policy.
    again = services.propose(policy)
    assert (again.add, again.remove, again.keep) == ([], [], added)


def test_removing_cadres_makes_it_infeasible_and_says_why(pingtan):
    Person.objects.filter(code__in=["C2", "C3", "C4"]).update(rank=Rank.OTHER)
    proposal = services.propose(pingtan["policy"])
    assert not proposal.feasible
    # 18 villages and enterprises, at most 8 links each: 3 cadres needed, 2 remain.
    assert proposal.reasons == ["At least 1 more eligible cadre is needed in Pingtan."]
    with pytest.raises(ValidationError):
        services.apply_proposal(pingtan["policy"], actor=None, proposal=proposal)


def test_cadres_confined_to_their_towns_leave_a_town_uncovered(pingtan):
    towns = pingtan["towns"]
    Person.objects.filter(code__in=["C0", "C1"]).update(unit=towns[0])
    Person.objects.filter(code__in=["C2", "C3", "C4"]).update(unit=towns[1])
    policy = pingtan["policy"]
    policy.min_enterprises = 1
    policy.save()
    reasons = services.propose(policy).reasons
    assert "2 villages in Town 3 have no eligible cadre within jurisdiction." in reasons
    assert "4 enterprises in Town 3 have no eligible cadre within jurisdiction." in reasons


def test_links_keep_their_history(pingtan, world):
    cadre, village = pingtan["cadres"][0], pingtan["villages"][0]
    made = services.link(cadre, actor=world.admin, village=village)
    services.end_link(made, actor=world.admin)
    services.link(cadre, actor=world.admin, village=village)
    assert Link.objects.filter(person=cadre).count() == 2
    assert Link.objects.active().filter(person=cadre).count() == 1
    with pytest.raises(ValidationError):
        services.link(cadre, actor=None, village=pingtan["towns"][0])


def test_package_leaders_are_assigned_in_bulk_and_balanced(world):
    """M9: leaders "package" the difficult cases, every case covered, nobody overloaded."""
    from grassroots.cases import services as cases
    from grassroots.cases.choices import CaseKind, Channel
    from grassroots.cases.services import PetitionerData

    leaders = []
    for i in range(3):
        person = org.register_person(
            actor=None, unit=world.county, code=f"LEAD{i}", name=f"领导{i}", rank=Rank.COUNTY_DIVISION
        )
        org.appoint(person, actor=None, organisation=world.petition_office, title="副县长", is_leader=True)
        leaders.append(person)
    difficult = []
    for i in range(7):
        case = cases.register_case(
            actor=world.county_staff,
            kind=CaseKind.PETITION,
            channel=Channel.VISIT,
            unit=world.changlin,
            title=f"疑难{i}",
            description="多年未决",
            petitioners=[PetitionerData(name="甲")],
            is_difficult=True,
        )
        difficult.append(case)
    done, load = services.assign_package_leaders(actor=world.admin, unit=world.county, cases=difficult)
    assert (done, load) == (7, 3)  # 7 cases over 3 leaders: 3, 2, 2
    from grassroots.cases.models import PackagePlan

    per_leader = sorted(PackagePlan.objects.values_list("leader_id", flat=True))
    assert len(per_leader) == 7 and max(per_leader.count(p.pk) for p in leaders) == 3
