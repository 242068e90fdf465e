"""A resident raises a problem on the portal without an account, follows it with the case
number and the secret, rates the answer, reopens it when unsatisfied and asks for a
review inside the window."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from grassroots import clock
from grassroots.cases import services as cases
from grassroots.cases.choices import State
from grassroots.cases.models import Case
from grassroots.open311.models import FailedSecret, Photo, ResidentReport

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # the type is read from these bytes
GIF = b"GIF89a" + b"\x00" * 64


def resident() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.0.0.7")


def raise_problem(browser: Client, **fields: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "service": "roads",
        "description": "长林路口路面塌陷，雨天积水。",
        "township": "",
        "village": "",
        "address": "长林路与澧阳路交叉口",
        "attribute_size": "medium",
        "name": "周立新",
        "phone": "13700001111",
        "photos": [SimpleUploadedFile("hole.png", PNG, content_type="image/png")],
        **fields,
    }
    return browser.post("/report/", data)


def received(browser: Client) -> tuple[str, str]:
    page = browser.get("/report/received/").content.decode()
    number = re.search(r'id="case-number">(\d+)<', page)
    secret = re.search(r'id="secret"><code>([A-Z0-9]+)<', page)
    assert number and secret, page
    return number.group(1), secret.group(1)


def test_a_resident_raises_follows_and_rates_a_problem(world):
    browser = resident()
    response = raise_problem(browser, township=world.liyang.code, village=world.changlin.code)
    assert response.status_code == 302 and response.url == "/report/received/"
    number, secret = received(browser)
    case = Case.objects.get(number=number)
    assert case.channel == "online" and case.unit == world.changlin and not case.is_anonymous
    assert case.petitioners.get().name == "周立新"
    assert case.responsible == world.liyang_committee
    report = ResidentReport.objects.get(case=case)
    assert report.answers == {"size": "medium"} and report.photos.count() == 1 and not report.is_public
    assert report.pending == {}  # names live only on the case's petitioners

    # The secret is shown once.
    assert browser.get("/report/received/").status_code == 302
    page = browser.get(f"/track/{number}/").content.decode()
    assert "Nothing is needed from you now" in page and "registered" in page

    # Another device needs the secret; a wrong one is refused and counted.
    phone = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.0.0.8")
    assert phone.get(f"/track/{number}/").status_code == 404
    wrong = phone.post("/track/", {"number": number, "secret": "WRONG234"})
    assert wrong.status_code == 403 and "do not match" in wrong.content.decode()
    assert FailedSecret.objects.count() == 1
    right = phone.post("/track/", {"number": number, "secret": secret.lower()})
    assert right.status_code == 302 and right.url == f"/track/{number}/"

    # Staff handle it; the resident sees the reply on the public timeline.
    cases.accept_case(case, actor=world.street_staff)
    cases.assign_case(case, actor=world.street_staff, organisations=[world.housing_centre], mode="forward")
    cases.start_handling(case, actor=world.admin)
    cases.reply_to_resident(case, actor=world.admin, text="已安排修补塌陷路面。")
    cases.resolve_case(case, actor=world.admin)
    page = phone.get(f"/track/{number}/").content.decode()
    assert "已安排修补塌陷路面。" in page and "Are you satisfied with the answer?" in page
    assert "Housing Security Service Centre" in page
    assert "13700001111" not in page and "周立新" not in page

    # Unsatisfied needs a reason, and then reopens the case.
    refused = phone.post(f"/track/{number}/rate/", {"verdict": "unsatisfied", "comment": ""})
    assert refused.status_code == 400 and "Say what is still wrong" in refused.content.decode()
    phone.post(f"/track/{number}/rate/", {"verdict": "unsatisfied", "comment": "只补了一半，仍有积水。"})
    case.refresh_from_db()
    assert case.state == State.IN_PROGRESS and case.reopen_count == 1

    cases.reply_to_resident(case, actor=world.admin, text="已全部修补并疏通排水。")
    cases.resolve_case(case, actor=world.admin)
    assert phone.post(f"/track/{number}/rate/", {"verdict": "satisfied"}).status_code == 302
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.feedback == "satisfied"
    page = phone.get(f"/track/{number}/").content.decode()
    assert "closed" in page and "Ask for a review" in page  # the review window is still open

    # A second verdict on a closed case is refused with the reason.
    again = phone.post(f"/track/{number}/rate/", {"verdict": "satisfied"})
    assert again.status_code == 400 and "cannot be" in again.content.decode()


def test_a_review_is_asked_inside_its_window_and_refused_after(world):
    browser = resident()
    raise_problem(browser)
    number, secret = received(browser)
    case = Case.objects.get(number=number)
    cases.accept_case(case, actor=world.county_staff)
    cases.assign_case(case, actor=world.county_staff, organisations=[world.housing_centre], mode="forward")
    cases.start_handling(case, actor=world.admin)
    cases.reply_to_resident(case, actor=world.admin, text="该路段不属于市政道路，已转交村委。")

    with time_machine.travel(clock.now() + timedelta(days=45)):
        browser.post("/track/", {"number": number, "secret": secret})  # the session has expired by now
        page = browser.get(f"/track/{number}/").content.decode()
        assert "Ask for a review" not in page
        late = browser.post(f"/track/{number}/review/", {"reason": "村委也不管。"})
        assert late.status_code == 400 and "window for asking a review closed" in late.content.decode()

    page = browser.get(f"/track/{number}/").content.decode()
    assert "You can ask until" in page
    assert browser.post(f"/track/{number}/review/", {"reason": "村委也不管。"}).status_code == 302
    case.refresh_from_db()
    assert case.state == State.UNDER_REVIEW


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"description": ""}, "description", "This field is required"),
        ({"address": "", "township": ""}, "address", "Say where the problem is"),
        ({"attribute_size": ""}, "attribute_size", "Answer: How large is the damage?"),
        ({"latitude": "29.6"}, "latitude", "both latitude and longitude"),
        ({"phone": "13700001111", "name": ""}, "name", "Give your name"),
        ({"website": "http://spam.example"}, "website", "looks automated"),
    ],
)
def test_bad_reports_are_refused_with_the_reason_and_nothing_is_stored(world, fields, field, message):
    response = raise_problem(resident(), **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.exists() and not ResidentReport.objects.exists()


def test_photos_are_checked_by_their_bytes_and_size(world, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    gif = SimpleUploadedFile("photo.png", GIF, content_type="image/png")
    response = raise_problem(resident(), photos=[gif])
    assert response.status_code == 400 and "photo.png is not a JPEG or PNG photo" in response.content.decode()
    settings.PHOTO_MAX_BYTES = 50
    big = SimpleUploadedFile("big.png", PNG, content_type="image/png")
    response = raise_problem(resident(), photos=[big])
    assert "big.png is larger than" in response.content.decode()
    four = [SimpleUploadedFile(f"{i}.png", PNG[:40], content_type="image/png") for i in range(4)]
    assert "At most 3 photos" in raise_problem(resident(), photos=four).content.decode()
    assert not ResidentReport.objects.exists() and not Photo.objects.exists()


def test_an_anonymous_report_names_nobody(world):
    browser = resident()
    raise_problem(browser, name="", phone="", is_public="on")
    number, _secret = received(browser)
    case = Case.objects.get(number=number)
    assert case.is_anonymous and not case.petitioners.exists()
    assert ResidentReport.objects.get(case=case).is_public


def test_photos_are_seen_only_by_those_who_may(world, as_user):
    browser = resident()
    raise_problem(browser, township=world.liyang.code, village=world.changlin.code)
    received(browser)
    photo = Photo.objects.get()
    url = f"/report/photos/{photo.pk}/"
    assert browser.get(url).status_code == 200  # the resident who follows it
    assert Client().get(url).status_code == 404  # a private report's photo is not public
    assert as_user(world.street_staff).get(url).status_code == 200
    assert as_user(world.outsider).get(url).status_code == 404
    ResidentReport.objects.update(is_public=True)
    response = Client().get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_guessing_secrets_is_stopped(world, settings):
    settings.TRACKING_FAILURES_PER_HOUR = 3
    browser = resident()
    raise_problem(browser)
    number, secret = received(browser)
    guesser = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.9.9.9")
    for guess in ["AAAAAAAA", "BBBBBBBB", "CCCCCCCC"]:
        assert guesser.post("/track/", {"number": number, "secret": guess}).status_code == 403
    stopped = guesser.post("/track/", {"number": number, "secret": secret})
    assert stopped.status_code == 403 and "Too many wrong attempts" in stopped.content.decode()


def test_residents_behind_the_balancer_are_limited_each_on_their_own(world, settings):
    settings.TRACKING_FAILURES_PER_HOUR = 3
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    browser = resident()
    raise_problem(browser)
    number, secret = received(browser)
    balancer = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.0.0.5")

    def track(address, guess):
        return balancer.post("/track/", {"number": number, "secret": guess}, HTTP_X_FORWARDED_FOR=address)

    for guess in ["AAAAAAAA", "BBBBBBBB", "CCCCCCCC"]:
        # A forged header of the guesser's own is ignored: the balancer's append counts.
        assert track("198.51.100.1, 203.0.113.7", guess).status_code == 403
    assert "Too many wrong attempts" in track("203.0.113.7", secret).content.decode()
    assert track("203.0.113.8", secret).status_code == 302  # to the case's tracking page
    assert FailedSecret.objects.filter(address="203.0.113.7").count() == 3


def test_a_burst_from_one_address_is_queued_then_refused(world, settings, django_capture_on_commit_callbacks):
    settings.PORTAL_REPORTS_PER_MINUTE = 1
    settings.REPORT_REFUSE_FACTOR = 2
    browser = resident()
    raise_problem(browser)
    assert Case.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        queued = raise_problem(browser)
    assert queued.status_code == 302
    assert ResidentReport.objects.count() == 2
    refused = raise_problem(browser)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "Too many reports at once" in refused.content.decode()
    assert ResidentReport.objects.count() == 2


def test_the_portal_speaks_chinese(world):
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/report/").content.decode()
    assert "反映问题" in page and "道路与桥梁" in page
    questions = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/report/questions/?service=noise").content.decode()
    assert "噪声在什么时候出现？" in questions and "夜间（22点后）" in questions
