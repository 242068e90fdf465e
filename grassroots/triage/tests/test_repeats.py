"""Repeats: a new case that looks like an open or recently closed one — similar wording,
the same place, the same petitioner — is shown at intake as it is typed, and on the case
page with a one-click merge that keeps both timelines; the same facts after a final
re-review are refused with the reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from grassroots.cases import services as cases
from grassroots.cases.choices import State
from grassroots.cases.models import Case
from grassroots.cases.services import PetitionerData
from grassroots.cases.tests.test_pages import make_case
from grassroots.triage import repeats as repeats_module
from grassroots.triage.repeats import repeats_of

pytestmark = pytest.mark.django_db


def register(world, title, description, *, unit=None, name="张三", phone="13900001111"):
    return cases.register_case(
        actor=world.county_staff,
        kind="petition",
        channel="visit",
        unit=unit or world.changlin_grid,
        title=title,
        description=description,
        petitioners=[PetitionerData(name=name, phone=phone)],
    )


def test_the_same_problem_is_found_and_merged_in_one_click_keeping_both_timelines(world, as_user):
    first = register(world, "小区下水道堵塞污水外溢", "长林社区3栋下水道堵塞，污水外溢到路面。")
    other_story = register(world, "孩子入学", "随迁子女入学材料咨询", name="李四", phone="13700000000", unit=world.hexi)
    same_person = register(world, "楼道灯坏了", "3栋楼道灯不亮", name="张三")
    new = register(
        world, "下水道又堵了，污水外溢", "长林社区3栋下水道堵塞，污水外溢，上次反映后没修好。", name="王五", phone=""
    )

    found = repeats_of(new)
    by_case = {r.case: r for r in found}
    assert found[0].case == first and "same place" in found[0].reasons
    assert found[0].reasons[0].startswith("similar wording")
    assert other_story not in by_case
    assert same_person not in by_case  # a different petitioner, a different problem
    assert repeats_of(register(world, "路灯", "3栋楼道灯还是不亮", name="张三"))[0].case == same_person

    street = as_user(world.street_staff)
    page = street.get(f"/triage/repeats/{new.number}/").content.decode()
    assert first.number in page and f"Merge into {first.number}" in page

    response = street.post(
        f"/cases/{new.number}/act/merge/", {"version": new.version, "into": first.number}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    new.refresh_from_db()
    assert new.state == State.MERGED and new.master == first
    assert list(new.events.values_list("kind", flat=True)) == ["register", "merge"]
    assert "repeat_merged" in first.events.values_list("kind", flat=True)
    assert new not in [r.case for r in repeats_of(register(world, "下水道堵塞", "污水外溢", phone=""))]
    assert as_user(world.outsider).get(f"/triage/repeats/{first.number}/").status_code == 404


def test_the_same_facts_after_a_final_re_review_are_refused_with_the_reason(world):
    earlier = register(world, "征地补偿标准过低", "对征地补偿标准有异议，要求提高补偿。")
    staff = world.county_staff
    cases.accept_case(earlier, actor=staff)
    cases.assign_case(earlier, actor=staff, organisations=[world.housing_centre], mode="forward")
    cases.start_handling(earlier, actor=world.admin)
    cases.reply_to_resident(earlier, actor=world.admin, text="补偿标准符合规定。")
    cases.request_review(earlier, actor=staff, reason="不服处理意见")
    cases.answer_review(earlier, actor=staff, outcome="upheld", opinion="维持原处理意见。")
    again = register(world, "征地补偿标准太低", "再次反映征地补偿标准过低。")

    premature = register(world, "征地补偿", "补偿标准有异议")
    with pytest.raises(ValidationError) as refused:
        cases.decline_repeat(premature, actor=staff, earlier=earlier)
    assert "has no final re-review" in str(refused.value)

    cases.request_rereview(earlier, actor=staff, reason="仍不服")
    cases.answer_rereview(earlier, actor=staff, outcome="upheld", opinion="维持复查意见，此为最终意见。")
    assert repeats_of(again)[0].case == earlier  # closed, but recently: still a repeat
    cases.decline_repeat(again, actor=staff, earlier=earlier)
    again = Case.objects.get(pk=again.pk)
    assert again.state == State.NOT_REACCEPTED and again.repeat_of == earlier
    assert again.events.last().note == f"Same facts as case {earlier.number}, finally re-reviewed."


# --- at intake: what the form holds so far -------------------------------------------------

SIMILAR = "/triage/similar/"


def test_intake_shows_the_same_problem_not_every_case_sharing_a_word(world, as_user):
    water = make_case(world, title="小区频繁停水", description="小区这个月停水三次，没有提前通知。")
    dispute = make_case(world, title="小区物业纠纷", description="业主与物业公司就物业费发生纠纷。")
    elsewhere = make_case(world, title="小区频繁停水", description="河西小区停水。", unit=world.hexi)
    county = as_user(world.county_staff)
    typed = {"title": "小区频繁停水没人管", "description": "居民反映小区这个月已经停水三次，没有通知。"}
    page = county.get(SIMILAR, typed).content.decode()
    assert water.number in page and "similar wording" in page
    assert dispute.number not in page  # "小区" alone does not make the same problem
    # Once the place is chosen, the cases near it are the candidates; the same place ranks first.
    here = county.get(SIMILAR, typed | {"unit": world.changlin.pk}).content.decode()
    assert water.number in here and "same place" in here and elsewhere.number not in here
    # The same petitioner's earlier case is found on less wording.
    lamp = make_case(world, petitioners=[PetitionerData(name="赵六", phone="13800000001")])
    typed_again = {"title": "路灯还是坏的", "description": "上次反映过，到现在没人来修"}
    again = county.get(SIMILAR, typed_again | {"petitioner_0_phone": "13800000001"})
    assert lamp.number in again.content.decode() and "same petitioner" in again.content.decode()
    assert lamp.number not in county.get(SIMILAR, typed_again).content.decode()
    # What the form holds may be anything: a place that is not a number is ignored.
    assert county.get(SIMILAR, typed | {"unit": "abc"}).status_code == 200
    assert water.number not in as_user(world.outsider).get(SIMILAR, typed).content.decode()


def test_before_a_place_is_chosen_only_the_newest_cases_are_searched_by_words(world, as_user, monkeypatch):
    older = make_case(world, title="小区频繁停水", description="小区这个月停水三次，没有提前通知。")
    for n in range(3):
        make_case(world, title=f"其他事项{n}", description="与停水无关。")
    typed = {"title": "小区频繁停水没人管", "description": "居民反映小区这个月已经停水三次，没有通知。"}
    county = as_user(world.county_staff)
    monkeypatch.setattr(repeats_module, "NEWEST_BY_WORDS", 3)
    assert older.number not in county.get(SIMILAR, typed).content.decode()
    # Once the place is chosen, the cases near it are searched however old.
    placed = county.get(SIMILAR, typed | {"unit": world.changlin.pk}).content.decode()
    assert older.number in placed
    monkeypatch.setattr(repeats_module, "NEWEST_BY_WORDS", 4)
    assert older.number in county.get(SIMILAR, typed).content.decode()
