"""The case pages: intake, queue, case page and its acts, board, notices — scoped, audited,
and with a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from grassroots.cases import services
from grassroots.cases.choices import CaseKind, Channel, State
from grassroots.cases.models import Case
from grassroots.cases.services import PetitionerData

pytestmark = pytest.mark.django_db


def make_case(world, **kw):
    fields = {
        "actor": world.county_staff,
        "kind": CaseKind.PETITION,
        "channel": Channel.VISIT,
        "unit": world.changlin,
        "title": "路灯不亮",
        "description": "长林社区主路路灯坏了一个月。",
        "petitioners": [PetitionerData(name="李四", phone="13612345678")],
    } | kw
    return services.register_case(**fields)


def test_staff_register_a_visit_from_the_form(world, as_user):
    client = as_user(world.street_staff)
    form = {
        "channel": "visit",
        "kind": "petition",
        "unit": world.changlin.pk,
        "title": "楼道堆物",
        "persons": "3",
        "description": "楼道长期堆放杂物，存在消防隐患。",
        "petitioner_0_name": "王五",
        "petitioner_0_phone": "13700000000",
        "idempotency_key": "form-1",
    }
    response = client.post(reverse("cases:intake"), form)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.number])
    assert (case.persons, case.petitioners.get().is_representative) == (3, True)
    client.post(reverse("cases:intake"), form)  # a double click
    assert Case.objects.count() == 1


def test_the_form_shows_field_errors_in_the_users_language_and_writes_nothing(world, as_user):
    client = as_user(world.street_staff)
    response = client.post(
        reverse("cases:intake"),
        {
            "channel": "visit",
            "kind": "petition",
            "unit": world.changlin.pk,
            "title": "",
            "description": "x",
            "persons": "0",
            "petitioner_0_phone": "call me",
        },
        HTTP_ACCEPT_LANGUAGE="zh-CN",
    )
    page = response.content.decode()
    assert response.status_code == 200 and Case.objects.count() == 0
    assert "该字段是必填项。" in page  # Django's own Chinese message for the empty title


def test_a_grid_member_reports_from_the_phone_form(world, as_user):
    client = as_user(world.grid_member)
    page = client.get(reverse("cases:grid-report")).content.decode()
    assert world.changlin_grid.label in page
    response = client.post(
        reverse("cases:grid-report"),
        {
            "unit": world.changlin_grid.pk,
            "title": "井盖缺失",
            "description": "3栋前井盖缺失，夜间危险。",
            "is_urgent": "on",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.kind, case.channel, case.unit, case.is_urgent) == (
        "grid_incident",
        "grid_patrol",
        world.changlin_grid,
        True,
    )
    # Holding no post, the grid member holds no cases: the list opens on the grid's.
    listed = client.get(reverse("cases:queue"))
    assert listed.context["tab"] == "all" and [c.number for c in listed.context["cases"]] == [case.number]
    assert as_user(world.county_staff).get(reverse("cases:queue")).context["tab"] == "mine"


def test_acts_from_the_case_page(world, as_user):
    case = make_case(world)
    client = as_user(world.county_staff)
    url = lambda name: reverse("cases:act", args=[case.number, name])  # noqa: E731
    assert client.post(url("accept"), {"version": case.version}).status_code == 302
    response = client.post(
        url("assign"), {"organisations": ["zfbz"], "mode": "assign", "report_days": "10"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "case-body" not in response.content.decode()[:50]
    case.refresh_from_db()
    assert case.state == State.ASSIGNED
    # The timeline names who acted as colleagues know them, not by their login.
    timeline = client.get(reverse("cases:detail", args=[case.number])).content.decode().split("timeline", 1)[1]
    assert ("王建国" in timeline or "Wang Jianguo" in timeline) and "· county<" not in timeline
    bad = client.post(url("decline"), {"reason": "晚了"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400 and "cannot be" in bad.content.decode()


def test_outsiders_cannot_open_or_act_on_a_case(world, as_user):
    case = make_case(world)
    client = as_user(world.outsider)
    assert client.get(reverse("cases:detail", args=[case.number])).status_code == 404
    assert client.post(reverse("cases:act", args=[case.number, "accept"])).status_code == 404
    assert client.get(reverse("cases:notice", args=[case.number, "acceptance"])).status_code == 404
    assert case.number not in client.get(reverse("cases:queue") + "?tab=all").content.decode()


def test_opening_a_case_and_revealing_a_phone_are_audited(world, as_user):
    case = make_case(world)
    client = as_user(world.county_staff)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "136****5678" in page and "13612345678" not in page
    revealed = client.post(reverse("cases:reveal-petitioner", args=[case.number, 0])).content.decode()
    assert "13612345678" in revealed
    reads = AuditEntry.objects.filter(action="read", target_id=str(case.pk))
    assert reads.count() == 2 and reads.filter(detail__fields=["phone", "id_number"]).exists()


def test_notices_render_in_both_languages(world, as_user):
    case = make_case(world)
    services.accept_case(case, actor=world.county_staff)
    client = as_user(world.county_staff)
    zh = client.get(reverse("cases:notice", args=[case.number, "acceptance"]) + "?lang=zh-hans").content.decode()
    en = client.get(reverse("cases:notice", args=[case.number, "acceptance"]) + "?lang=en").content.decode()
    assert "信访事项受理告知书" in zh and "李四" in zh and case.number in zh
    assert "Notice of acceptance" in en and "was accepted on" in en
    assert client.get(reverse("cases:notice", args=[case.number, "non_acceptance"])).status_code == 404


def test_board_lists_overdue_cases(world, as_user):
    import time_machine

    with time_machine.travel("2026-01-05 10:00 +0800"):
        late = make_case(world, title="超期未受理")
    page = as_user(world.county_staff).get(reverse("cases:board")).content.decode()
    assert late.number in page


def test_a_case_out_of_reach_is_a_page_in_the_users_language_that_names_nothing(world, as_user):
    case = make_case(world, title="长林社区路灯不亮")
    outsider = as_user(world.outsider)
    for language, words in (("zh-CN", "页面不存在"), ("en-US", "Not found")):
        response = outsider.get(reverse("cases:detail", args=[case.number]), HTTP_ACCEPT_LANGUAGE=language)
        page = response.content.decode()
        assert response.status_code == 404 and words in page and "路灯" not in page


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("path", ["queue", "queue-all", "board", "detail"])
def test_page_queries_do_not_grow(world, as_user, path):
    client = as_user(world.county_staff)
    first = make_case(world)
    services.accept_case(first, actor=world.county_staff)
    urls = {
        "queue": reverse("cases:queue"),
        "queue-all": reverse("cases:queue") + "?tab=all",
        "board": reverse("cases:board"),
        "detail": reverse("cases:detail", args=[first.number]),
    }
    small = count(client, urls[path])
    for i in range(6):
        other = make_case(world, title=f"案件{i}")
        services.accept_case(other, actor=world.county_staff)
        services.add_note(first, actor=world.county_staff, note=f"备注{i}")
    assert count(client, urls[path]) == small


def test_the_case_list_exports_with_its_filters_and_without_identities(world, as_user):
    import csv
    import io

    make_case(world, title="路灯不亮")
    make_case(world, title="井盖缺失", unit=world.hexi)
    client = as_user(world.county_staff)
    response = client.get(reverse("cases:export", args=["csv"]), {"tab": "all", "within": world.liyang.code})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["路灯不亮"]
    assert "李四" not in response.content.decode("utf-8-sig")
    assert client.get(reverse("cases:export", args=["xlsx"])).status_code == 200
    theirs = as_user(world.outsider).get(reverse("cases:export", args=["csv"])).content.decode("utf-8-sig")
    assert "井盖缺失" in theirs and "路灯不亮" not in theirs


def test_the_list_pages_newest_first_within_the_scope_and_filters(world, as_user, monkeypatch):
    # The list reads its ids first, then its rows (CaseQuerySet.newest_ids): the pages must
    # still be the newest cases that pass the scope and the filters, each case once.
    monkeypatch.setattr("grassroots.cases.views.PAGE", 3)
    mine = [make_case(world, title=f"路灯{i}", channel=Channel.PHONE if i % 2 else Channel.VISIT) for i in range(7)]
    make_case(world, unit=world.hexi, title="河西路灯", channel=Channel.PHONE)  # another street
    seen = every_page(as_user(world.street_staff), "tab=all&channel=phone")
    assert seen == [c.number for c in reversed(mine) if c.channel == Channel.PHONE]
    assert Case.objects.filter(pk__in=Case.objects.all().newest_ids(2)).count() == 2


def every_page(client, query: str) -> list[str]:
    """The case numbers of a list, following its "more" link to the end."""
    seen, before = [], ""
    while True:
        response = client.get(reverse("cases:queue") + f"?{query}{before}")
        seen += [c.number for c in response.context["cases"]]
        if not response.context["next_before"]:
            return seen
        before = f"&before={response.context['next_before']}"


@pytest.mark.parametrize("walk", [2, 5, 5000])
def test_a_text_search_pages_the_newest_matches_however_far_back_they_lie(world, as_user, monkeypatch, walk):
    # The search walks the newest cases a slice at a time and leaves the rest to the
    # database past WALK cases (CaseQuerySet.newest_matching_ids): the pages must be the
    # same whichever way each match was found — dense at first, rare further back.
    monkeypatch.setattr("grassroots.cases.views.PAGE", 3)
    monkeypatch.setattr("grassroots.cases.querysets.WALK", walk)
    said = "居民来电反映。"
    made = [
        make_case(world, title="路灯不亮" if i in (0, 1, 2, 9, 10, 14) else "噪音扰民", description=said)
        for i in range(16)
    ]
    hexi = make_case(world, unit=world.hexi, title="河西路灯", description=said)  # another street: never shown
    by_number = make_case(world, title="物业收费", description=said)
    seen = every_page(as_user(world.street_staff), "tab=all&q=路灯")
    assert seen == [c.number for c in reversed(made) if "路灯" in c.title]
    assert hexi.number not in seen
    found = as_user(world.street_staff).get(reverse("cases:queue") + f"?tab=all&q={made[0].number}")
    assert [c.number for c in found.context["cases"]] == [made[0].number]
    assert by_number.number not in [c.number for c in found.context["cases"]]


def test_a_rare_term_is_found_far_back_after_the_walk_gives_up(world, as_user, monkeypatch):
    monkeypatch.setattr("grassroots.cases.views.PAGE", 3)
    said = "居民来电反映。"
    old = [make_case(world, title="燃气泄漏", description=said) for _ in range(2)]
    for _ in range(20):  # none in the first slice of the walk matches: it stops, the database finds them
        make_case(world, title="噪音扰民", description=said)
    response = as_user(world.street_staff).get(reverse("cases:queue") + "?tab=all&q=燃气")
    assert [c.number for c in response.context["cases"]] == [c.number for c in reversed(old)]
