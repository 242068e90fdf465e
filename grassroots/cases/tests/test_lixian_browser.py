"""The Lixian story (M9) in a browser, in Chinese and in English: the community registers
the residents' visit, reports it to the street, the street classifies it and sends it to
two county departments, they visit the site and change the plan, and the residents are
satisfied."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grassroots.cases.models import Case
from grassroots.cases.tests.test_lixian import lixian  # noqa: F401  # the fixture
from grassroots.cases.tests.test_pages import make_case
from grassroots.conftest import PASSWORD
from grassroots.web.tests.test_browser import ARTIFACTS, CHROMIUM, browser  # noqa: F401  # the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WORDS = {
    "zh-CN": {
        "log_in": "登录",
        "register": "登记",
        "accept": "受理",
        "escalate": "报上级",
        "report_upward": "上报",
        "classify": "分类汇总",
        "save": "保存",
        "assign": "交转办",
        "send": "发送",
        "visit": "记录现场查看",
        "progress": "记录办理进展",
        "record": "记录",
        "reply_open": "答复群众",
        "reply": "答复",
        "resolve": "办结",
        "satisfied": "满意",
        "closed": "已结案",
        "accepted": "已受理",
        "assigned": "已交转办",
        "resolved": "已办结",
    },
    "en-US": {
        "log_in": "Log in",
        "register": "Register",
        "accept": "Accept",
        "escalate": "Report to the level above",
        "report_upward": "Report upward",
        "classify": "Classify and summarise",
        "save": "Save",
        "assign": "Send to departments",
        "send": "Send",
        "visit": "Record a site visit",
        "progress": "Record progress",
        "record": "Record",
        "reply_open": "Reply to the resident",
        "reply": "Reply",
        "resolve": "Mark resolved",
        "satisfied": "Satisfied",
        "closed": "Closed",
        "accepted": "Accepted",
        "assigned": "Assigned",
        "resolved": "Resolved",
    },
}


def open_as(chromium, live_server, locale, username, path):
    context = chromium.new_context(locale=locale, viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.goto(live_server.url + "/login/?next=" + path)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("button.primary").click()
    page.wait_for_url("**" + path)
    return context, page


def act(page, summary, button, fill=None):
    """Open one of the case page's act forms, fill it, submit it, wait for the swap."""
    form = page.locator("details.act", has=page.locator("summary", has_text=summary)).first
    form.locator("summary").click()
    for selector, value in (fill or {}).items():
        field = form.locator(selector)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    with page.expect_response(lambda r: "/act/" in r.url):
        form.get_by_role("button", name=button, exact=True).click()


def state_is(page, label):
    page.locator(".headline .state", has_text=label).wait_for()


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
@pytest.mark.django_db(transaction=True)
def test_lixian_sewer_case_in_the_browser(world, lixian, live_server, browser, locale):  # noqa: F811
    w = WORDS[locale]
    context, page = open_as(browser, live_server, locale, "secretary", "/cases/new/?channel=visit")
    page.select_option("#id_unit", str(world.changlin.pk))
    page.fill("#id_title", "小区污水管破损、雨污混流")
    page.fill("#id_description", "居民反映：主污水管破损，下雨时雨水污水混流，路面返臭。")
    page.fill("#id_persons", "6")
    page.fill("#id_petitioner_0_name", "李桂兰")
    page.fill("#id_petitioner_0_phone", "13512345678")
    page.get_by_role("button", name=w["register"], exact=True).click()
    page.wait_for_url("**/cases/2*/")
    number = Case.objects.get().number
    page.get_by_role("button", name=w["accept"], exact=True).click()
    state_is(page, w["accepted"])
    act(page, w["escalate"], w["report_upward"], {"textarea[name=summary]": "涉及主管网改造，报街道党工委。"})
    context.close()

    context, page = open_as(browser, live_server, locale, "street", f"/cases/{number}/")
    act(page, w["classify"], w["save"], {"select[name=category]": "drainage", "textarea[name=summary]": "排水管网"})
    act(
        page,
        w["assign"],
        w["send"],
        {"select[name=organisations]": ["zfbz", "szgy"], "textarea[name=instructions]": "请现场核查并调整改造方案。"},
    )
    state_is(page, w["assigned"])
    context.close()

    context, page = open_as(browser, live_server, locale, "housing", f"/cases/{number}/")
    act(page, w["visit"], w["record"], {"input[name=place]": "3栋旁", "textarea[name=findings]": "主管破损约12米。"})
    act(page, w["progress"], w["record"], {"textarea[name=note]": "改造方案调整：增设独立雨水管。"})
    act(page, w["reply_open"], w["reply"], {"textarea[name=text]": "已完成施工，雨污分流。"})
    page.get_by_role("button", name=w["resolve"], exact=True).click()
    state_is(page, w["resolved"])
    context.close()

    context, page = open_as(browser, live_server, locale, "street", f"/cases/{number}/")
    page.get_by_role("button", name=w["satisfied"], exact=True).click()
    state_is(page, w["closed"])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"lixian-{locale}.png"), full_page=True)
    context.close()

    case = Case.objects.get()
    assert case.state == "closed" and case.feedback == "satisfied"
    assert list(case.events.values_list("kind", flat=True)) == [
        "register",
        "accept",
        "escalate",
        "classify",
        "assign",
        "start",
        "site_visit",
        "progress",
        "reply",
        "resolve",
        "feedback",
    ]


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
@pytest.mark.django_db(transaction=True)
def test_intake_shows_similar_cases_and_categories_as_chinese_is_typed(world, live_server, browser, locale):  # noqa: F811
    """Chinese comes through an input method (or a paste, or a phone's keyboard), which sends
    no key-up for the characters it writes: the page must follow what is typed, not keys."""
    make_case(world, title="长林社区污水管堵塞", description="污水管堵塞外溢")
    context, page = open_as(browser, live_server, locale, "street", "/cases/new/?channel=visit")
    page.fill("#id_title", "污水管堵塞又外溢了")  # fill writes the text at once, as an input method does
    page.fill("#id_description", "长林社区污水管堵塞，污水外溢到路面，雨污混流返臭。")
    page.locator("#similar", has_text="长林社区污水管堵塞").wait_for()
    first = page.locator("#suggestion-box .pick-category").first
    first.wait_for()
    assert first.inner_text().endswith("排水与污水管网" if locale == "zh-CN" else "Drainage and sewers")
    first.click()  # taking the suggestion chooses the category
    assert page.locator("#id_category").input_value() == first.get_attribute("data-category")
    context.close()
