"""A person in headless Chromium logs in and browses the unit tree, in both languages."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grassroots.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
# Playwright's sync API runs an event loop in this thread; the ORM calls the live server
# makes happen in its own thread, so Django's async-safety guard does not apply here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[3] / "test-artifacts"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.mark.parametrize(
    ("locale", "log_in", "units", "street", "unfold", "organisations"),
    [
        ("zh-CN", "登录", "单元", "澧阳街道", "展开澧阳街道", "组织机构"),
        ("en-US", "Log in", "Units", "Liyang Street", "Unfold Liyang Street", "Organisations"),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_street_staff_log_in_and_browse_the_tree(
    world, live_server, browser, locale, log_in, units, street, unfold, organisations
):
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name=log_in).is_visible()
    page.fill("#id_username", "street")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name=log_in).click()

    page.get_by_role("link", name=units, exact=True).first.click()
    page.get_by_role("button", name=unfold).click()
    community = page.get_by_role("link", name="长林社区" if locale == "zh-CN" else "Changlin Community")
    community.wait_for()
    assert page.get_by_text("澧浦街道" if locale == "zh-CN" else "Lipu Street").count() == 0

    page.get_by_role("link", name=street).first.click()
    page.get_by_role("heading", name=organisations).wait_for()
    assert page.get_by_text("马志强" if locale == "zh-CN" else "Ma Zhiqiang").first.is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"unit-{locale}.png"), full_page=True)

    # The sibling street is not there for this user, not even by typing its address.
    assert page.goto(live_server.url + f"/org/units/{world.lipu.code}/").status == 404
    context.close()


@pytest.mark.django_db(transaction=True)
def test_language_switch_keeps_the_page(world, live_server, browser):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(live_server.url + "/login/")
    page.get_by_role("button", name="简体中文").click()
    page.get_by_role("heading", name="登录").wait_for()
    assert page.url.endswith("/login/")
    context.close()
