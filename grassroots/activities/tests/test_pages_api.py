"""Activity pages and API: scope, forms that file cases and book slots, query counts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grassroots.activities import services
from grassroots.activities.choices import ActivityKind
from grassroots.activities.models import Activity, Appointment
from grassroots.cases import services as cases
from grassroots.cases.choices import CaseKind, Channel
from grassroots.cases.models import Case
from grassroots.cases.services import PetitionerData

pytestmark = pytest.mark.django_db
CST = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, tzinfo=CST)


@pytest.fixture
def meeting(world):
    return services.record_grid_meeting(
        world.changlin_grid, actor=world.grid_member, held_at=NOW, topic="楼道", minutes="12户参加", attendees=12
    )


@pytest.fixture
def reception(world):
    with time_machine.travel(NOW):
        return services.record_activity(
            actor=world.county_staff,
            kind=ActivityKind.RECEPTION_DAY,
            title="接访日",
            unit=world.county,
            starts_at=datetime(2026, 11, 25, 9, tzinfo=CST),
            ends_at=datetime(2026, 11, 25, 11, tzinfo=CST),
            held=False,
        )


def test_recording_a_grid_meeting_from_the_form(world, as_user):
    client = as_user(world.grid_member)
    response = client.post(
        reverse("activities:record"),
        {
            "kind": "grid_meeting",
            "title": "微议事",
            "unit": world.changlin_grid.pk,
            "starts_at": "2026-11-20T19:00",
            "minutes": "议定清理楼道。",
            "persons": "9",
            "held": "on",
        },
    )
    activity = Activity.objects.get()
    assert response.status_code == 302 and (activity.persons, activity.unit) == (9, world.changlin_grid)
    bad = client.post(
        reverse("activities:record"),
        {"kind": "grid_meeting", "title": "", "unit": world.changlin_grid.pk, "starts_at": "tomorrow", "persons": "-1"},
    )
    assert bad.status_code == 200 and Activity.objects.count() == 1


def test_filing_a_problem_from_the_activity_page(world, as_user, meeting):
    client = as_user(world.grid_member)
    response = client.post(
        reverse("activities:file-case", args=[meeting.pk]),
        {"title": "楼道堆物", "description": "3栋楼道堆物。", "persons": "1"},
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.channel, case.kind, case.unit) == (Channel.GRID_MEETING, CaseKind.GRID_INCIDENT, world.changlin_grid)
    empty = client.post(reverse("activities:file-case", args=[meeting.pk]), {"title": ""})
    assert empty.status_code == 400 and Case.objects.count() == 1


def test_booking_a_slot_from_the_page_and_receiving_the_visit(world, as_user, reception):
    case = cases.register_case(
        actor=world.county_staff,
        kind=CaseKind.PETITION,
        channel=Channel.LETTER,
        unit=world.changlin,
        title="补偿",
        description="补偿标准",
        petitioners=[PetitionerData(name="赵六")],
    )
    client = as_user(world.county_staff)
    with time_machine.travel(NOW):
        response = client.post(
            reverse("activities:book", args=[reception.pk]),
            {"case": case.number, "slot_at": "2026-11-25T09:30:00+08:00"},
        )
        assert response.status_code == 302
        taken = client.post(
            reverse("activities:book", args=[reception.pk]),
            {"case": case.number, "slot_at": "2026-11-25T09:30:00+08:00"},
        )
        assert taken.status_code == 400 and "taken" in taken.content.decode()
    no_time = client.post(reverse("activities:book", args=[reception.pk]), {"case": case.number})
    assert no_time.status_code == 400 and "Choose one of the day" in no_time.content.decode()
    appointment = Appointment.objects.get()
    client.post(
        reverse("activities:attend", args=[reception.pk, appointment.pk]), {"notes": "当面沟通", "outcome": "moved"}
    )
    reception.refresh_from_db()
    assert (reception.batches, reception.persons, reception.state) == (1, 1, "held")


def test_outsiders_see_no_activity(world, as_user, meeting):
    client = as_user(world.outsider)
    assert client.get(reverse("activities:detail", args=[meeting.pk])).status_code == 404
    assert client.post(reverse("activities:file-case", args=[meeting.pk]), {}).status_code == 404
    assert meeting.title not in client.get(reverse("activities:list")).content.decode()
    assert client.get(f"/api/v1/activities/{meeting.pk}/").status_code == 404


def test_api_records_an_activity_and_files_a_case(world, client):
    client.force_login(world.street_staff)
    created = client.post(
        "/api/v1/activities/",
        {
            "kind": "on_site_office",
            "title": "现场办公",
            "unit": world.changlin.code,
            "starts_at": "2026-11-20T09:00:00+08:00",
            "minutes": "现场协调",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    filed = client.post(
        f"/api/v1/activities/{pk}/file-case/",
        {
            "title": "排水不畅",
            "description": "雨后积水。",
            "persons": 3,
            "petitioners": [{"name": "代表", "is_representative": True}],
        },
        content_type="application/json",
    )
    assert filed.status_code == 201 and filed.json()["channel"] == "on_site"
    detail = client.get(f"/api/v1/activities/{pk}/").json()
    assert (detail["batches"], detail["persons"], len(detail["case_links"])) == (1, 3, 1)
    bad = client.post("/api/v1/activities/", {"kind": "party", "unit": "nowhere"}, content_type="application/json")
    assert bad.status_code == 400 and {"kind", "unit", "title", "starts_at"} <= set(bad.json())


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("url", ["/activities/", "/activities/calendar/?month=2026-11", "/api/v1/activities/"])
def test_activity_lists_do_not_grow_in_queries(world, as_user, url):
    client = as_user(world.street_staff)
    services.record_grid_meeting(world.changlin_grid, actor=None, held_at=NOW, topic="a", minutes="m", attendees=1)
    small = count(client, url)
    for i in range(6):
        services.record_grid_meeting(
            world.changlin_grid, actor=None, held_at=NOW, topic=f"t{i}", minutes="m", attendees=i
        )
    assert count(client, url) == small


def test_activity_page_queries_do_not_grow(world, as_user, meeting):
    client = as_user(world.street_staff)
    url = reverse("activities:detail", args=[meeting.pk])
    services.file_case(meeting, actor=world.grid_member, title="问题", description="d")
    small = count(client, url)
    for i in range(5):
        services.file_case(meeting, actor=world.grid_member, title=f"问题{i}", description="d")
    assert count(client, url) == small


def test_the_inbox_shows_reminders_and_marks_them_read(world, as_user):
    from grassroots.accounts.models import Notification

    Notification.objects.create(recipient=world.county_staff, text="预约提醒：11月25日 9:30", link="/activities/1/")
    client = as_user(world.county_staff)
    home = client.get("/").content.decode()
    assert 'class="badge urgent">1<' in home
    page = client.get(reverse("activities:inbox")).content.decode()
    assert "预约提醒" in page
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert 'class="badge urgent"' not in client.get("/").content.decode()
    assert "预约提醒" not in as_user(world.outsider).get(reverse("activities:inbox")).content.decode()


def test_the_activity_list_exports_with_its_filter_and_scope_and_is_audited(world, meeting, reception, as_user):
    import csv
    import io

    from openpyxl import load_workbook

    from grassroots.audit.models import AuditEntry

    street = as_user(world.street_staff)
    response = street.get("/activities/export.csv?kind=grid_meeting")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["When", "Ends", "Kind"]
    assert [r[4] for r in rows[1:]] == [meeting.title]  # the reception day is filtered out
    book = load_workbook(io.BytesIO(street.get("/activities/export.xlsx").content))
    titles = [row[4] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert meeting.title in titles and reception.title not in titles  # the county's day is out of scope
    assert AuditEntry.objects.filter(action="export", target_type="activities.activity").count() == 2
    outsider_rows = as_user(world.outsider).get("/activities/export.csv").content.decode("utf-8-sig").splitlines()
    assert len(outsider_rows) == 1  # the neighbouring street: the header only
    assert street.get("/activities/export.pdf").status_code == 404


def planned_talk(world: Any) -> Activity:
    """A policy talk in Changlin the street planned, not yet held."""
    return services.record_activity(
        actor=world.street_staff,
        kind=ActivityKind.OUTREACH,
        title="惠民政策宣讲",
        unit=world.changlin,
        starts_at=datetime(2026, 11, 18, 19, tzinfo=CST),
        held=False,
    )


def test_a_planned_talk_is_recorded_held_from_its_page_and_the_county_counts_its_audience(world, as_user):
    from grassroots.stats import activity_days

    talk = planned_talk(world)
    year = (date(2026, 1, 1), date(2026, 12, 31))
    assert activity_days.sums(world.county.path, *year)["outreach"] == 0  # planned: not counted yet
    client = as_user(world.street_staff)
    page = client.get(f"/activities/{talk.pk}/").content.decode()
    assert 'id="hold"' in page and 'id="cancel"' in page
    assert 'name="batches"' not in page  # a talk reaches people, it receives no batches of visitors
    refused = client.post(f"/activities/{talk.pk}/hold/", {"persons": "-5", "minutes": ""})
    assert refused.status_code == 400 and Activity.objects.get(pk=talk.pk).state == "planned"
    held = client.post(f"/activities/{talk.pk}/hold/", {"persons": "86", "minutes": "讲解医保与养老政策，答疑12条。"})
    assert held.status_code == 302
    talk.refresh_from_db()
    assert (talk.state, talk.persons, talk.minutes) == ("held", 86, "讲解医保与养老政策，答疑12条。")
    figures = activity_days.sums(world.county.path, *year)
    assert (figures["outreach"], figures["outreach_audience"]) == (1, 86)
    page = client.get(f"/activities/{talk.pk}/").content.decode()
    assert 'id="hold"' not in page and 'id="cancel"' not in page  # held: it happened
    again = client.post(f"/activities/{talk.pk}/cancel/", {"reason": "下雨"})
    assert again.status_code == 400 and "Only a planned activity can be called off." in again.content.decode()


def test_a_refused_call_off_keeps_what_was_typed_and_says_why_at_the_field(world, as_user):
    talk = planned_talk(world)
    client = as_user(world.street_staff)
    blank = client.post(f"/activities/{talk.pk}/cancel/", {"reason": ""}).content.decode()
    assert 'id="cancel"' in blank and "This field is required." in blank
    too_long = client.post(f"/activities/{talk.pk}/cancel/", {"reason": "雨" * 2001}).content.decode()
    assert "雨" * 2001 in too_long and "at most 2000 characters" in too_long  # kept, to be shortened
    assert Activity.objects.get(pk=talk.pk).state == "planned"


def boundary_dispute(world: Any) -> Case:
    """A villager's letter about a boundary with a neighbour, registered by the county."""
    return cases.register_case(
        actor=world.county_staff,
        kind=CaseKind.PETITION,
        channel=Channel.LETTER,
        unit=world.changlin,
        title="宅基地纠纷",
        description="邻里宅基地边界争议。",
        petitioners=[PetitionerData(name="李四")],
    )


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}})
def test_with_tasks_run_at_once_a_booking_is_kept_and_its_reminder_goes_at_once(
    world, reception, django_capture_on_commit_callbacks
):
    case = boundary_dispute(world)
    with time_machine.travel(NOW), django_capture_on_commit_callbacks(execute=True):
        booked = services.book_appointment(
            reception, actor=world.county_staff, case=case, slot_at=datetime(2026, 11, 25, 9, 30, tzinfo=CST)
        )
    booked.refresh_from_db()
    assert booked.state == "booked" and booked.reminded_at is not None  # such a backend cannot wait a day


