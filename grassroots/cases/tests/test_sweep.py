"""Due-soon and overdue warnings reach the responsible staff once, however often the sweep runs."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from grassroots.accounts.models import Notification
from grassroots.cases import services
from grassroots.cases.choices import CaseKind, Channel
from grassroots.cases.services import PetitionerData
from grassroots.cases.tasks import sweep_deadlines_now

pytestmark = pytest.mark.django_db
CST = ZoneInfo("Asia/Shanghai")


def test_warnings_go_out_once_when_due_soon_and_once_when_overdue(world):
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=CST)):
        case = services.register_case(
            actor=world.county_staff,
            kind=CaseKind.PETITION,
            channel=Channel.LETTER,
            unit=world.changlin,
            title="路灯不亮",
            description="一个月未修。",
            petitioners=[PetitionerData(name="李四")],
        )
    # Registered in Changlin: the Liyang Street committee decides on acceptance by 17 March.
    with time_machine.travel(datetime(2026, 3, 10, 9, tzinfo=CST)):
        assert sweep_deadlines_now() == 0  # 7 days out; the policy warns 3 days ahead
    with time_machine.travel(datetime(2026, 3, 15, 9, tzinfo=CST)):
        assert sweep_deadlines_now() == 1
        assert sweep_deadlines_now() == 0
        call_command("sweep_deadlines")
    with time_machine.travel(datetime(2026, 3, 18, 9, tzinfo=CST)):
        assert sweep_deadlines_now() == 1
    notes = list(Notification.objects.order_by("id").values_list("recipient__username", "text"))
    assert [u for u, _t in notes] == ["street", "street"]
    assert case.number in notes[1][1] and "超期" in notes[1][1]
    assert not Notification.objects.filter(recipient=world.outsider).exists()


def test_a_backlog_larger_than_a_batch_does_not_hide_the_cases_falling_due(world):
    def register(title):
        return services.register_case(
            actor=world.county_staff,
            kind=CaseKind.PETITION,
            channel=Channel.LETTER,
            unit=world.changlin,
            title=title,
            description="积压",
            petitioners=[PetitionerData(name="王五")],
        )

    with time_machine.travel(datetime(2026, 1, 5, 10, tzinfo=CST)):
        backlog = [register(f"积案{n}") for n in range(3)]
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=CST)):
        due_soon = register("新近到期")
    with time_machine.travel(datetime(2026, 3, 15, 9, tzinfo=CST)):
        # Batches of two: the three overdue cases fill the first and spill into the second.
        assert sweep_deadlines_now(batch=2) == 4
    warned = set(Notification.objects.values_list("link", flat=True))
    assert warned == {f"/cases/{c.number}/" for c in [*backlog, due_soon]}
