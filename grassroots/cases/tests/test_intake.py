"""Intake from every channel: batches and persons, anonymity, idempotency, placing a point
in its grid, and confidentiality of the petitioner from those complained about."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from grassroots.cases import services
from grassroots.cases.choices import CaseKind, Channel, State
from grassroots.cases.models import Case
from grassroots.cases.services import ComplainedData, PetitionerData
from grassroots.cases.workflow import Conflict
from grassroots.org import services as org
from grassroots.org.choices import Level, OrganisationKind
from grassroots.org.importers import import_organisations

pytestmark = pytest.mark.django_db


def register(world, **kw):
    fields = {
        "actor": world.county_staff,
        "kind": CaseKind.PETITION,
        "channel": Channel.VISIT,
        "unit": world.changlin,
        "title": "物业乱收费",
        "description": "小区物业擅自上调物业费。",
        "petitioners": [PetitionerData(name="刘洋")],
    } | kw
    return services.register_case(**fields)


def test_a_group_visit_is_one_batch_of_n_persons_with_at_most_five_representatives(world):
    reps = [PetitionerData(name=f"代表{i}", is_representative=True) for i in range(5)]
    case = register(world, persons=40, petitioners=reps)
    assert (case.batches, case.persons, case.petitioners.count()) == (1, 40, 5)
    six = [PetitionerData(name=f"代表{i}", is_representative=True) for i in range(6)]
    with pytest.raises(ValidationError) as info:
        register(world, persons=40, petitioners=six)
    assert "petitioners" in info.value.message_dict


def test_anonymous_cases_name_nobody_and_staff_found_problems_need_no_petitioner(world):
    case = register(world, is_anonymous=True, petitioners=[])
    assert case.is_anonymous and not case.petitioners.exists()
    found = register(world, channel=Channel.GRID_PATROL, kind=CaseKind.GRID_INCIDENT, petitioners=[])
    assert found.channel == "grid_patrol"
    with pytest.raises(ValidationError) as info:
        register(world, petitioners=[])
    assert info.value.message_dict["petitioners"] == ["Name the petitioner, or mark the case anonymous."]


def test_bad_input_names_every_field_and_writes_nothing(world):
    before = Case.objects.count()
    with pytest.raises(ValidationError) as info:
        register(
            world,
            kind="gossip",
            channel="pigeon",
            title=" ",
            description="x" * 4001,
            persons=0,
            latitude=95,
            longitude=None,
        )
    assert set(info.value.message_dict) == {"kind", "channel", "title", "description", "persons", "latitude"}
    assert Case.objects.count() == before


def test_the_same_idempotency_key_never_makes_a_second_case(world):
    first = register(world, idempotency_key="abc-123")
    again = register(world, idempotency_key="abc-123", title="重发")
    assert again.pk == first.pk and Case.objects.filter(idempotency_key="abc-123").count() == 1
    # The retry's number was handed back with its rollback: the next case follows on.
    assert int(register(world).number) == int(first.number) + 1


def test_a_point_inside_a_grid_places_the_case_in_that_grid(world):
    square = {
        "type": "Polygon",
        "coordinates": [[[111.5, 29.4], [111.6, 29.4], [111.6, 29.5], [111.5, 29.5], [111.5, 29.4]]],
    }
    grid = org.create_unit(
        actor=None, code="GRID-SQ", name="方格网格", level=Level.GRID, parent=world.changlin, boundary=square
    )
    inside = register(world, latitude=29.45, longitude=111.55)
    outside = register(world, latitude=29.8, longitude=111.55)
    assert inside.unit == grid and inside.unit_path == grid.path
    assert outside.unit == world.changlin


def test_those_complained_about_never_see_the_case(world):
    case = register(world, complained=[ComplainedData(person=world.liyang_cadre)])
    # Liyang's cadre and everyone in their organisation (the street committee) are blind to it.
    assert not Case.objects.visible_to(world.street_staff).filter(pk=case.pk).exists()
    assert Case.objects.visible_to(world.county_staff).filter(pk=case.pk).exists()
    by_org = register(world, complained=[ComplainedData(organisation=world.petition_office)])
    assert not Case.objects.visible_to(world.county_staff).filter(pk=by_org.pk).exists()
    assert Case.objects.visible_to(world.street_staff).filter(pk=by_org.pk).exists()


def test_other_streets_see_nothing(world):
    case = register(world)
    assert not Case.objects.visible_to(world.outsider).filter(pk=case.pk).exists()
    assert Case.objects.visible_to(world.grid_member).count() == 0  # placed in the community, not the grid


def test_a_stale_version_is_a_conflict(world):
    case = register(world)
    services.accept_case(case, actor=world.county_staff, version=case.version)
    with pytest.raises(Conflict, match="changed by someone else"):
        services.decline_case(case, actor=world.county_staff, reason="重复", version=1)


def test_merging_a_repeat_into_its_master(world):
    master = register(world)
    repeat = register(world, title="物业乱收费（重复）")
    services.merge_case(repeat, actor=world.county_staff, into=master)
    repeat.refresh_from_db()
    assert repeat.state == State.MERGED and repeat.master == master
    assert master.events.filter(kind="repeat_merged").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_acting_at_once_one_wins_the_other_gets_a_conflict(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers")
    case = register(world)
    results: list[str] = []
    barrier = threading.Barrier(2)

    def act(fn):
        barrier.wait()
        try:
            fn()
            results.append("ok")
        except Conflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(lambda: services.accept_case(case, actor=world.county_staff),)),
        threading.Thread(
            target=act, args=(lambda: services.decline_case(case, actor=world.county_staff, reason="不属于"),)
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "ok"]
    case.refresh_from_db()
    assert case.events.exclude(to_state="").count() == 2  # registered, then accepted or declined: not both


def test_a_new_coordinating_organisation_takes_the_next_case_at_once(world, django_capture_on_commit_callbacks):
    # Intake remembers each unit's coordinator (grassroots.memo); a change must not wait it out.
    assert register(world).responsible.code == "liyang-pwc"
    org.create_organisation(
        actor=None,
        unit=world.changlin,
        kind="party_branch",
        code="cl-vc",
        name="长林社区党支部",
        coordinates_unit=True,
    )
    assert register(world).responsible.code == "cl-vc"

    assert register(world, unit=world.hexi).responsible.code == "lipu-pwc"
    with django_capture_on_commit_callbacks(execute=True):
        import_organisations(
            "code,name,kind,unit_code,coordinates_unit\nhx-vc,河西社区党支部,party_branch,430723002001,yes\n".encode(),
            actor=None,
        )
    assert register(world, unit=world.hexi).responsible.code == "hx-vc"


def test_a_body_complained_about_never_holds_the_case_the_one_above_it_does(world):
    # Recusal (回避): Liyang's committee coordinates Changlin, so a complaint about it, or
    # about a cadre who works in it, goes to the county's coordinator instead.
    county_office = org.create_organisation(
        actor=None,
        unit=world.county,
        kind=OrganisationKind.PETITION_OFFICE,
        code="lx-coordination",
        name="澧县群众工作中心",
        name_en="Li County Public Service Centre",
        coordinates_unit=True,
    )
    assert register(world).responsible == world.liyang_committee
    about_body = register(world, complained=[ComplainedData(organisation=world.liyang_committee)])
    about_cadre = register(world, complained=[ComplainedData(person=world.liyang_cadre)])
    assert about_body.responsible == about_cadre.responsible == county_office
    assert set(about_cadre.complained_parties.values_list("organisation_id", flat=True)) == {
        None,
        world.liyang_committee.pk,
    }
    nobody_above = register(
        world,
        complained=[ComplainedData(organisation=world.liyang_committee), ComplainedData(organisation=county_office)],
    )
    assert nobody_above.responsible is None