def test_a_reception_day_called_off_through_the_api_cancels_its_appointments(world, client, reception):
    case = boundary_dispute(world)
    with time_machine.travel(NOW):
        booked = services.book_appointment(
            reception, actor=world.county_staff, case=case, slot_at=datetime(2026, 11, 25, 9, 30, tzinfo=CST)
        )
        client.force_login(world.county_staff)
        assert 'name="batches"' in client.get(f"/activities/{reception.pk}/").content.decode()
        early = client.post(f"/api/v1/activities/{reception.pk}/hold/", {"persons": 3}, content_type="application/json")
        assert early.status_code == 400 and early.json() == {"state": ["This activity has not started yet."]}
    with pytest.raises(ValidationError) as negative:  # named by the count that is wrong
        services.hold_activity(reception, actor=world.county_staff, persons=3, batches=-1)
    assert negative.value.message_dict == {"batches": ["Counts cannot be negative."]}
    with time_machine.travel(NOW):
        blank = client.post(
            f"/api/v1/activities/{reception.pk}/cancel/", {"reason": " "}, content_type="application/json"
        )
        assert blank.status_code == 400 and "reason" in blank.json()
        called_off = client.post(
            f"/api/v1/activities/{reception.pk}/cancel/",
            {"reason": "县委书记赴省开会，改期。"},
            content_type="application/json",
        )
    assert called_off.status_code == 200, called_off.json()
    assert called_off.json()["state"] == "cancelled" and called_off.json()["minutes"] == "县委书记赴省开会，改期。"
    assert Appointment.objects.get(pk=booked.pk).state == "cancelled"
    client.force_login(world.outsider)
    assert client.post(f"/api/v1/activities/{reception.pk}/cancel/", {"reason": "x"}).status_code == 404
