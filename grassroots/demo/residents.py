"""Demo residents' reports: problems raised on the portal and by the county's Open311
"snap and report" app over the last two months, with their answers, a photo, public and
private ones, each then handled like any other case."""

from __future__ import annotations

import random
import struct
import zlib
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.cases.models import Category
from grassroots.demo.cases import _moment, _progress
from grassroots.demo.county import DemoCounty
from grassroots.open311 import services
from grassroots.open311.models import ResidentReport
from grassroots.open311.seed import seed_questions

# A resident who wants to try following a report in the demo uses this secret.
DEMO_SECRET = "LIXIAN26"  # noqa: S105  # printed on the console, on purpose

REPORTS: list[tuple[str, str, dict[str, Any], bool, bool]] = [
    # service, description, answers, named, public
    ("roads", "澧州大道与荆州路口人行道砖块松动翘起，老人经过容易绊倒。", {"size": "medium"}, True, True),
    ("drainage", "雨后小区北门积水半米深，污水井冒水，居民出行困难。", {"overflow": "yes"}, True, True),
    (
        "noise",
        "夜里十一点后烧烤摊音响声音很大，影响休息。",
        {"when": ["night", "weekend"], "source": "河街烧烤摊"},
        False,
        True,
    ),
    ("parking", "菜市场门口车辆乱停，消防通道被占。", {"vehicles": "15"}, False, True),
    ("waste", "村口垃圾池满了没人清运，气味很重。", {"days": "5"}, True, True),
    ("roads", "乡道桥头路面塌陷一个坑，夜间没有警示标志。", {"size": "small"}, True, True),
    ("water_gas", "连续三天早上停水，没有提前通知。", {}, True, False),
    ("medical", "卫生院周末没有医生值班，孩子发烧只能去县城。", {}, True, False),
    ("drainage", "新修的排水沟比路面高，下雨水排不出去。", {"overflow": "no"}, False, True),
    ("noise", "工地晚上十点后还在打桩。", {"when": ["night"], "source": "城南安置房工地"}, True, True),
    ("enrolment", "孩子随迁入学需要哪些材料，网上没有说明。", {}, True, False),
    ("parking", "小区没有充电桩，电动车在楼道充电有隐患。", {"vehicles": "40"}, True, True),
]


def build_resident_reports(demo: DemoCounty, today: date | None = None) -> str:
    """The reports, handled as far as their age allows. Returns the demo app's API key."""
    seed_questions()  # idempotent; a flushed database has lost the migration's rows
    rng = random.Random(311)
    today = today or timezone.localdate()
    staff = User.objects.filter(username="petition").first()
    with clock.pinned(_moment(today - timedelta(days=62), 9)):
        app, key = services.issue_key(actor=None, name="澧县随手拍 (Li County snap-and-report)", per_minute=120)
    categories = {c.code: c for c in Category.objects.all()}
    grids = [g for g in demo.grids if g.boundary]
    for i, (code, description, answers, named, public) in enumerate(REPORTS):
        day = today - timedelta(days=60 - i * 5)
        grid = rng.choice(grids)
        lon, lat = _inside(grid.boundary or {}, rng)
        submission = services.Submission(
            category=categories[code],
            description=description,
            latitude=f"{lat:.6f}",
            longitude=f"{lon:.6f}",
            address=f"{grid.parent.name if grid.parent else ''}{rng.randint(1, 60)}号附近",
            name=["周立新", "刘芳", "向东", "龚丽", "黄伟"][i % 5] if named else "",
            phone=f"1370000{1000 + i:04d}" if named else "",
            is_public=public,
            answers=answers,
            photos=[("photo.png", _photo(rng))] if i % 3 == 0 else [],
        )
        with clock.pinned(_moment(day, 8 + i % 10, rng.randint(0, 59))):
            report, _secret = services.submit(
                submission, source="open311" if i % 2 else "portal", client=app if i % 2 else None
            )
        assert report.case is not None
        _progress(report.case, demo, rng, day, today, staff)
    first = ResidentReport.objects.filter(source="portal").order_by("id").first()
    if first is not None:
        ResidentReport.objects.filter(pk=first.pk).update(secret_hash=services._digest(DEMO_SECRET))
    return key


def demo_tracking() -> tuple[str, str] | None:
    """The case number a demo visitor can follow with :data:`DEMO_SECRET`."""
    first = ResidentReport.objects.filter(source="portal").select_related("case").order_by("id").first()
    return (first.case.number, DEMO_SECRET) if first and first.case else None


def _inside(boundary: dict[str, Any], rng: random.Random) -> tuple[float, float]:
    ring = boundary["coordinates"][0]
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys))


def _photo(rng: random.Random, width: int = 96, height: int = 64) -> bytes:
    """A small real PNG (a plain colour with a band), so the demo's photos display."""
    base = (rng.randint(90, 200), rng.randint(90, 200), rng.randint(90, 200))
    rows = b"".join(
        b"\x00" + bytes((40, 40, 40) if height // 3 < y < height // 2 else base) * width for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
