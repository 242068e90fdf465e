"""A resident in headless Chromium, in Chinese and in English: raises a problem with a
point on the map and the service's question, writes down the number and the secret,
follows it from another browser, and rates the answer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grassroots.cases import services as cases
from grassroots.cases.choices import State
from grassroots.cases.models import Case
from grassroots.web.tests.test_browser import ARTIFACTS, CHROMIUM, browser  # noqa: F401  # the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WORDS = {
    "zh-CN": {
        "service": "道路与桥梁",
        "size": "一到三米",
        "send": "提交反映",
        "received": "您的反映已收到",
        "show": "查询",
        "satisfied": "满意",
        "verdict": "提交评价",
        "closed": "已结案",
        "reply": "已安排修补塌陷路面。",
    },
    "en-US": {
        "service": "Roads and bridges",
        "size": "One to three metres",
        "send": "Send the report",
        "received": "Your report is received",
        "show": "Show it",
        "satisfied": "Satisfied",
        "verdict": "Send my verdict",
        "closed": "Closed",
        "reply": "已安排修补塌陷路面。",
    },
}


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
@pytest.mark.django_db(transaction=True)
def test_a_resident_raises_follows_and_rates_in_the_browser(world, live_server, browser, locale):  # noqa: F811
    from grassroots.cases.models import Category
    from grassroots.open311.seed import seed_questions

    if not Category.objects.filter(questions__isnull=False).exists():  # a transactional flush emptied them
        seed_questions()
    w = WORDS[locale]
    context = browser.new_context(locale=locale, viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/report/")
    page.select_option("#id_service", label=w["service"])
    page.locator("#id_attribute_size").wait_for()  # the service's question, loaded by htmx
    page.select_option("#id_attribute_size", label=w["size"])
    page.fill("#id_description", "长林路口路面塌陷，雨天积水。")
    page.select_option("#id_township", world.liyang.code)
    page.locator(f"#id_village option[value='{world.changlin.code}']").wait_for(state="attached")
    page.select_option("#id_village", world.changlin.code)
    page.fill("#id_address", "长林路与澧阳路交叉口")
    page.locator("[data-place-picker]").click()  # no boundaries in this world: a point on the blank map
    assert page.input_value("#id_latitude") and page.input_value("#id_longitude")
    page.fill("#id_name", "周立新")
    page.fill("#id_phone", "13700001111")
    page.get_by_role("button", name=w["send"], exact=True).click()
    page.get_by_role("heading", name=w["received"]).wait_for()
    number = page.inner_text("#case-number").strip()
    secret = page.inner_text("#secret").strip()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"portal-received-{locale}.png"), full_page=True)
    context.close()

    case = Case.objects.get(number=number)
    assert case.unit == world.changlin and case.latitude is not None
    assert case.resident_report.answers == {"size": "medium"}
    cases.accept_case(case, actor=world.street_staff)
    cases.assign_case(case, actor=world.street_staff, organisations=[world.housing_centre], mode="forward")
    cases.start_handling(case, actor=world.admin)
    cases.reply_to_resident(case, actor=world.admin, text="已安排修补塌陷路面。")
    cases.resolve_case(case, actor=world.admin)

    # Later, from another device: the number and the secret.
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/track/")
    page.fill("#id_number", number)
    page.fill("#id_secret", secret)
    page.get_by_role("button", name=w["show"], exact=True).click()
    page.wait_for_url(f"**/track/{number}/")
    assert w["reply"] in page.inner_text("#timeline")
    page.screenshot(path=str(ARTIFACTS / f"portal-rate-{locale}.png"), full_page=True)
    page.get_by_label(w["satisfied"], exact=True).check()
    page.get_by_role("button", name=w["verdict"], exact=True).click()
    page.locator(".headline .muted", has_text=w["closed"]).wait_for()
    page.screenshot(path=str(ARTIFACTS / f"portal-tracked-{locale}.png"), full_page=True)
    context.close()
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.feedback == "satisfied"
