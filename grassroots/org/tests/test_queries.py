"""No page or endpoint issues more queries as the data grows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grassroots.org import services
from grassroots.org.choices import Level, Sector

pytestmark = pytest.mark.django_db


def grow(world, n: int, tag: str) -> None:
    """Add ``n`` communities under Liyang, each with a grid, a branch, a secretary and an enterprise."""
    for i in range(n):
        village = services.create_unit(
            actor=None, code=f"{tag}{i}", name=f"{tag}社区{i}", level=Level.VILLAGE, parent=world.liyang
        )
        services.create_unit(actor=None, code=f"{tag}{i}g", name="网格", level=Level.GRID, parent=village)
        branch = services.create_organisation(
            actor=None, unit=village, kind="party_branch", code=f"{tag}{i}b", name="党支部"
        )
        person = services.register_person(actor=None, unit=village, code=f"{tag}{i}p", name="书记")
        services.appoint(person, actor=None, organisation=branch, title="书记")
        services.register_enterprise(actor=None, unit=village, code=f"{tag}{i}e", name="企业", sector=Sector.TRADE)
        person2 = services.register_person(actor=None, unit=world.liyang, code=f"{tag}{i}q", name="干部")
        services.appoint(person2, actor=None, organisation=world.liyang_committee, title="干部")


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("org:unit-detail", args=[w.liyang.code]),
        lambda w: reverse("org:unit-children", args=[w.liyang.code]),
        lambda w: reverse("org:unit-tree"),
        lambda w: reverse("org:export", args=[w.liyang.code, "people", "xlsx"]),
        lambda w: reverse("org:export", args=[w.liyang.code, "units", "csv"]),
        lambda w: "/api/v1/units/?within=" + w.liyang.code,
        lambda w: "/api/v1/people/",
        lambda w: "/api/v1/organisations/",
        lambda w: "/api/v1/enterprises/",
    ],
)
def test_query_count_does_not_grow_with_the_data(world, as_user, url):
    client = as_user(world.street_staff)
    grow(world, 2, "a")
    small = count_queries(client, url(world))
    grow(world, 12, "b")
    client = as_user(world.street_staff)
    large = count_queries(client, url(world))
    assert large == small, f"{url(world)}: {small} queries with little data, {large} with more"


def test_unit_page_query_budget(world, as_user):
    """The whole unit page, with organisations, posts, people and enterprises."""
    client = as_user(world.street_staff)
    grow(world, 5, "c")
    # 3 for session, user and scope; 1 for the unread notifications; the rest for the page.
    assert count_queries(client, reverse("org:unit-detail", args=[world.liyang.code])) <= 15
