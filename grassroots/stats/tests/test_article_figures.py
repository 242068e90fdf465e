"""The article's figures, recorded as work and read back from /api/v1/stats/ and the briefing:
Rizhao Donggang's 509 grid meetings and 450 urgent problems solved (M11), and Zhejiang's
130,000 batches and 270,000 persons received (M3), as daily reception logs."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from grassroots.activities import services as activities
from grassroots.activities.choices import ActivityKind
from grassroots.audit.models import Action, AuditEntry
from grassroots.cases import services as cases
from grassroots.stats.briefing import briefing

pytestmark = pytest.mark.django_db
CST = ZoneInfo("Asia/Shanghai")
START = datetime(2023, 9, 1, 19, tzinfo=CST)


def test_509_grid_meetings_and_450_urgent_problems_solved(world, client):
    actor = world.county_staff
    for n in range(509):
        meeting = activities.record_grid_meeting(
            world.changlin_grid,
            actor=world.grid_member,
            held_at=START + timedelta(hours=n * 7),
            topic=f"议事{n}",
            minutes="居民议定事项",
            attendees=8,
        )
        if n < 450:
            case = activities.file_case(
                meeting, actor=world.grid_member, title="急难问题", description="需尽快处理", is_urgent=True
            )
            cases.accept_case(case, actor=actor)
            cases.assign_case(case, actor=actor, organisations=[world.housing_centre], mode="forward")
            cases.record_site_visit(case, actor=actor, place="现场", findings="已处置")
            cases.reply_to_resident(case, actor=actor, text="已解决")
            cases.resolve_case(case, actor=actor)
    for day in range(1000):  # a reception log a day: 130 batches and 270 persons
        activities.record_activity(
            actor=actor,
            kind=ActivityKind.RECEPTION_DAY,
            title="领导接访",
            unit=world.county,
            starts_at=START + timedelta(days=day, hours=-10),
            ends_at=START + timedelta(days=day, hours=-7),
            batches=130,
            persons=270,
        )
    client.force_login(world.county_staff)
    stats = client.get(
        "/api/v1/stats/",
        {
            "unit": world.county.code,
            "from": "2023-09-01",
            "to": "2026-12-31",
            "metrics": "grid_meetings.count,urgent.resolved,receptions.batches,receptions.persons",
        },
    ).json()["metrics"]
    assert stats == {
        "grid_meetings.count": 509,
        "urgent.resolved": 450,
        "receptions.batches": 130_000,
        "receptions.persons": 270_000,
    }
    # A street sees its own figures only: Lipu recorded none of this.
    client.force_login(world.outsider)
    theirs = client.get(
        "/api/v1/stats/",
        {
            "unit": world.lipu.code,
            "from": "2023-09-01",
            "to": "2026-12-31",
            "metrics": "grid_meetings.count,urgent.resolved",
        },
    ).json()["metrics"]
    assert theirs == {"grid_meetings.count": 0, "urgent.resolved": 0}
    zh = "".join(briefing(world.county, START.date(), datetime(2026, 12, 31, tzinfo=CST).date(), "zh-hans"))
    en = " ".join(briefing(world.county, START.date(), datetime(2026, 12, 31, tzinfo=CST).date(), "en"))
    assert "接待群众130,000批次270,000人次" in zh and "召开网格议事会509场，解决急难问题450件" in zh
    assert "received the masses in 130,000 batches, 270,000 persons" in en
    assert "509 grid meetings were held and 450 urgent problems solved" in en
    # The printed briefing (PDF) states the same figures; the neighbouring street gets none.
    client.force_login(world.county_staff)
    period = {"unit": world.county.code, "from": "2023-09-01", "to": "2026-12-31", "format": "pdf"}
    assert "召开网格议事会509场，解决急难问题450件" in pdf_text(client.get("/briefing/", period | {"lang": "zh-hans"}))
    assert "509 grid meetings were held and 450 urgent problems solved" in pdf_text(
        client.get("/briefing/", period | {"lang": "en"})
    )
    assert AuditEntry.objects.filter(action=Action.EXPORT, target_type="briefing").count() == 2
    client.force_login(world.outsider)
    assert client.get("/briefing/", period).status_code == 404


def pdf_text(response) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = PdfReader(BytesIO(response.content)).pages
    # Lines wrap anywhere in Chinese; join them back into the paragraphs' text.
    return "".join(page.extract_text().replace("\n", "") for page in pages)


def test_1672_face_to_face_visits_1178_problems_solved_and_75_difficult_cases(world, client):
    """M5, Chongqing Yuzhong's front-line work method: leaders visit petitioners face to
    face, each visit recorded against the case it was about; problems are solved and the
    difficult and complex ones among them flagged and resolved."""
    from grassroots.activities.choices import CaseRole
    from grassroots.cases.choices import CaseKind, Channel
    from grassroots.cases.services import PetitionerData

    actor = world.county_staff
    solved = []
    for n in range(1178):
        at = START + timedelta(hours=n * 9)
        with time_machine.travel(at, tick=False):
            case = cases.register_case(
                actor=actor,
                kind=CaseKind.PETITION,
                channel=Channel.DOWN_VISIT,
                unit=world.changlin,
                title="上门约访",
                description="当面听取诉求",
                petitioners=[PetitionerData(name=f"来访人{n}")],
            )
            cases.accept_case(case, actor=actor)
            cases.assign_case(case, actor=actor, organisations=[world.housing_centre], mode="forward")
            if n < 75:
                cases.flag_case(case, actor=actor, difficult=True)
            cases.start_handling(case, actor=actor)
            cases.reply_to_resident(case, actor=actor, text="当面答复，问题已解决。")
            cases.resolve_case(case, actor=actor)
        solved.append(case)
    for n in range(1672):  # every problem visited once; 494 of them a second time
        case = solved[n % len(solved)]
        visit = activities.record_activity(
            actor=actor,
            kind=ActivityKind.DOWN_VISIT,
            title="面对面走访",
            unit=world.changlin,
            starts_at=START + timedelta(hours=n * 9 + 1),
            persons=1,
            batches=1,
        )
        activities.link_case(visit, actor=actor, case=case, role=CaseRole.MOVED)
    client.force_login(world.county_staff)
    wanted = "visits.count,cases.resolved,difficult.resolved"
    stats = client.get(
        "/api/v1/stats/", {"unit": world.county.code, "from": "2023-09-01", "to": "2026-12-31", "metrics": wanted}
    ).json()["metrics"]
    assert stats == {"visits.count": 1672, "cases.resolved": 1178, "difficult.resolved": 75}
    client.force_login(world.outsider)
    theirs = client.get(
        "/api/v1/stats/", {"unit": world.lipu.code, "from": "2023-09-01", "to": "2026-12-31", "metrics": wanted}
    ).json()["metrics"]
    assert theirs == {"visits.count": 0, "cases.resolved": 0, "difficult.resolved": 0}
    end = datetime(2026, 12, 31, tzinfo=CST).date()
    zh = "".join(briefing(world.county, START.date(), end, "zh-hans"))
    en = " ".join(briefing(world.county, START.date(), end, "en"))
    assert "面对面走访1,672次" in zh and "办结1,178件" in zh and "疑难复杂问题75件" in zh
    assert "made 1,672 face-to-face visits" in en
    assert "1,178 resolved" in en and "75 difficult and complex cases" in en
