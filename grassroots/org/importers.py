"""Importing units, organisations, enterprises and people from xlsx or CSV.

Every importer is all-or-nothing: it reads the whole file, checks every row against the
database and against the other rows, and writes only when no row has a problem. The
problems come back together, each with its line, column and reason, so a clerk can mend
the file in one pass.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from grassroots.audit.models import Action
from grassroots.audit.services import record
from grassroots.memo import forget_all
from grassroots.org.choices import GridRole, Level, OrganisationKind, Rank, Sector
from grassroots.org.models import Enterprise, GridMember, Organisation, Person, Post, Unit
from grassroots.org.paths import segment
from grassroots.org.services import validate_boundary

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    line: int  # 1 is the header row; 0 means the file as a whole
    column: str
    reason: str

    def __str__(self) -> str:
        if self.line == 0:
            return self.reason
        if not self.column:
            return _("line {line}: {reason}").format(line=self.line, reason=self.reason)
        return _("line {line}, column {column}: {reason}").format(
            line=self.line, column=self.column, reason=self.reason
        )


class ImportFileError(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class ImportResult:
    kind: str
    created: int
    detail: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()


# --- reading ----------------------------------------------------------------------------


def read_table(
    source: Path | bytes,
    *,
    required: Iterable[str],
    optional: Iterable[str] = (),
    fmt: str | None = None,
    encoding: str = "utf-8-sig",
) -> list[Row]:
    """The rows of the first sheet of an xlsx file or of a CSV file, keyed by header."""
    data = source.read_bytes() if isinstance(source, Path) else source
    if fmt is None:
        fmt = "xlsx" if data[:2] == b"PK" else "csv"
    header, body = _read_xlsx(data) if fmt == "xlsx" else _read_csv(data, encoding)
    columns = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in columns]
    if missing:
        raise ImportFileError(
            [
                RowError(1, c, _("missing column (the file needs: {columns})").format(columns=", ".join(required)))
                for c in missing
            ]
        )
    known = set(required) | set(optional)
    errors = [RowError(1, c, _("unknown column")) for c in columns if c and c not in known]
    if errors:
        raise ImportFileError(errors)
    rows = []
    for line, cells in body:
        if not any(str(c).strip() for c in cells):
            continue
        rows.append(Row(line, {col: _cell_text(cells[i]) if i < len(cells) else "" for i, col in enumerate(columns)}))
    return rows


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()[:10]
    return str(value)


def _read_csv(data: bytes, encoding: str) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            [
                RowError(
                    line,
                    "",
                    _(
                        "bad encoding: byte {offset} cannot be read as {encoding}; save the file as UTF-8 "
                        "or pass the right encoding"
                    ).format(offset=exc.start, encoding=encoding),
                )
            ]
        ) from None
    except LookupError:
        raise ImportFileError([RowError(0, "", _("unknown encoding {encoding}").format(encoding=encoding))]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError([RowError(0, "", _("the file is empty"))]) from None
    body = [(reader.line_num, row) for row in reader]
    return header, body


def _read_xlsx(data: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ImportFileError([RowError(0, "", _("the file is not a readable xlsx workbook"))]) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = [_cell_text(v) for v in next(rows)]
    except StopIteration:
        raise ImportFileError([RowError(0, "", _("the file is empty"))]) from None
    body = [(i, list(values)) for i, values in enumerate(rows, start=2)]
    book.close()
    return header, body


# --- parsing cells ------------------------------------------------------------------------


def _choice_lookup(choices: type[models.Choices]) -> dict[str, Any]:
    """Accept a choice by its value, its name, its English label or its Chinese label."""
    table: dict[str, Any] = {}
    for member in choices:
        table[member.name.lower()] = member.value
    for value, label in choices.choices:
        table[str(value).lower()] = value
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                table[str(label).strip().lower()] = value
    return table


_BOOL = {
    "1": True,
    "yes": True,
    "true": True,
    "y": True,
    "是": True,
    "0": False,
    "no": False,
    "false": False,
    "n": False,
    "否": False,
    "": False,
}


class RowChecker:
    """Collects the errors of one file while parsing its cells."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []

    def fail(self, row: Row, column: str, reason: str) -> None:
        self.errors.append(RowError(row.line, column, reason))

    def required(self, row: Row, column: str) -> str:
        value = row.get(column)
        if not value:
            self.fail(row, column, _("required"))
        return value

    def choice(self, row: Row, column: str, table: dict[str, Any], default: Any = None) -> Any:
        raw = row.get(column)
        if not raw and default is not None:
            return default
        value = table.get(raw.lower())
        if value is None:
            self.fail(row, column, _("unknown value {value!r}").format(value=raw))
        return value

    def boolean(self, row: Row, column: str) -> bool:
        raw = row.get(column).lower()
        if raw not in _BOOL:
            self.fail(row, column, _("not yes or no: {value!r}").format(value=raw))
            return False
        return _BOOL[raw]

    def day(self, row: Row, column: str) -> date | None:
        raw = row.get(column)
        if not raw:
            return None
        try:
            return date.fromisoformat(raw[:10])
        except ValueError:
            self.fail(row, column, _("not a date (YYYY-MM-DD): {value!r}").format(value=raw))
            return None

    def unique_codes(self, rows: list[Row], model: type[models.Model], column: str = "code") -> None:
        seen: dict[str, int] = {}
        for row in rows:
            code = row.get(column)
            if not code:
                continue
            if code in seen:
                self.fail(
                    row, column, _("duplicate code {code} (also on line {line})").format(code=code, line=seen[code])
                )
            seen[code] = row.line
        existing = set(model._default_manager.filter(code__in=list(seen)).values_list("code", flat=True))
        for row in rows:
            if row.get(column) in existing:
                self.fail(row, column, _("duplicate code {code}: it already exists").format(code=row.get(column)))

    def raise_if_any(self) -> None:
        if self.errors:
            self.errors.sort(key=lambda e: (e.line, e.column))
            raise ImportFileError(self.errors)


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress:
        progress(done, total)


