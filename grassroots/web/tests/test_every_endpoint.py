"""Scope proven for every endpoint: each URL pattern of the site (pages, API, exports,
search, statistics, Open311, the portal) is requested by a user of the neighbouring street
and by a login with no person, with its parameters pointing at Liyang Street's records.
They get 403 or 404 for Liyang's records, lists without them, and no write goes through."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from grassroots import clock
from grassroots.activities import services as activities
from grassroots.activities.choices import ActivityKind
from grassroots.cases import services as cases
from grassroots.cases.models import Case
from grassroots.cases.services import ComplainedData, PetitionerData
from grassroots.linkage.models import LinkagePolicy
from grassroots.research import services as research

pytestmark = pytest.mark.django_db

# Strings only Liyang's records hold: none may reach the other street or a scope-less login.
MARKERS = ["机密标记甲", "机密反映人乙", "13611112222", "机密活动丙", "机密调研丁", "13912345678", "马志强"]
# Public by design, or not about records: checked in their own tests.
SKIP = re.compile(r"^(admin/|login/|logout/|i18n/|jsi18n/|api/v1/(schema|docs|auth)/|report/|track/|$)")


def patterns() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def walk(resolver: Any, prefix: str) -> None:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                walk(p, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if "format" in route or SKIP.match(route.replace("^", "")):
                    continue
                found.append((route, p.name or ""))

    walk(get_resolver(), "")
    return sorted(set(found))


@pytest.fixture
def liyang(world):
    """A record of every kind in Liyang Street, each marked."""
    case = cases.register_case(
        actor=world.street_staff,
        kind="petition",
        channel="visit",
        unit=world.changlin_grid,
        title="机密标记甲",
        description="机密标记甲的详情",
        petitioners=[PetitionerData(name="机密反映人乙", phone="13611112222")],
        complained=[ComplainedData(description="某物业公司")],
    )
    activity = activities.record_activity(
        actor=world.street_staff,
        kind=ActivityKind.RECEPTION_DAY,
        title="机密活动丙",
        unit=world.liyang,
        starts_at=clock.now() + timedelta(days=2),
        ends_at=clock.now() + timedelta(days=2, hours=3),
        held=False,
        slot_minutes=30,
    )
    appointment = activities.book_appointment(activity, actor=world.street_staff, case=case, slot_at=activity.starts_at)
    plan = research.create_plan(
        actor=world.street_staff, title="机密调研丁", unit=world.liyang, starts_on=clock.today()
    )
    policy = LinkagePolicy.objects.create(name="澧阳挂钩", name_en="Liyang linkage", unit=world.liyang)
    return {
        "number": case.number,
        "code": world.liyang.code,
        "pk": activity.pk,
        "appointment_id": appointment.pk,
        "plan": plan.pk,
        "policy": policy.pk,
        "appointment": appointment.pk,
        "case": case,
    }


def url_for(route: str, name: str, values: dict[str, Any], world: Any) -> str:
    """The route with its parameters pointing at Liyang's records."""
    route = route.replace("^", "").replace("$", "").replace("(?:\\.(?P<fmt>[a-z]+))?", ".json")
    pk = values["pk"]
    if route.startswith(("research/", "api/v1/research-plans")):
        pk = values["plan"]
    elif route.startswith(("linkage/", "api/v1/linkage-policies")):
        pk = values["policy"]
    elif route.startswith("api/v1/appointments"):
        pk = values["appointment"]
    code = values["code"]
    if "people" in route:
        code = world.liyang_cadre.code
    elif "organisations" in route:
        code = world.liyang_committee.code
    elif "enterprises" in route:
        code = world.liyang_enterprise.code
    elif "categories" in route or route.startswith("open311/v2/services"):
        code = "drainage"
    fill = {
        "number": values["number"],
        "code": code,
        "pk": str(pk),
        "appointment_id": str(values["appointment_id"]),
        "fmt": "json" if route.startswith("open311") else "csv",
        "what": "people",
        "name": "accept",
        "index": "0",
        "kind": "acceptance",
        "token": "no-such-token",
        "rest": "nothing",
    }
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: fill[m.group(1)], route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: fill[m.group(1)], route)
    route = route.replace("(?:\\.", "").replace(")?", "").replace("\\.", ".")
    return "/" + route


def test_every_endpoint_keeps_liyang_from_the_neighbour_and_from_a_login_without_scope(world, liyang):
    case: Case = liyang["case"]
    # The control: the markers are there to be found by those who may see them.
    own = Client(HTTP_ACCEPT_LANGUAGE="en")
    own.force_login(world.street_staff)
    assert "机密标记甲" in own.get(url_for("cases/<str:number>/", "", liyang, world)).content.decode()
    assert "机密活动丙" in own.get("/activities/").content.decode()
    assert "机密调研丁" in own.get(f"/research/plans/{liyang['plan']}/").content.decode()
    assert len(patterns()) > 100
    before = (case.version, case.events.count())
    leaks = []
    for user in (world.outsider, world.nobody):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        for route, name in patterns():
            url = url_for(route, name, liyang, world)
            names_a_record = any(k in route for k in ("number", "code>", "pk", "<code", "appointment_id"))
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                body = response.content.decode(errors="replace") if response.status_code == 200 else ""
                leaked = [m for m in MARKERS if m in body]
                if leaked:
                    leaks.append(f"{user.username} {method.upper()} {url}: {leaked}")
                ok = {400, 403, 404, 405}
                if method == "post" and response.status_code not in ok | {200} and not url.startswith("/open311"):
                    leaks.append(f"{user.username} POST {url} answered {response.status_code}")
                case_route = route.startswith(("cases/", "api/v1/cases", "triage/repeats"))
                if method == "get" and names_a_record and case_route and response.status_code not in ok:
                    leaks.append(f"{user.username} GET {url} answered {response.status_code}")
    assert not leaks, "\n".join(leaks)
    case.refresh_from_db()
    assert (case.version, case.events.count()) == before  # no write went through


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_its_owner_may_open_renders_with_a_plain_title(world, liyang, language):
    """The other side of the walk: Liyang's own officer opens every page of the site in
    each language and none fails, and each page's title is text (a stray tag in the title
    block once put a script into the browser tab)."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(world.street_staff)
    failures = []
    for route, name in patterns():
        if route.startswith(("api/", "open311/")):
            continue
        url = url_for(route, name, liyang, world)
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"GET {url} answered {response.status_code}")
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            title = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
            if title and "<" in title.group(1):
                failures.append(f"GET {url} has markup in its title: {title.group(1)[:80]!r}")
    assert not failures, "\n".join(failures)
