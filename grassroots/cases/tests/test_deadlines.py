"""Deadlines follow the regulation, skip weekends and holidays where they must, and a
policy edit leaves the cases that started under the old version alone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from grassroots.cases import deadlines, services
from grassroots.cases.choices import CaseKind, Channel, State
from grassroots.cases.models import CalendarDay, Case, DeadlinePolicy
from grassroots.cases.services import PetitionerData
from grassroots.cases.workflow import Conflict

pytestmark = pytest.mark.django_db
CST = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=CST)


@pytest.fixture
def national_day(db):
    """2026's National Day holiday, 1-7 October, with the make-up working day on Sunday 27 September."""
    for d in range(1, 8):
        CalendarDay.objects.create(day=date(2026, 10, d), is_working_day=False, name="国庆节")
    CalendarDay.objects.create(day=date(2026, 9, 27), is_working_day=True, name="国庆调休")


def petition(world, kind=CaseKind.PETITION, **kw):
    return services.register_case(
        actor=world.county_staff,
        kind=kind,
        channel=Channel.LETTER,
        unit=world.changlin,
        title="路灯不亮",
        description="长林社区主路路灯坏了一个月。",
        petitioners=[PetitionerData(name="李四")],
        **kw,
    )


def test_acceptance_is_due_15_days_after_receipt(world):
    with time_machine.travel(at(2026, 3, 2, 10, 0)):  # a Monday
        case = petition(world)
    assert case.acceptance_due_at == at(2026, 3, 17, 23, 59, 59)
    assert case.current_due_at == case.acceptance_due_at


def test_a_calendar_day_deadline_on_a_weekend_moves_to_monday(world):
    with time_machine.travel(at(2026, 3, 6, 9, 0)):  # a Friday; +15 days is Saturday 21 March
        case = petition(world)
    assert case.acceptance_due_at == at(2026, 3, 23, 23, 59, 59)


def test_a_deadline_in_a_holiday_moves_past_it(world, national_day):
    with time_machine.travel(at(2026, 9, 16, 9, 0)):  # +15 days is Thursday 1 October
        case = petition(world)
    assert case.acceptance_due_at == at(2026, 10, 8, 23, 59, 59)


def test_handling_counts_60_days_from_acceptance(world):
    with time_machine.travel(at(2026, 3, 2, 10, 0)):
        case = petition(world)
    with time_machine.travel(at(2026, 3, 10, 15, 0)):
        services.accept_case(case, actor=world.county_staff)
    case.refresh_from_db()
    assert case.handling_due_at == at(2026, 5, 11, 23, 59, 59)  # 9 May is a Saturday
    assert case.current_due_at == case.handling_due_at


def test_hotline_working_days_skip_the_weekend_and_holidays(world, national_day):
    with time_machine.travel(at(2026, 9, 25, 16, 0)):  # Friday
        case = petition(world, kind=CaseKind.HOTLINE)
        assert case.acceptance_due_at == at(2026, 9, 25, 18, 0)  # two hours to respond
        services.accept_case(case, actor=world.county_staff)
    case.refresh_from_db()
    # Five working days: Sun 27 Sep (make-up day), Mon 28, Tue 29, Wed 30 Sep, then after
    # the holiday Thu 8 Oct.
    assert case.handling_due_at == at(2026, 10, 8, 23, 59, 59)


def handled(world, case):
    """Accepted, sent to the housing centre, and being handled."""
    services.accept_case(case, actor=world.county_staff)
    services.assign_case(case, actor=world.county_staff, organisations=[world.housing_centre], mode="forward")
    services.start_handling(case, actor=world.county_staff)
    case.refresh_from_db()
    return case


def test_one_extension_of_at_most_30_days(world):
    with time_machine.travel(at(2026, 3, 2, 10, 0)):
        case = handled(world, petition(world))
    assert case.handling_due_at == at(2026, 5, 1, 23, 59, 59)
    with pytest.raises(Exception, match="At most 30 days"):
        services.request_extension(case, actor=world.county_staff, days=31, reason="情况复杂")
    services.request_extension(case, actor=world.county_staff, days=30, reason="需协调多个部门")
    services.decide_extension(case, actor=world.county_staff, approve=True)
    case.refresh_from_db()
    assert case.extension_days == 30
    assert case.handling_due_at == at(2026, 6, 1, 23, 59, 59)  # 1 May + 30 is Sunday 31 May
    with pytest.raises(Conflict, match="only once"):
        services.request_extension(case, actor=world.county_staff, days=5, reason="再延")


def test_review_must_be_asked_within_30_days_of_the_reply(world):
    with time_machine.travel(at(2026, 3, 2, 10, 0)):
        case = handled(world, petition(world))
        services.reply_to_resident(case, actor=world.county_staff, text="已修复。")
    with pytest.raises(Conflict, match="window for asking a review closed"):
        services.request_review(case, actor=world.county_staff, reason="不服", requested_at=at(2026, 4, 2, 9, 0))
    services.request_review(case, actor=world.county_staff, reason="不服", requested_at=at(2026, 4, 1, 9, 0))
    case.refresh_from_db()
    assert case.state == State.UNDER_REVIEW
    assert case.review_due_at == at(2026, 5, 1, 23, 59, 59)
    assert case.current_due_at == case.review_due_at


def test_editing_a_policy_leaves_old_cases_alone(world):
    with time_machine.travel(at(2026, 3, 2, 10, 0)):
        old = petition(world)
    policy = old.policy
    revised = deadlines.revise_policy(policy, actor=world.admin, accept_days=7)
    assert (revised.version, revised.key) == (policy.version + 1, policy.key)
    with time_machine.travel(at(2026, 3, 2, 10, 0)):
        new = petition(world)
    old = Case.objects.get(pk=old.pk)
    assert old.policy_id == policy.pk and old.acceptance_due_at == at(2026, 3, 17, 23, 59, 59)
    assert new.policy_id == revised.pk and new.acceptance_due_at == at(2026, 3, 9, 23, 59, 59)
    assert DeadlinePolicy.objects.filter(key=policy.key, is_current=True).count() == 1


def test_overdue_and_backlog_are_one_query_each(world, settings):
    with time_machine.travel(at(2026, 1, 5, 10, 0)):
        case = petition(world)
        services.accept_case(case, actor=world.county_staff)
    with time_machine.travel(at(2026, 3, 20, 10, 0)):
        assert Case.objects.overdue().filter(pk=case.pk).exists()
        settings.BACKLOG_THRESHOLD_DAYS = 0
        assert Case.objects.backlog().filter(pk=case.pk).exists()
        settings.BACKLOG_THRESHOLD_DAYS = 30
        assert not Case.objects.backlog().filter(pk=case.pk).exists()


def test_editing_a_policy_in_the_admin_makes_a_new_version(world, client):
    case = petition(world)
    policy = case.policy
    client.force_login(world.admin)
    url = f"/admin/cases/deadlinepolicy/{policy.pk}/change/"
    form = {
        "key": policy.key,
        "name": policy.name,
        "name_en": policy.name_en,
        "kind": "",
        "category": "",
        "accept_days": "10",
        "handle_days": "60",
        "respond_hours": "",
        "resolve_hours": "",
        "max_extension_days": "30",
        "review_request_days": "30",
        "review_answer_days": "30",
        "due_soon_days": "3",
    }
    assert client.post(url, form).status_code == 302
    current = DeadlinePolicy.objects.get(key=policy.key, is_current=True)
    assert (current.version, current.accept_days) == (2, 10)
    assert Case.objects.get(pk=case.pk).policy_id == policy.pk