# --- units --------------------------------------------------------------------------------

UNIT_COLUMNS = ["code", "name", "level"]
UNIT_OPTIONAL = ["name_en", "parent_code", "boundary"]


def import_units(
    source: Path | bytes,
    *,
    actor: Any,
    fmt: str | None = None,
    encoding: str = "utf-8-sig",
    progress: Progress | None = None,
) -> ImportResult:
    rows = read_table(source, required=UNIT_COLUMNS, optional=UNIT_OPTIONAL, fmt=fmt, encoding=encoding)
    check = RowChecker()
    check.unique_codes(rows, Unit)
    levels = _choice_lookup(Level) | {str(v): v for v in Level.values}
    by_code = {row.get("code"): row for row in rows if row.get("code")}
    parent_codes = {row.get("parent_code") for row in rows} - set(by_code) - {""}
    in_db = {u.code: u for u in Unit.objects.filter(code__in=parent_codes)}
    parsed: dict[str, dict[str, Any]] = {}
    for row in rows:
        code = check.required(row, "code")
        name = check.required(row, "name")
        level = check.choice(row, "level", levels)
        boundary = None
        if row.get("boundary"):
            try:
                boundary = json.loads(row.get("boundary"))
                validate_boundary(boundary)
            except json.JSONDecodeError:
                check.fail(row, "boundary", _("not valid JSON"))
            except Exception as exc:  # ValidationError: keep its message
                check.fail(row, "boundary", "; ".join(getattr(exc, "messages", [str(exc)])))
        parent_code = row.get("parent_code")
        if parent_code and parent_code not in by_code and parent_code not in in_db:
            check.fail(row, "parent_code", _("unknown parent {code}").format(code=parent_code))
        if code:
            parsed[code] = {
                "row": row,
                "name": name,
                "name_en": row.get("name_en"),
                "level": level,
                "parent_code": parent_code,
                "boundary": boundary,
            }
    _check_cycles(parsed, check)
    # Levels must descend: checked once parents are known, in file or in database.
    for item in parsed.values():
        parent_code = item["parent_code"]
        parent_unit = in_db.get(parent_code)
        parent_level: int | None = None
        if parent_code in parsed:
            parent_level = parsed[parent_code]["level"]
        elif parent_unit is not None:
            parent_level = parent_unit.level
        if parent_level is not None and item["level"] is not None and item["level"] <= parent_level:
            check.fail(
                item["row"],
                "level",
                _("a {level} cannot sit under a {parent}").format(
                    level=Level(item["level"]).label, parent=Level(parent_level).label
                ),
            )
    check.raise_if_any()

    total = len(parsed)
    with transaction.atomic():
        known: dict[str, Unit] = dict(in_db)
        pending = dict(parsed)
        done = 0
        while pending:
            # One generation at a time: rows whose parent is already in the database.
            ready = {c: i for c, i in pending.items() if not i["parent_code"] or i["parent_code"] in known}
            if not ready:  # unreachable after the cycle check; never spin
                raise ImportFileError([RowError(0, "", _("the parent chain of some rows cannot be resolved"))])
            units = [
                Unit(
                    code=c,
                    name=i["name"],
                    name_en=i["name_en"],
                    level=i["level"],
                    parent=known.get(i["parent_code"]),
                    boundary=i["boundary"],
                    path=f"~{c}",
                )
                for c, i in ready.items()
            ]
            Unit.objects.bulk_create(units, batch_size=2000)
            if any(u.pk is None for u in units):  # backends without RETURNING
                ids = dict(Unit.objects.filter(code__in=list(ready)).values_list("code", "pk"))
                for u in units:
                    u.pk = ids[u.code]
            for u in units:
                u.path = (u.parent.path if u.parent else "") + segment(u.pk)
                known[u.code] = u
            Unit.objects.bulk_update(units, ["path"], batch_size=2000)
            for c in ready:
                del pending[c]
            done += len(units)
            _report(progress, done, total)
        record(
            Action.IMPORT,
            actor=actor,
            target_type="org.unit",
            target_repr=_("{n} units").format(n=total),
            detail={"created": total},
        )
    return ImportResult("units", total)


