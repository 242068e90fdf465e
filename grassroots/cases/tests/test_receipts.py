"""Intake answered at once: a hotline's burst is taken as receipts (``Prefer: respond-async``)
and registered moments later, in batches, as the same cases direct intake makes."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from grassroots.audit.models import Action, AuditEntry
from grassroots.cases import services
from grassroots.cases.models import Case, CaseEvent, Receipt
from grassroots.cases.tests.test_api import SEWER, post
from grassroots.cases.tests.test_batch_intake import move_to_lipu
from grassroots.triage.models import Suggestion

pytestmark = pytest.mark.django_db

ASYNC = {"HTTP_PREFER": "respond-async"}


def run_the_worker() -> None:
    """Run the task worker once what waits is due (intake wakes the registrar for the start
    of the next second)."""
    soon = DBTaskResult.objects.filter(status="READY", run_after__lt=timezone.now() + timedelta(seconds=5))
    last = max((t.run_after for t in soon), default=timezone.now())
    time.sleep(max(0.0, (last - timezone.now()).total_seconds()) + 0.01)
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


@pytest.mark.django_db(transaction=True)  # the task worker closes connections, as a real worker does
def test_a_burst_is_answered_with_receipts_and_registered_as_direct_intake_would(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.county_staff)
    direct = post(client, "/api/v1/cases/", SEWER).json()
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            post(client, "/api/v1/cases/", {**SEWER, "title": f"污水管破损 {i}"}, HTTP_USER_AGENT="hotline/2", **ASYNC)
            for i in range(3)
        ]
    for answer in answers:
        assert answer.status_code == 202, answer.json()
        assert answer["Preference-Applied"] == "respond-async"
        assert answer["Location"] == answer.json()["url"]
        assert answer.json()["state"] == "pending" and answer.json()["case"] is None
    assert Case.objects.count() == 1  # taken, not yet registered
    assert client.get(answers[0]["Location"]).json()["state"] == "pending"
    # The receipts woke the task worker for the next whole second, once, not once a receipt.
    wakes = DBTaskResult.objects.filter(task_path__endswith="register_waiting_receipts")
    assert 1 <= wakes.count() <= 2  # 2 when the burst straddled a second
    assert all(w.run_after and w.run_after.microsecond == 0 for w in wakes)

    run_the_worker()

    read = [client.get(a["Location"]).json() for a in answers]
    assert [r["state"] for r in read] == ["registered"] * 3
    numbers = [r["case"] for r in read]
    assert [int(n) for n in numbers] == [int(direct["number"]) + i for i in (1, 2, 3)]  # in the order taken
    for receipt, number in zip(Receipt.objects.order_by("id"), numbers, strict=True):
        case = Case.objects.get(number=number)
        assert receipt.intake == {}  # the case holds the petitioner now, the receipt nothing
        assert case.registered_at == receipt.received_at  # deadlines count from the call
        assert case.created_by == world.county_staff
        assert case.responsible.code == direct["responsible"]
        assert case.petitioners.get().phone == "13512345678"
        assert CaseEvent.objects.get(case=case).kind == "register"
        assert Suggestion.objects.filter(case=case).exists()
        entry = AuditEntry.objects.get(action=Action.CREATE, target_type="cases.case", target_id=str(case.pk))
        assert (entry.actor, entry.channel, entry.user_agent) == (world.county_staff, "api", "hotline/2")
    detail = client.get(f"/api/v1/cases/{numbers[0]}/").json()
    assert detail["acceptance_due_at"] is not None and detail["petitioners"][0]["phone"] == "135****5678"


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}})
def test_with_tasks_run_at_once_a_receipt_is_registered_at_once(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.county_staff)
    with django_capture_on_commit_callbacks(execute=True):
        answer = post(client, "/api/v1/cases/", SEWER, **ASYNC)
    assert answer.status_code == 202, answer.json()
    assert client.get(answer["Location"]).json()["state"] == "registered"


def test_bad_input_is_refused_at_once_and_nothing_is_kept(world, client):
    client.force_login(world.county_staff)
    refused = post(client, "/api/v1/cases/", {**SEWER, "unit": "nowhere", "petitioners": []}, **ASYNC)
    assert refused.status_code == 400 and set(refused.json()) == {"unit"}
    refused = post(client, "/api/v1/cases/", {**SEWER, "petitioners": []}, **ASYNC)
    assert refused.json() == {"petitioners": ["Name the petitioner, or mark the case anonymous."]}
    assert not Receipt.objects.exists()


def test_a_retried_receipt_is_the_same_receipt_and_becomes_one_case(world, client):
    client.force_login(world.county_staff)
    first = post(client, "/api/v1/cases/", SEWER, HTTP_IDEMPOTENCY_KEY="call-77", **ASYNC)
    again = post(client, "/api/v1/cases/", SEWER, HTTP_IDEMPOTENCY_KEY="call-77", **ASYNC)
    assert again.status_code == 202 and again.json()["token"] == first.json()["token"]
    assert services.register_receipts() == 1
    number = client.get(first["Location"]).json()["case"]
    # The same key sent directly afterwards finds the case the receipt became.
    direct = post(client, "/api/v1/cases/", SEWER, HTTP_IDEMPOTENCY_KEY="call-77")
    assert direct.status_code == 200 and direct.json()["number"] == number
    assert Case.objects.count() == 1


def test_a_key_used_directly_before_the_receipt_is_registered_leaves_one_case(world, client):
    client.force_login(world.county_staff)
    waiting = post(client, "/api/v1/cases/", SEWER, HTTP_IDEMPOTENCY_KEY="call-78", **ASYNC)
    other = post(client, "/api/v1/cases/", {**SEWER, "title": "另一件"}, **ASYNC)
    direct = post(client, "/api/v1/cases/", SEWER, HTTP_IDEMPOTENCY_KEY="call-78")
    assert direct.status_code == 201
    assert services.register_receipts() == 2
    assert client.get(waiting["Location"]).json()["case"] == direct.json()["number"]
    assert client.get(other["Location"]).json()["state"] == "registered"
    assert Case.objects.count() == 2


def test_a_receipt_whose_place_is_gone_is_refused_with_the_reason(world, client):
    client.force_login(world.county_staff)
    post(client, "/api/v1/cases/", SEWER, **ASYNC)
    receipt = Receipt.objects.get()
    receipt.intake = {**receipt.intake, "unit": 10**9}  # as if the unit was deleted meanwhile
    receipt.save()
    assert services.register_receipts() == 1
    read = client.get(f"/api/v1/receipts/{receipt.token}/").json()
    assert read["state"] == "refused" and read["refused"] == {"unit": ["It no longer exists."]}
    assert read["case"] is None and not Case.objects.exists()


def test_a_receipt_naming_someone_removed_since_is_refused_not_registered_without_them(world, client):
    client.force_login(world.county_staff)
    post(client, "/api/v1/cases/", SEWER, **ASYNC)
    receipt = Receipt.objects.get()
    # as if the person the resident complained about was removed before registration
    receipt.intake = {**receipt.intake, "complained": [{"person": 10**9, "organisation": None, "description": ""}]}
    receipt.save()
    assert services.register_receipts() == 1
    read = client.get(f"/api/v1/receipts/{receipt.token}/").json()
    assert read["state"] == "refused" and read["refused"] == {"complained": ["It no longer exists."]}
    assert not Case.objects.exists()


def test_a_receipt_under_a_key_another_login_used_makes_its_own_case(world, client):
    client.force_login(world.county_staff)
    ours = post(client, "/api/v1/cases/", SEWER, HTTP_IDEMPOTENCY_KEY="shared-77").json()
    client.force_login(world.outsider)
    elsewhere = {**SEWER, "unit": world.outsider.person.unit.code}
    location = post(client, "/api/v1/cases/", elsewhere, HTTP_IDEMPOTENCY_KEY="shared-77", **ASYNC)["Location"]
    assert services.register_receipts() == 1
    read = client.get(location).json()
    assert read["state"] == "registered" and read["case"] not in (None, ours["number"])
    assert Case.objects.get(number=read["case"]).unit == world.outsider.person.unit


def test_a_receipt_whose_key_made_a_case_now_outside_its_units_names_no_case(world, client):
    client.force_login(world.county_staff)
    post(client, "/api/v1/cases/", SEWER, HTTP_IDEMPOTENCY_KEY="shared-78")
    location = post(client, "/api/v1/cases/", SEWER, HTTP_IDEMPOTENCY_KEY="shared-78", **ASYNC)["Location"]
    move_to_lipu(world.county_staff, world)  # before the receipt was registered
    assert services.register_receipts() == 1
    read = client.get(location).json()
    assert read["state"] == "refused" and read["case"] is None
    assert read["refused"] == {"idempotency_key": ["This idempotency key belongs to a case you cannot see."]}
    assert Case.objects.count() == 1


def test_only_the_receiver_reads_a_receipt(world, client):
    client.force_login(world.county_staff)
    location = post(client, "/api/v1/cases/", SEWER, **ASYNC)["Location"]
    client.force_login(world.outsider)
    assert client.get(location).status_code == 404
    client.logout()
    assert client.get(location).status_code in (401, 403)


def test_a_batch_costs_the_same_statements_however_many_receipts_it_holds(world, client):
    client.force_login(world.county_staff)

    def statements_to_register(n: int) -> int:
        for i in range(n):
            post(client, "/api/v1/cases/", {**SEWER, "title": f"批量 {i}"}, **ASYNC)
        with CaptureQueriesContext(connection) as ctx:
            assert services.register_receipts() == n
        return len(ctx.captured_queries)

    statements_to_register(2)  # the memos filled
    assert statements_to_register(3) == statements_to_register(12)
    assert Case.objects.count() == 17 and not Receipt.objects.filter(processed_at__isnull=True).exists()


def test_the_admin_lists_receipts_with_their_cases_and_a_scoped_administrator_only_their_own(world, client):
    from django.contrib.auth.models import Permission

    from grassroots.accounts.models import User

    client.force_login(world.county_staff)
    mine = post(client, "/api/v1/cases/", SEWER, **ASYNC).json()["token"]
    client.force_login(world.street_staff)
    theirs = post(client, "/api/v1/cases/", SEWER, **ASYNC).json()["token"]
    services.register_receipts()
    number = Case.objects.get(idempotency_key=f"receipt:{mine}").number

    top = User.objects.create_superuser("root", password="x")
    client.force_login(top)
    page = client.get("/admin/cases/receipt/").content.decode()
    assert mine[:8] in page and theirs[:8] in page and f"/cases/{number}/" in page

    world.county_staff.is_staff = True
    world.county_staff.save()
    world.county_staff.user_permissions.add(Permission.objects.get(codename="view_receipt"))
    client.force_login(world.county_staff)
    page = client.get("/admin/cases/receipt/").content.decode()
    assert mine[:8] in page and theirs[:8] not in page


def test_an_idempotency_key_too_long_to_keep_is_refused_with_the_reason(world, client):
    client.force_login(world.county_staff)
    for extra in ({}, ASYNC):
        refused = post(client, "/api/v1/cases/", SEWER, HTTP_IDEMPOTENCY_KEY="k" * 101, **extra)
        assert refused.status_code == 400
        assert refused.json() == {"Idempotency-Key": ["The Idempotency-Key header is longer than 100 characters."]}
    assert post(client, "/api/v1/cases/", SEWER, HTTP_IDEMPOTENCY_KEY="k" * 100, **ASYNC).status_code == 202
    assert not Case.objects.exists() and Receipt.objects.count() == 1
