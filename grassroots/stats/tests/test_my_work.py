"""A leader's own view: the cases and projects they package, their coming reception days
with the appointments booked, the villages they are linked to with their open cases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from grassroots import clock
from grassroots.accounts.choices import Role
from grassroots.accounts.services import create_login
from grassroots.activities import services as activities
from grassroots.activities.choices import ActivityKind
from grassroots.cases import services as cases
from grassroots.cases.services import PetitionerData
from grassroots.conftest import PASSWORD
from grassroots.linkage import services as linkage
from grassroots.org import services as org

pytestmark = pytest.mark.django_db


def test_a_leader_sees_their_packages_days_and_links(world, as_user, django_assert_max_num_queries):
    leader = org.register_person(actor=None, unit=world.county, code="P-L-9", name="县委副书记", rank="county_division")
    org.appoint(leader, actor=None, organisation=world.petition_office, title="包案领导", is_leader=True)
    login = create_login("deputy", actor=None, password=PASSWORD, person=leader, roles=[Role.LEADER])
    backlog = cases.register_case(
        actor=world.county_staff,
        kind="petition",
        channel="visit",
        unit=world.changlin,
        title="多年拆迁安置未落实",
        description="安置房至今未交付。",
        petitioners=[PetitionerData(name="赵六")],
    )
    cases.flag_case(backlog, actor=world.county_staff, difficult=True)
    cases.set_package_leader(backlog, actor=world.county_staff, leader=leader, task="三个月内化解")
    day = activities.record_activity(
        actor=world.county_staff,
        kind=ActivityKind.RECEPTION_DAY,
        title="县领导接访日",
        unit=world.county,
        starts_at=clock.now() + timedelta(days=3),
        ends_at=clock.now() + timedelta(days=3, hours=3),
        held=False,
        leader=leader,
        slot_minutes=30,
    )
    activities.book_appointment(day, actor=world.county_staff, case=backlog, slot_at=day.starts_at)
    linkage.link(leader, actor=None, village=world.changlin)
    linkage.link(leader, actor=None, enterprise=world.liyang_enterprise)

    from grassroots.stats.rollups import fold_all

    fold_all()  # the minutely fold has run: the page reads the rollups
    client = as_user(login)
    with django_assert_max_num_queries(22):
        page = client.get("/dashboard/mine/").content.decode()
    assert "多年拆迁安置未落实" in page and "县领导接访日" in page and "1 appointment" in page
    assert "Changlin Community" in page and "1 open case" in page and "Changlin Agritech" in page

    other = as_user(world.street_staff).get("/dashboard/mine/").content.decode()
    assert "多年拆迁安置未落实" not in other and "县领导接访日" not in other
    assert "not linked to a person" in as_user(world.nobody).get("/dashboard/mine/").content.decode()
