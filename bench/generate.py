"""A province to benchmark against: about 100,000 units over six levels, 50,000 cadres,
100,000 enterprises, activities, and ten million cases over five years with their
petitioners, assignments and timelines — loaded through the bulk paths (COPY on
PostgreSQL, batched INSERTs with foreign-key checks off on SQLite, indexes built after).

    python -m bench.generate --database-url postgres://postgres@127.0.0.1:5432/grassroots_10m
    python -m bench.generate --database-url sqlite:////work/bench/10m.sqlite3
    python -m bench.generate --database-url sqlite:////tmp/small.sqlite3 --preset small

The distributions are drawn from one seeded generator, so two runs build the same
province. Channels, kinds and categories are skewed as a hotline's are (a few categories
carry most cases); handling times are log-normal with a long tail that becomes backlog;
case numbers grow by a tenth a year. Cases older than their handling time are settled
(closed with the resident's verdict, or declined); the last weeks' are still open.
The statistics rollups and the activity day rows are then rebuilt by ``grassroots stats
rebuild``'s own code, and their times are printed: the "stats rebuild" benchmark.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

BENCH_PASSWORD = "bench-password-2026"  # the benchmark logins' password; a scratch database only


@dataclass(frozen=True)
class Preset:
    cities: int
    counties: int  # per city
    townships: int  # per county
    villages: int  # per township
    grids: int  # per village
    cadres: int
    enterprises: int
    cases: int


PRESETS = {
    # 1 + 14 + 140 + 1,680 + 25,200 + 75,600 = 102,635 units
    "province": Preset(14, 10, 12, 15, 3, 50_000, 100_000, 10_000_000),
    # 1 + 2 + 4 + 16 + 96 + 288 = 407 units
    "small": Preset(2, 2, 4, 6, 3, 2_000, 2_000, 100_000),
    # for the test that keeps this generator working
    "tiny": Preset(1, 1, 2, 2, 2, 40, 20, 3_000),
}

YEARS = 5
SYLLABLES = (
    "安宝昌长成大东丰福广和河华黄江金锦康乐立利林龙明南宁平青清庆瑞山胜石顺松泰桃天田通万文西祥新兴阳永玉元云泽正中"
)
PHRASES = [
    "路灯不亮已有半月",
    "小区楼道堆放杂物",
    "夜间施工噪音扰民",
    "排水沟堵塞污水外溢",
    "农村道路破损严重",
    "拖欠工资至今未付",
    "物业服务收费不合理",
    "违章搭建影响通行",
    "垃圾清运不及时",
    "饮用水水质浑浊",
    "征地补偿款未到位",
    "邻里宅基地纠纷",
    "停车位严重不足",
    "老旧小区需要加装电梯",
    "学校周边交通拥堵",
    "农田灌溉渠道损坏",
    "养殖场气味扰民",
    "医保报销手续繁琐",
    "公交线路调整不便",
    "商户占道经营",
]


def name(rng: random.Random, suffix: str) -> str:
    return rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + suffix


@dataclass
class Province:
    """What the case generator draws from, kept as plain tuples."""

    # (unit id, path, level, township index) of every place a case can be
    places: list[tuple[int, str, int, int]] = field(default_factory=list)
    place_weights: list[float] = field(default_factory=list)
    # per township: the coordinating committee, and its county's departments
    township_committee: list[int] = field(default_factory=list)
    township_departments: list[list[int]] = field(default_factory=list)
    township_units: list[tuple[int, str]] = field(default_factory=list)
    village_units: list[tuple[int, str, int]] = field(default_factory=list)  # id, path, township index
    people_by_township: list[list[int]] = field(default_factory=list)


# ---------------------------------------------------------------- the bulk loader


class Loader:
    """Appends rows to tables through the fastest path the database has."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.vendor = connection.vendor
        connection.ensure_connection()
        self.raw = connection.connection

    def stamp(self, epoch: float | None) -> str | None:
        if epoch is None:
            return None
        text = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))
        return text + "+00" if self.vendor == "postgresql" else text

    def load(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> int:
        n = 0
        if self.vendor == "postgresql":
            copying = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with self.raw.cursor() as cursor, cursor.copy(copying) as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
            self.raw.commit()
            return n
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 20000:
                self.raw.executemany(sql, batch)
                n += len(batch)
                batch.clear()
        self.raw.executemany(sql, batch)
        self.raw.commit()
        return n + len(batch)

    def next_id(self, table: str) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            return int(cursor.fetchone()[0]) + 1

    def reset_sequences(self, tables: list[str]) -> None:
        if self.vendor != "postgresql":
            return
        with self.connection.cursor() as cursor:
            for table in tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )

    def drop_indexes(self, tables: list[str]) -> list[str]:
        """Drop the secondary indexes (and unique constraints) of ``tables``; returns the
        statements that build them again."""
        again: list[str] = []
        with self.connection.cursor() as cursor:
            for table in tables:
                if self.vendor == "postgresql":
                    cursor.execute(
                        "SELECT i.relname, pg_get_indexdef(i.oid), c.conname, pg_get_constraintdef(c.oid) "
                        "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                        "JOIN pg_class t ON t.oid = x.indrelid "
                        "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.contype = 'u' "
                        "WHERE t.relname = %s AND NOT x.indisprimary",
                        [table],
                    )
                    for index, indexdef, constraint, constraintdef in cursor.fetchall():
                        if constraint:
                            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
                            again.append(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {constraintdef}')
                        else:
                            cursor.execute(f'DROP INDEX "{index}"')
                            again.append(indexdef)
                else:
                    cursor.execute(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                        "AND sql IS NOT NULL",
                        [table],
                    )
                    for index, sql in cursor.fetchall():
                        cursor.execute(f'DROP INDEX "{index}"')
                        again.append(sql)
        self.raw.commit()
        return again

    def build_indexes(self, statements: list[str]) -> None:
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute("SET maintenance_work_mem = '1GB'")
            for sql in statements:
                cursor.execute(sql)
        self.raw.commit()

    def fast(self) -> None:
        """Skip per-row foreign-key checks: every reference here is made valid by construction."""
        if self.vendor == "postgresql":
            with self.raw.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
                cursor.execute("SET synchronous_commit = off")
            self.raw.commit()
        else:
            self.raw.commit()
            for pragma in ("foreign_keys = OFF", "synchronous = OFF", "cache_size = -1000000"):
                self.raw.execute(f"PRAGMA {pragma}")

    def analyse(self, tables: list[str]) -> None:
        if self.vendor == "postgresql":
            self.raw.autocommit = True
            with self.raw.cursor() as cursor:
                for table in tables:
                    cursor.execute(f"VACUUM (ANALYZE) {table}")
            self.raw.autocommit = False
        else:
            self.raw.execute("ANALYZE")
            self.raw.commit()


# ---------------------------------------------------------------- the territory


def build_territory(loader: Loader, preset: Preset, rng: random.Random) -> Province:
    from grassroots.org.choices import Level, OrganisationKind, Rank, Sector
    from grassroots.org.paths import segment

    province = Province()
    unit_id = loader.next_id("org_unit")
    units: list[tuple[Any, ...]] = []
    orgs: list[tuple[Any, ...]] = []
    org_id = loader.next_id("org_organisation")

    def unit(code: str, level: int, parent: tuple[int, str] | None, label: str) -> tuple[int, str]:
        nonlocal unit_id
        pk = unit_id
        unit_id += 1
        path = (parent[1] if parent else "") + segment(pk)
        units.append((pk, label, "", parent[0] if parent else None, level, code, path, None))
        return pk, path

    def organisation(at: int, kind: str, code: str, label: str, coordinates: bool) -> int:
        nonlocal org_id
        pk = org_id
        org_id += 1
        orgs.append((pk, label, "", at, kind, code, coordinates))
        return pk

    root = unit("B90000000000", Level.PROVINCE, None, "江宁省")
    organisation(root[0], OrganisationKind.PETITION_OFFICE, "B-ORG-P", "江宁省信访局", True)
    province.people_by_township = []
    for c in range(preset.cities):
        city_code = f"B9{c + 1:02d}00000000"
        city = unit(city_code, Level.CITY, root, name(rng, "市"))
        organisation(city[0], OrganisationKind.PETITION_OFFICE, f"B-ORG-{city_code}", "市信访局", True)
        for k in range(preset.counties):
            county_code = f"{city_code[:4]}{k + 1:02d}000000"
            county = unit(county_code, Level.COUNTY, city, name(rng, "县"))
            organisation(county[0], OrganisationKind.PETITION_OFFICE, f"B-ORG-{county_code}", "县信访局", True)
            departments = [
                organisation(county[0], OrganisationKind.DEPARTMENT, f"B-ORG-{county_code}-{d}", label, False)
                for d, label in enumerate(["县住建局", "县自然资源局", "县人社局", "县生态环境分局"])
            ]
            for t in range(preset.townships):
                township_code = f"{county_code[:6]}{t + 1:03d}000"
                township = unit(township_code, Level.TOWNSHIP, county, name(rng, "街道" if t % 3 == 0 else "镇"))
                index = len(province.township_units)
                province.township_units.append(township)
                province.township_committee.append(
                    organisation(
                        township[0],
                        OrganisationKind.PARTY_WORKING_COMMITTEE,
                        f"B-ORG-{township_code}",
                        "党工委",
                        True,
                    )
                )
                province.township_departments.append(departments)
                # Townships differ in size: a log-normal weight for all the places inside.
                weight = rng.lognormvariate(0, 0.8)
                province.places.append((*township, Level.TOWNSHIP, index))
                province.place_weights.append(weight * 0.5)
                for v in range(preset.villages):
                    village_code = f"{township_code[:9]}{v + 1:03d}"
                    village = unit(village_code, Level.VILLAGE, township, name(rng, "社区" if v % 2 else "村"))
                    province.village_units.append((*village, index))
                    province.places.append((*village, Level.VILLAGE, index))
                    province.place_weights.append(weight * 0.6)
                    for g in range(preset.grids):
                        grid = unit(f"{village_code}-G{g + 1}", Level.GRID, village, f"第{g + 1}网格")
                        province.places.append((*grid, Level.GRID, index))
                        province.place_weights.append(weight * 0.5)
    loader.load("org_unit", ("id", "name", "name_en", "parent_id", "level", "code", "path", "boundary"), iter(units))
    loader.load("org_organisation", ("id", "name", "name_en", "unit_id", "kind", "code", "coordinates_unit"), orgs)

    # Cadres: most in the townships, the rest in the county and city bodies above them.
    person_id = loader.next_id("org_person")
    people: list[tuple[Any, ...]] = []
    posts: list[tuple[Any, ...]] = []
    per_township = max(1, preset.cadres * 4 // 5 // len(province.township_units))
    started = datetime.now(UTC).date() - timedelta(days=365 * YEARS)
    for index, (township_pk, _path) in enumerate(province.township_units):
        mine = []
        for _ in range(per_township):
            mine.append(person_id)
            people.append(
                (person_id, name(rng, ""), "", township_pk, f"B-P{person_id}", Rank.OTHER, "139" + f"{person_id:08d}")
            )
            posts.append((started, None, person_id, province.township_committee[index], "干部", "", False))
            person_id += 1
        province.people_by_township.append(mine)
    county_orgs = [o for o in orgs if o[4] == OrganisationKind.DEPARTMENT]
    while len(people) < preset.cadres:
        org = county_orgs[len(people) % len(county_orgs)]
        people.append((person_id, name(rng, ""), "", org[3], f"B-P{person_id}", Rank.TOWNSHIP_SECTION, ""))
        posts.append((started, None, person_id, org[0], "科员", "", False))
        person_id += 1
    loader.load("org_person", ("id", "name", "name_en", "unit_id", "code", "rank", "phone"), people)
    loader.load(
        "org_post",
        ("started_on", "ended_on", "person_id", "organisation_id", "title", "title_en", "is_leader"),
        posts,
    )
    sectors = list(Sector.values)
    loader.load(
        "org_enterprise",
        ("name", "name_en", "unit_id", "code", "sector", "above_designated_size"),
        (
            (
                name(rng, "有限公司"),
                "",
                province.village_units[n % len(province.village_units)][0],
                f"B91{n:015d}",
                sectors[n % len(sectors)],
                n % 5 == 0,
            )
            for n in range(preset.enterprises)
        ),
    )
    loader.reset_sequences(["org_unit", "org_organisation", "org_person", "org_post", "org_enterprise"])
    print(
        f"  {len(units):,} units, {len(orgs):,} organisations, {len(people):,} cadres, "
        f"{preset.enterprises:,} enterprises"
    )
    return province


# ---------------------------------------------------------------- the cases


@dataclass
class Taxonomy:
    categories: list[int]
    weights: list[float]
    policies: dict[str, tuple[int, int, int]]  # kind -> (policy id, accept days, handle days)


def taxonomy() -> Taxonomy:
    from grassroots.cases.deadlines import ensure_default_policies
    from grassroots.cases.models import Category, DeadlinePolicy

    ensure_default_policies()
    leaves = list(Category.objects.filter(parent__isnull=False, is_active=True).values_list("pk", flat=True))
    # Zipf: the first categories carry most cases, as a hotline's do.
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(leaves))]
    policies: dict[str, tuple[int, int, int]] = {}
    for p in DeadlinePolicy.objects.filter(is_current=True, category__isnull=True):
        # The hotline counts hours; a day or two to respond, a week or two to resolve.
        accept = p.accept_days or max(1, (p.respond_hours or 24) // 24)
        handle = p.handle_days or max(1, (p.resolve_hours or 240) // 24)
        policies[p.kind or ("hotline" if p.key == "hotline" else "")] = (p.pk, accept, handle)
    return Taxonomy(leaves, weights, policies)


KINDS = [("petition", 0.30), ("hotline", 0.50), ("dispute", 0.08), ("grid_incident", 0.10), ("suggestion", 0.02)]
CHANNELS = {
    "petition": [("letter", 0.35), ("visit", 0.45), ("online", 0.15), ("reception", 0.05)],
    "hotline": [("phone", 0.7), ("online", 0.3)],
    "dispute": [("visit", 0.6), ("phone", 0.2), ("grid_meeting", 0.2)],
    "grid_incident": [("grid_patrol", 0.9), ("grid_meeting", 0.1)],
    "suggestion": [("online", 0.7), ("letter", 0.3)],
}
FOUND_BY_STAFF = {"grid_patrol", "grid_meeting"}
CASE_COLUMNS = (
    "id",
    "number",
    "kind",
    "channel",
    "state",
    "version",
    "title",
    "description",
    "category_id",
    "unit_id",
    "unit_path",
    "address",
    "latitude",
    "longitude",
    "persons",
    "is_anonymous",
    "is_difficult",
    "is_urgent",
    "responsible_id",
    "policy_id",
    "registered_at",
    "accepted_at",
    "replied_at",
    "resolved_at",
    "closed_at",
    "acceptance_due_at",
    "handling_due_at",
    "review_due_at",
    "current_due_at",
    "extension_days",
    "extension_requested_days",
    "feedback",
    "feedback_at",
    "reopen_count",
    "review_outcome",
    "reviewed_at",
    "rereview_outcome",
    "rereviewed_at",
    "was_backlog",
    "master_id",
    "repeat_of_id",
    "idempotency_key",
    "key_owner",
    "created_by_id",
    "updated_at",
)
EVENT_COLUMNS = (
    "case_id",
    "at",
    "kind",
    "actor_id",
    "organisation_id",
    "from_state",
    "to_state",
    "note",
    "is_public",
    "payload",
)
PETITIONER_COLUMNS = ("case_id", "name", "phone", "id_number", "address", "is_representative")
ASSIGNMENT_COLUMNS = (
    "case_id",
    "organisation_id",
    "assigned_by_id",
    "mode",
    "status",
    "report_due_at",
    "instructions",
    "created_at",
)
DAY = 86400.0


@dataclass
class Batch:
    cases: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    petitioners: list[tuple[Any, ...]] = field(default_factory=list)
    assignments: list[tuple[Any, ...]] = field(default_factory=list)


def _pick(rng: random.Random, pairs: list[tuple[str, float]]) -> str:
    return rng.choices([p for p, _w in pairs], [w for _p, w in pairs])[0]


def case_batches(
    loader: Loader, province: Province, tax: Taxonomy, total: int, first_id: int, now: float, seed: int
) -> Iterator[Batch]:
    rng = random.Random(seed)
    stamp = loader.stamp
    numbers: dict[int, int] = {}
    place_cum = list(_cumulative(province.place_weights))
    category_cum = list(_cumulative(tax.weights))
    default_policy = tax.policies.get("") or next(iter(tax.policies.values()))
    batch = Batch()
    for n, registered in enumerate(registration_times(total, now, rng)):
        pk = first_id + n
        year = time.gmtime(registered + 8 * 3600).tm_year
        numbers[year] = numbers.get(year, 0) + 1
        place_pk, place_path, _level, township = province.places[_bisect(place_cum, rng.random() * place_cum[-1])]
        kind = _pick(rng, KINDS)
        channel = _pick(rng, CHANNELS[kind])
        category = tax.categories[_bisect(category_cum, rng.random() * category_cum[-1])]
        policy_pk, accept_days, handle_days = tax.policies.get(kind, default_policy)
        responsible = (
            rng.choice(province.township_departments[township])
            if rng.random() < 0.3
            else province.township_committee[township]
        )
        persons = rng.randint(5, 40) if kind == "petition" and rng.random() < 0.05 else 1
        anonymous = channel not in FOUND_BY_STAFF and rng.random() < 0.05
        difficult = rng.random() < 0.02
        urgent = rng.random() < 0.01
        acceptance_due = registered + accept_days * DAY
        phrase = rng.choice(PHRASES)
        title = phrase[:12]
        description = "，".join(rng.sample(PHRASES, 3)) + "，请有关部门尽快处理。"
        events: list[tuple[Any, ...]] = [
            (pk, stamp(registered), "register", None, None, "", "registered", "", True, "{}")
        ]
        accepted = replied = resolved = closed = handling_due = current_due = None
        state, feedback, backlog = "registered", "", False
        if rng.random() < 0.04:  # not accepted: outside the remit, or already settled
            decided = registered + rng.uniform(0.1, accept_days) * DAY
            if decided <= now:
                state, closed = "declined", decided
                events.append(
                    (pk, stamp(decided), "decline", None, responsible, "registered", "declined", "", True, "{}")
                )
        else:
            decided = registered + min(rng.lognormvariate(0, 1), accept_days) * DAY
            if decided <= now:
                state, accepted = "accepted", decided
                handling_due = accepted + handle_days * DAY
                events.append(
                    (pk, stamp(accepted), "accept", None, responsible, "registered", "accepted", "", True, "{}")
                )
                # Handling: log-normal around eight days; one case in thirty drags on for months.
                if rng.random() < 1 / 30:
                    takes = rng.uniform(handle_days, handle_days + 400)
                else:
                    takes = rng.lognormvariate(math.log(8), 0.8)
                done = accepted + takes * DAY
                if done <= now:
                    state, replied, resolved = "resolved", done - 3600, done
                    backlog = resolved > handling_due
                    events.append(
                        (pk, stamp(resolved), "resolve", None, responsible, "in_progress", "resolved", "", True, "{}")
                    )
                    verdict_at = resolved + rng.uniform(0.5, 10) * DAY
                    if verdict_at <= now:
                        r = rng.random()
                        feedback = "satisfied" if r < 0.8 else "basically_satisfied" if r < 0.92 else "unsatisfied"
                        state, closed = "closed", verdict_at
                        events.append((pk, stamp(closed), "close", None, None, "resolved", "closed", "", True, "{}"))
                else:
                    state = "in_progress"
                    current_due = handling_due
        if state == "registered":
            current_due = acceptance_due
        last_change = closed or resolved or accepted or registered
        batch.cases.append(
            (
                pk,
                f"{year}{numbers[year]:07d}",
                kind,
                channel,
                state,
                len(events),
                title,
                description,
                category,
                place_pk,
                place_path,
                "",
                None,
                None,
                persons,
                anonymous,
                difficult,
                urgent,
                responsible,
                policy_pk,
                stamp(registered),
                stamp(accepted),
                stamp(replied),
                stamp(resolved),
                stamp(closed),
                stamp(acceptance_due),
                stamp(handling_due),
                None,
                stamp(current_due),
                0,
                None,
                feedback,
                stamp(closed) if feedback else None,
                0,
                "",
                None,
                "",
                None,
                backlog,
                None,
                None,
                None,
                0,
                None,
                stamp(last_change),
            )
        )
        batch.events.extend(events)
        if not anonymous and channel not in FOUND_BY_STAFF:
            batch.petitioners.append((pk, name(rng, ""), f"13{rng.randrange(10**9):09d}", "", "", persons > 1))
        if accepted is not None:
            batch.assignments.append(
                (
                    pk,
                    responsible,
                    None,
                    "assign" if responsible in province.township_departments[township] else "forward",
                    "reported" if resolved else "open",
                    stamp(handling_due),
                    "",
                    stamp(accepted),
                )
            )
        if len(batch.cases) >= 50_000:
            yield batch
            batch = Batch()
    yield batch
    set_counters(numbers)


def registration_times(total: int, now: float, rng: random.Random) -> Iterator[float]:
    """``total`` moments over the five years up to ``now``, in order — ids and numbers rise
    with time, as they do in a live system. Ten per cent more a year, fewer at weekends,
    in office hours (08:00-20:00 Beijing time)."""
    today = now - (now + 8 * 3600) % DAY  # midnight in Beijing, as UTC
    days = YEARS * 365
    weights = []
    for d in range(days):
        midnight = today - (days - 1 - d) * DAY
        weekend = time.gmtime(midnight + 8 * 3600).tm_wday >= 5
        weights.append(1.1 ** (d / 365) * (0.4 if weekend else 1.0))
    whole = sum(weights)
    so_far = given = 0
    for d, weight in enumerate(weights):
        so_far += weight
        count = round(total * so_far / whole) - given  # cumulative: no rounding drift
        given += count
        midnight = today - (days - 1 - d) * DAY
        for hour in sorted(rng.uniform(8, 20) for _ in range(count)):
            yield min(midnight + hour * 3600, now - 1)


def set_counters(numbers: dict[int, int]) -> None:
    from grassroots.cases.models import CaseCounter

    for year, last in numbers.items():
        counter, _created = CaseCounter.objects.get_or_create(year=year)
        CaseCounter.objects.filter(pk=year).update(last=max(counter.last, last))


def _cumulative(weights: list[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


def _bisect(cumulative: list[float], x: float) -> int:
    import bisect

    return min(bisect.bisect_right(cumulative, x), len(cumulative) - 1)


def load_cases(loader: Loader, province: Province, total: int, now: float, seed: int) -> None:
    from grassroots.shards import of_path

    tables = ["cases_case", "cases_caseevent", "cases_petitioner", "cases_assignment"]
    shard = of_path(province.places[0][1])
    tax = taxonomy()
    first_id = loader.next_id("cases_case")
    indexes = loader.drop_indexes(tables)
    started = time.perf_counter()
    done = 0
    for batch in case_batches(loader, province, tax, total, first_id, now, seed):
        # One province: every row is on its shard (grassroots.shards), the province's segment.
        loader.load("cases_case", (*CASE_COLUMNS, "shard"), ((*row, shard) for row in batch.cases))
        loader.load("cases_caseevent", (*EVENT_COLUMNS, "shard"), ((*row, shard) for row in batch.events))
        loader.load("cases_petitioner", (*PETITIONER_COLUMNS, "shard"), ((*row, shard) for row in batch.petitioners))
        loader.load("cases_assignment", (*ASSIGNMENT_COLUMNS, "shard"), ((*row, shard) for row in batch.assignments))
        done += len(batch.cases)
        if done % 1_000_000 < 50_000:
            rate = done / (time.perf_counter() - started)
            print(f"  {done:,} cases ({rate:,.0f} a second with their timelines)", flush=True)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    loader.build_indexes(indexes)
    print(f"  loaded {done:,} cases in {loaded:.0f} s; indexes built in {time.perf_counter() - started:.0f} s")
    loader.reset_sequences(tables)


def load_activities(loader: Loader, province: Province, now: float, rng: random.Random) -> int:
    """Grid meetings every quarter in each village, a leader's reception day and an outreach
    lecture each month in each township: the activity figures of the dashboard."""
    from grassroots.shards import of_path

    begin = now - YEARS * 365 * DAY
    stamp = loader.stamp
    columns = (
        "kind",
        "state",
        "title",
        "starts_at",
        "ends_at",
        "unit_id",
        "unit_path",
        "place",
        "organisation_id",
        "leader_id",
        "team_id",
        "topic",
        "minutes",
        "outcome",
        "batches",
        "persons",
        "schedule_id",
        "slot_minutes",
        "created_by_id",
        "created_at",
        "shard",
    )

    def rows() -> Iterator[tuple[Any, ...]]:
        for month in range(YEARS * 12):
            at = begin + month * 30.4 * DAY
            for index, (pk, path) in enumerate(province.township_units):
                org = province.township_committee[index]
                day = at + rng.randrange(28) * DAY + 9 * 3600 - 8 * 3600
                batches = rng.randint(3, 30)
                yield (
                    "reception_day",
                    "held",
                    "领导接访日",
                    stamp(day),
                    stamp(day + 3 * 3600),
                    pk,
                    path,
                    "",
                    org,
                    None,
                    None,
                    "",
                    "",
                    "",
                    batches,
                    batches + rng.randint(0, 20),
                    None,
                    None,
                    None,
                    stamp(day),
                    of_path(path),
                )
                yield (
                    "outreach",
                    "held",
                    "政策宣讲",
                    stamp(day + DAY),
                    stamp(day + DAY + 7200),
                    pk,
                    path,
                    "",
                    org,
                    None,
                    None,
                    "",
                    "",
                    "",
                    0,
                    rng.randint(20, 200),
                    None,
                    None,
                    None,
                    stamp(day),
                    of_path(path),
                )
            if month % 3 == 0:
                for pk, path, index in province.village_units:
                    day = at + rng.randrange(80) * DAY + 11 * 3600
                    org = province.township_committee[index]
                    yield (
                        "grid_meeting",
                        "held",
                        "网格议事会",
                        stamp(day),
                        stamp(day + 5400),
                        pk,
                        path,
                        "",
                        org,
                        None,
                        None,
                        "",
                        "",
                        "",
                        0,
                        rng.randint(8, 40),
                        None,
                        None,
                        None,
                        stamp(day),
                        of_path(path),
                    )

    return loader.load("activities_activity", columns, rows())


def benchmark_logins(province: Province) -> None:
    """One petition-office login at the province, a county and a street."""
    from grassroots.accounts.choices import Role
    from grassroots.accounts.models import User
    from grassroots.accounts.services import create_login
    from grassroots.org.models import Organisation, Person, Post, Unit

    for username, level in (("bench-province", 1), ("bench-county", 3), ("bench-street", 4)):
        if User.objects.filter(username=username).exists():
            continue
        unit = Unit.objects.filter(level=level, code__startswith="B9").order_by("path").first()
        assert unit is not None
        org = Organisation.objects.get(unit=unit, coordinates_unit=True)
        person = Person.objects.create(unit=unit, code=f"B-{username}", name=username)
        Post.objects.create(person=person, organisation=org, title="信访专干", started_on=date(2020, 1, 1))
        create_login(username, actor=None, password=BENCH_PASSWORD, person=person, roles=[Role.PETITION_STAFF])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--preset", choices=sorted(PRESETS), default="province")
    parser.add_argument("--cases", type=int, help="override the preset's number of cases")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    preset = PRESETS[args.preset]
    total = args.cases if args.cases is not None else preset.cases

    from bench.common import use_database

    use_database(args.database_url)
    from grassroots.org.models import Unit

    if Unit.objects.filter(code="B90000000000").exists():
        raise SystemExit("this database already holds the benchmark province; use a fresh one")
    loader = Loader()
    loader.fast()
    rng = random.Random(args.seed)
    now = datetime.now(UTC).timestamp()
    started = time.perf_counter()
    print(f"building the {args.preset} preset on {loader.vendor}")
    province = build_territory(loader, preset, rng)
    print(f"  {load_activities(loader, province, now, rng):,} activities")
    load_cases(loader, province, total, now, args.seed)
    benchmark_logins(province)
    loader.analyse(
        ["cases_case", "cases_caseevent", "cases_petitioner", "cases_assignment", "activities_activity", "org_unit"]
    )
    print(f"generated in {time.perf_counter() - started:.0f} s")

    from grassroots.stats.rollups import rebuild

    started = time.perf_counter()
    seen = rebuild()
    print(f"stats rebuild: {seen:,} cases in {time.perf_counter() - started:.0f} s")
    from grassroots.stats import activity_days

    started = time.perf_counter()
    rows = activity_days.rebuild()
    print(f"activity days: {rows:,} rows in {time.perf_counter() - started:.0f} s")
    loader.analyse(["stats_casefact", "stats_caseday", "stats_rollup", "stats_activityday"])


if __name__ == "__main__":
    main()
