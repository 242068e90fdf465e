"""A user sees exactly the subtree of the units of their posts: pages, API and exports."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from grassroots.org.models import Enterprise, Person, Unit

pytestmark = pytest.mark.django_db


def codes(response):
    return {row["code"] for row in response.json()["results"]}


def test_street_staff_see_their_street_and_nothing_above_or_beside(world):
    visible = set(Unit.objects.visible_to(world.street_staff).values_list("code", flat=True))
    assert visible == {world.liyang.code, world.changlin.code, world.changlin_grid.code}


def test_county_staff_see_the_whole_county_but_not_the_province(world):
    visible = set(Unit.objects.visible_to(world.county_staff).values_list("code", flat=True))
    assert world.lipu.code in visible and world.changlin_grid.code in visible
    assert world.province.code not in visible


def test_grid_member_sees_only_the_grid(world):
    assert list(Unit.objects.visible_to(world.grid_member)) == [world.changlin_grid]


def test_login_without_a_person_sees_nothing(world):
    assert not Unit.objects.visible_to(world.nobody).exists()
    assert not Person.objects.visible_to(world.nobody).exists()


def test_superuser_sees_everything(world):
    assert Unit.objects.visible_to(world.admin).count() == Unit.objects.count()


def test_an_ended_post_gives_no_scope(world):
    world.liyang_cadre.posts.update(ended_on="2023-01-01")
    world.street_staff.refresh_from_db()
    assert not Unit.objects.visible_to(world.street_staff).exists()


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("org:unit-detail", lambda w: [w.liyang.code]),
        ("org:unit-detail", lambda w: [w.changlin_grid.code]),
        ("org:unit-children", lambda w: [w.liyang.code]),
        ("org:person-detail", lambda w: [w.liyang_cadre.code]),
        ("org:export", lambda w: [w.liyang.code, "people", "csv"]),
        ("org:export", lambda w: [w.changlin.code, "enterprises", "xlsx"]),
    ],
)
def test_outsider_gets_404_on_every_liyang_page(world, as_user, name, args):
    client = as_user(world.street_staff)
    assert client.get(reverse(name, args=args(world))).status_code == 200
    client = as_user(world.outsider)
    assert client.get(reverse(name, args=args(world))).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(world, client):
    response = client.get(reverse("org:unit-detail", args=[world.liyang.code]))
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/api/v1/units/").status_code in (401, 403)


def test_tree_browser_starts_at_the_top_of_the_users_scope(world, as_user):
    page = as_user(world.outsider).get(reverse("org:unit-tree")).content.decode()
    assert world.lipu.label in page
    assert world.liyang.label not in page and world.county.label not in page


def test_unit_children_list_only_what_the_user_may_see(world, as_user):
    page = as_user(world.county_staff).get(reverse("org:unit-children", args=[world.county.code])).content.decode()
    assert world.liyang.label in page and world.lipu.label in page


def test_api_units_within_returns_a_scoped_subtree(world, as_user):
    client = as_user(world.county_staff)
    assert codes(client.get("/api/v1/units/", {"within": world.liyang.code})) == {
        world.liyang.code,
        world.changlin.code,
        world.changlin_grid.code,
    }
    outsider = as_user(world.outsider)
    assert codes(outsider.get("/api/v1/units/", {"within": world.liyang.code})) == set()
    assert codes(outsider.get("/api/v1/units/", {"within": world.county.code})) == set()
    assert codes(outsider.get("/api/v1/units/")) == {world.lipu.code, world.hexi.code}


@pytest.mark.parametrize(
    ("endpoint", "liyang_code"),
    [
        ("units", lambda w: w.changlin.code),
        ("organisations", lambda w: w.liyang_committee.code),
        ("enterprises", lambda w: w.liyang_enterprise.code),
        ("people", lambda w: w.liyang_cadre.code),
    ],
)
def test_api_hides_other_streets_records_in_lists_and_details(world, as_user, endpoint, liyang_code):
    code = liyang_code(world)
    assert code in codes(as_user(world.street_staff).get(f"/api/v1/{endpoint}/"))
    client = as_user(world.outsider)
    assert code not in codes(client.get(f"/api/v1/{endpoint}/"))
    assert client.get(f"/api/v1/{endpoint}/{code}/").status_code == 404


def test_export_of_the_county_holds_only_what_the_user_may_see(world, as_user):
    """Even a county export, asked for by someone who cannot see the county, gives nothing;
    a street export holds only the street's people."""
    client = as_user(world.outsider)
    assert client.get(reverse("org:export", args=[world.county.code, "people", "csv"])).status_code == 404
    response = client.get(reverse("org:export", args=[world.lipu.code, "people", "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r[0] for r in rows[1:]} == {world.lipu_cadre.code}


def test_enterprises_of_a_subtree(world):
    assert list(Enterprise.objects.within(world.liyang)) == [world.liyang_enterprise]


def test_a_post_at_the_top_of_the_only_tree_sees_it_whole_without_a_filter(world):
    from datetime import date

    from grassroots.accounts.services import create_login
    from grassroots.org import services
    from grassroots.org.choices import Level, OrganisationKind

    bureau = services.create_organisation(
        actor=None, unit=world.province, kind=OrganisationKind.PETITION_OFFICE, code="hn-xfj", name="湖南省信访局"
    )
    clerk = Person.objects.create(unit=world.province, code="P-HN-1", name="周敏", name_en="Zhou Min")
    services.appoint(clerk, actor=None, organisation=bureau, title="督查专员", started_on=date(2022, 1, 1))
    user = create_login("hunan", actor=None, password="a-long-password-2026", person=clerk)
    assert user.scope_paths() is None  # the whole tree: lists need no subtree filter
    assert Unit.objects.visible_to(user).count() == Unit.objects.count()
    # A second tree beside it, and the same post covers only its own.
    services.create_unit(actor=None, code="500000", name="重庆市", name_en="Chongqing", level=Level.PROVINCE)
    user = type(user).objects.get(pk=user.pk)
    assert user.scope_paths() == [world.province.path]


def test_the_scope_statement_counts_as_active_what_the_querysets_do(world):
    # accounts.models._access_sql writes PostQuerySet.active() out in SQL for speed; both
    # must agree on every kind of posting: started, not yet started, ended, ended today.
    from datetime import timedelta

    from django.utils import timezone

    from grassroots.accounts.services import create_login
    from grassroots.conftest import PASSWORD
    from grassroots.org.models import GridMember, Post, Posting
    from grassroots.org.paths import minimal_cover
    from grassroots.org.services import register_person

    today = timezone.localdate()
    person = register_person(actor=None, unit=world.county, code="scope-probe", name="试探", phone="13800138000")
    Post.objects.create(person=person, organisation=world.lipu_committee, title="干事", started_on=today)
    Post.objects.create(
        person=person, organisation=world.liyang_committee, title="干事", started_on=today + timedelta(days=1)
    )
    GridMember.objects.create(
        person=person,
        grid=world.changlin_grid,
        started_on=today - timedelta(days=9),
        ended_on=today - timedelta(days=1),
    )
    Posting.objects.create(
        person=person, village=world.changlin, role="instructor", started_on=today - timedelta(days=9), ended_on=today
    )
    user = create_login("probe", actor=None, password=PASSWORD, person=person)

    expected = minimal_cover(
        [p.organisation.unit.path for p in Post.objects.active().filter(person=person)]
        + [g.grid.path for g in GridMember.objects.active().filter(person=person)]
        + [p.village.path for p in Posting.objects.active().filter(person=person)]
    )
    assert user.scope_paths() == expected == sorted([world.lipu.path, world.changlin.path])

    # On PostgreSQL the statement runs as a function (its plan kept by the session): the
    # function must answer what the statement does.
    if connection.vendor == "postgresql":
        from grassroots.accounts.models import ACCESS_CALL, _access_sql

        with connection.cursor() as cursor:
            params: list[Any] = [person.pk, today, today] * 3 + [user.pk]
            cursor.execute(_access_sql(), params)
            statement = sorted(cursor.fetchall())
            cursor.execute(ACCESS_CALL, [person.pk, today, user.pk])
            assert sorted(cursor.fetchall()) == statement


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the access function is PostgreSQL's")
def test_migrate_brings_a_stale_access_function_up_to_date(world):
    # A release that changes the access statement: its migrate replaces the function an
    # older release made, whose stale statement would otherwise decide every user's scope.
    from grassroots.accounts.models import (
        ACCESS_FUNCTION,
        User,
        access_function_body,
        access_functions,
        define_access_function,
        install_access_function,
    )

    with connection.cursor() as cursor:
        define_access_function(cursor, " BEGIN RETURN QUERY SELECT 'u'::text, '0'::varchar; END ")
        # ... and an overload a release with other arguments left behind.
        cursor.execute(
            f"CREATE FUNCTION {ACCESS_FUNCTION}(p_person integer)"
            " RETURNS TABLE (access_kind text, access_value varchar) LANGUAGE sql AS $$ SELECT 'u', '1' $$"
        )
        # Another deployment in its own schema of the same database keeps its function.
        cursor.execute("CREATE SCHEMA neighbour")
        cursor.execute(
            f"CREATE FUNCTION neighbour.{ACCESS_FUNCTION}(p_person bigint)"
            " RETURNS TABLE (access_kind text, access_value varchar) LANGUAGE sql AS $$ SELECT 'u', '2' $$"
        )
    assert User.objects.get(pk=world.county_staff.pk).scope_paths() == ["0"]

    install_access_function()

    with connection.cursor() as cursor:
        assert [body for _signature, body in access_functions(cursor)] == [access_function_body()]
        cursor.execute(f"SELECT access_value FROM neighbour.{ACCESS_FUNCTION}(1)")  # noqa: S608  # a constant name
        assert cursor.fetchall() == [("2",)]
    assert User.objects.get(pk=world.county_staff.pk).scope_paths() == [world.county.path]
