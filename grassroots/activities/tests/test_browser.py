"""In a browser, in Chinese and English: a grid member records a grid meeting and files a
problem from it; petition staff book a reception-day slot for a case."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from grassroots.activities import services
from grassroots.activities.choices import ActivityKind
from grassroots.activities.models import Activity, Appointment
from grassroots.cases import services as cases
from grassroots.cases.choices import CaseKind, Channel
from grassroots.cases.models import Case
from grassroots.cases.services import PetitionerData
from grassroots.conftest import PASSWORD
from grassroots.web.tests.test_browser import ARTIFACTS, CHROMIUM, browser  # noqa: F401  # the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WORDS = {
    "zh-CN": {"save": "保存", "file_open": "登记在此提出的问题", "file": "登记", "book": "预约", "booked": "已预约"},
    "en-US": {
        "save": "Save",
        "file_open": "File a problem raised here",
        "file": "File",
        "book": "Book",
        "booked": "Booked",
    },
}


def login(chromium, live_server, locale, username, path):
    context = chromium.new_context(locale=locale, viewport={"width": 430, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/login/?next=" + path)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("button.primary").click()
    page.wait_for_url("**" + path.split("?")[0] + "*")
    return context, page


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
@pytest.mark.django_db(transaction=True)
def test_a_grid_member_records_a_grid_meeting_on_a_phone(world, live_server, browser, locale):  # noqa: F811
    w = WORDS[locale]
    context, page = login(browser, live_server, locale, "grid", "/activities/new/?kind=grid_meeting")
    page.fill("#id_title", "楼道环境微议事")
    page.select_option("#id_unit", str(world.changlin_grid.pk))
    page.fill("#id_minutes", "12户居民参加，议定清理楼道堆物。")
    page.fill("#id_persons", "12")
    page.get_by_role("button", name=w["save"], exact=True).click()
    page.wait_for_url("**/activities/*/")
    page.locator("summary", has_text=w["file_open"]).click()
    form = page.locator("#file-case")
    form.locator("[name=title]").fill("楼道堆物")
    form.locator("[name=description]").fill("3栋楼道长期堆放杂物。")
    form.get_by_role("button", name=w["file"], exact=True).click()
    page.locator(".state-registered").wait_for()  # back on the activity page, the case listed
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"grid-meeting-{locale}.png"), full_page=True)
    context.close()
    meeting = Activity.objects.get()
    case = Case.objects.get()
    assert (meeting.kind, meeting.persons, meeting.unit) == ("grid_meeting", 12, world.changlin_grid)
    assert (case.channel, case.unit) == ("grid_meeting", world.changlin_grid)


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
@pytest.mark.django_db(transaction=True)
def test_petition_staff_book_an_appointment(world, live_server, browser, locale):  # noqa: F811
    w = WORDS[locale]
    case = cases.register_case(
        actor=world.county_staff,
        kind=CaseKind.PETITION,
        channel=Channel.LETTER,
        unit=world.changlin,
        title="拆迁补偿",
        description="补偿标准有异议。",
        petitioners=[PetitionerData(name="赵六")],
    )
    day = timezone.localdate() + timedelta(days=3)
    start = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())) + timedelta(hours=9)
    reception = services.record_activity(
        actor=world.county_staff,
        kind=ActivityKind.RECEPTION_DAY,
        title="县级领导接访日",
        unit=world.county,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        held=False,
    )
    context, page = login(browser, live_server, locale, "county", f"/activities/{reception.pk}/")
    form = page.locator("#book")
    form.locator("[name=case]").fill(case.number)
    form.locator("[name=slot_at]").select_option(index=2)
    form.get_by_role("button", name=w["book"], exact=True).click()
    page.get_by_role("cell", name=w["booked"], exact=True).wait_for()
    page.screenshot(path=str(ARTIFACTS / f"appointment-{locale}.png"), full_page=True)
    context.close()
    appointment = Appointment.objects.get()
    assert (appointment.case, appointment.slot_at) == (case, start + timedelta(minutes=60))