def _check_cycles(parsed: dict[str, dict[str, Any]], check: RowChecker) -> None:
    """Rows whose parent chain, followed inside the file, comes back to themselves."""
    state: dict[str, int] = {}  # 1 = on the current chain, 2 = known to end outside the file
    for start in parsed:
        chain: list[str] = []
        code = start
        while code in parsed and state.get(code) is None:
            state[code] = 1
            chain.append(code)
            code = parsed[code]["parent_code"]
        if code in parsed and state.get(code) == 1:
            loop = chain[chain.index(code) :]
            for member in loop:
                check.fail(
                    parsed[member]["row"],
                    "parent_code",
                    _("cycle: {chain}").format(
                        chain=" → ".join([*loop[loop.index(member) :], *loop[: loop.index(member)], member])
                    ),
                )
        for member in chain:
            state[member] = 2


# --- organisations, enterprises, people ---------------------------------------------------


def _units_for(rows: list[Row], check: RowChecker, column: str = "unit_code") -> dict[str, Unit]:
    codes = {r.get(column) for r in rows} - {""}
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    for row in rows:
        code = check.required(row, column)
        if code and code not in units:
            check.fail(row, column, _("unknown unit {code}").format(code=code))
    return units


ORGANISATION_COLUMNS = ["code", "name", "kind", "unit_code"]
ORGANISATION_OPTIONAL = ["name_en", "coordinates_unit"]


def import_organisations(
    source: Path | bytes,
    *,
    actor: Any,
    fmt: str | None = None,
    encoding: str = "utf-8-sig",
    progress: Progress | None = None,
) -> ImportResult:
    rows = read_table(source, required=ORGANISATION_COLUMNS, optional=ORGANISATION_OPTIONAL, fmt=fmt, encoding=encoding)
    check = RowChecker()
    check.unique_codes(rows, Organisation)
    units = _units_for(rows, check)
    kinds = _choice_lookup(OrganisationKind)
    coordinated = set(
        Organisation.objects.filter(unit__in=units.values(), coordinates_unit=True).values_list("unit__code", flat=True)
    )
    objs = []
    for row in rows:
        coordinates = check.boolean(row, "coordinates_unit")
        unit_code = row.get("unit_code")
        if coordinates:
            if unit_code in coordinated:
                check.fail(
                    row,
                    "coordinates_unit",
                    _("unit {code} already has a coordinating organisation").format(code=unit_code),
                )
            coordinated.add(unit_code)
        objs.append(
            Organisation(
                code=check.required(row, "code"),
                name=check.required(row, "name"),
                name_en=row.get("name_en"),
                kind=check.choice(row, "kind", kinds),
                unit=units.get(unit_code),
                coordinates_unit=coordinates,
            )
        )
    check.raise_if_any()
    return _bulk_insert("organisations", Organisation, objs, actor, progress)


ENTERPRISE_COLUMNS = ["code", "name", "unit_code", "sector"]
ENTERPRISE_OPTIONAL = ["name_en", "above_designated_size"]


def import_enterprises(
    source: Path | bytes,
    *,
    actor: Any,
    fmt: str | None = None,
    encoding: str = "utf-8-sig",
    progress: Progress | None = None,
) -> ImportResult:
    rows = read_table(source, required=ENTERPRISE_COLUMNS, optional=ENTERPRISE_OPTIONAL, fmt=fmt, encoding=encoding)
    check = RowChecker()
    check.unique_codes(rows, Enterprise)
    units = _units_for(rows, check)
    sectors = _choice_lookup(Sector)
    objs = [
        Enterprise(
            code=check.required(row, "code"),
            name=check.required(row, "name"),
            name_en=row.get("name_en"),
            unit=units.get(row.get("unit_code")),
            sector=check.choice(row, "sector", sectors),
            above_designated_size=check.boolean(row, "above_designated_size"),
        )
        for row in rows
    ]
    check.raise_if_any()
    return _bulk_insert("enterprises", Enterprise, objs, actor, progress)


PEOPLE_COLUMNS = ["code", "name", "unit_code"]
PEOPLE_OPTIONAL = [
    "name_en",
    "rank",
    "phone",
    "organisation_code",
    "title",
    "title_en",
    "is_leader",
    "started_on",
    "grid_code",
    "grid_role",
]


def import_people(
    source: Path | bytes,
    *,
    actor: Any,
    fmt: str | None = None,
    encoding: str = "utf-8-sig",
    progress: Progress | None = None,
) -> ImportResult:
    """People, each optionally with a post in an organisation and a place in a grid."""
    rows = read_table(source, required=PEOPLE_COLUMNS, optional=PEOPLE_OPTIONAL, fmt=fmt, encoding=encoding)
    check = RowChecker()
    check.unique_codes(rows, Person)
    units = _units_for(rows, check)
    ranks = _choice_lookup(Rank)
    grid_roles = _choice_lookup(GridRole)
    org_codes = {r.get("organisation_code") for r in rows} - {""}
    orgs = {o.code: o for o in Organisation.objects.filter(code__in=org_codes)}
    grid_codes = {r.get("grid_code") for r in rows} - {""}
    grids = {g.code: g for g in Unit.objects.filter(code__in=grid_codes, level=Level.GRID)}
    today = timezone.localdate()
    people: list[Person] = []
    posts: list[tuple[int, dict[str, Any]]] = []
    memberships: list[tuple[int, dict[str, Any]]] = []
    for row in rows:
        person = Person(
            code=check.required(row, "code"),
            name=check.required(row, "name"),
            name_en=row.get("name_en"),
            unit=units.get(row.get("unit_code")),
            rank=check.choice(row, "rank", ranks, default=Rank.NONE),
            phone=row.get("phone"),
        )
        people.append(person)
        started = check.day(row, "started_on") or today
        org_code = row.get("organisation_code")
        if org_code:
            if org_code not in orgs:
                check.fail(row, "organisation_code", _("unknown organisation {code}").format(code=org_code))
            if not row.get("title"):
                check.fail(row, "title", _("required with an organisation"))
            posts.append(
                (
                    len(people) - 1,
                    {
                        "organisation": orgs.get(org_code),
                        "title": row.get("title"),
                        "title_en": row.get("title_en"),
                        "is_leader": check.boolean(row, "is_leader"),
                        "started_on": started,
                    },
                )
            )
        grid_code = row.get("grid_code")
        if grid_code:
            if grid_code not in grids:
                check.fail(row, "grid_code", _("unknown grid {code}").format(code=grid_code))
            memberships.append(
                (
                    len(people) - 1,
                    {
                        "grid": grids.get(grid_code),
                        "started_on": started,
                        "role": check.choice(row, "grid_role", grid_roles, default=GridRole.FULL_TIME),
                    },
                )
            )
    check.raise_if_any()
    with transaction.atomic():
        result = _bulk_insert("people", Person, people, actor, progress)
        Post.objects.bulk_create([Post(person=people[i], **kw) for i, kw in posts], batch_size=2000)
        GridMember.objects.bulk_create([GridMember(person=people[i], **kw) for i, kw in memberships], batch_size=2000)
    result.detail = {"posts": len(posts), "grid_members": len(memberships)}
    return result


def _bulk_insert(
    kind: str, model: type[models.Model], objs: list[Any], actor: Any, progress: Progress | None
) -> ImportResult:
    total = len(objs)
    with transaction.atomic():
        for start in range(0, total, 2000):
            model._default_manager.bulk_create(objs[start : start + 2000])
            _report(progress, min(start + 2000, total), total)
        record(
            Action.IMPORT,
            actor=actor,
            target_type=model._meta.label_lower,
            target_repr=f"{total} {kind}",
            detail={"created": total},
        )
        # bulk_create sends no signals: a new coordinating organisation must not wait out the memo
        transaction.on_commit(forget_all)
    return ImportResult(kind, total)


IMPORTERS: dict[str, Callable[..., ImportResult]] = {
    "units": import_units,
    "organisations": import_organisations,
    "enterprises": import_enterprises,
    "people": import_people,
}
