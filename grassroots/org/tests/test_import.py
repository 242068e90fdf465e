"""Imports are all-or-nothing, and every bad row is named with line, column and reason."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from grassroots.audit.models import AuditEntry
from grassroots.org.importers import (
    ImportFileError,
    import_enterprises,
    import_organisations,
    import_people,
    import_units,
)
from grassroots.org.models import Enterprise, Organisation, Person, Post, Unit

pytestmark = pytest.mark.django_db

UNITS_CSV = """code,name,name_en,level,parent_code
430723003000,澧澹街道,Lidan Street,township,430723000000
430723003001,荷花社区,Hehua Community,village,430723003000
43072300300101,荷花第一网格,Hehua Grid 1,grid,430723003001
"""


def csv_bytes(text: str) -> bytes:
    return text.encode("utf-8")


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def errors_of(call) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportFileError) as info:
        call()
    return [(e.line, e.column, e.reason) for e in info.value.errors]


def test_units_import_from_csv_builds_the_subtree_under_an_existing_unit(world):
    result = import_units(csv_bytes(UNITS_CSV), actor=world.admin)
    assert result.created == 3
    lidan = Unit.objects.get(code="430723003000")
    assert set(Unit.objects.within(lidan).values_list("code", flat=True)) == {
        "430723003000",
        "430723003001",
        "43072300300101",
    }
    assert lidan.is_within(world.county)
    assert AuditEntry.objects.filter(action="import", target_type="org.unit").exists()


def test_units_import_from_xlsx_accepts_chinese_level_names_and_rows_in_any_order(world):
    data = xlsx_bytes(
        [
            ["code", "name", "level", "parent_code"],
            ["43072300300101", "荷花第一网格", "网格", "430723003001"],
            ["430723003001", "荷花社区", "村（社区）", "430723003000"],
            ["430723003000", "澧澹街道", 4, "430723000000"],
        ]
    )
    assert import_units(data, actor=None).created == 3
    assert Unit.objects.get(code="43072300300101").parent.code == "430723003001"


def test_unknown_parent_duplicate_codes_and_bad_level_are_all_reported_and_nothing_is_written(world):
    before = Unit.objects.count()
    bad = """code,name,level,parent_code
430723003000,澧澹街道,township,430723000000
430723003000,重复街道,township,430723000000
430723001000,已存在,township,430723000000
430723003009,孤儿社区,village,999999999999
430723003010,错层,county,430723003000
"""
    errors = errors_of(lambda: import_units(csv_bytes(bad), actor=None))
    assert (3, "code", "duplicate code 430723003000 (also on line 2)") in errors
    assert (4, "code", "duplicate code 430723001000: it already exists") in errors
    assert (5, "parent_code", "unknown parent 999999999999") in errors
    assert (6, "level", "a County / district cannot sit under a Township / street") in errors
    assert Unit.objects.count() == before


def test_a_cycle_is_named_on_every_row_in_it(world):
    bad = """code,name,level,parent_code
A,甲,village,B
B,乙,village,A
C,丙,village,430723001000
"""
    errors = errors_of(lambda: import_units(csv_bytes(bad), actor=None))
    cycle_rows = sorted(line for line, column, reason in errors if reason.startswith("cycle"))
    assert cycle_rows == [2, 3]
    assert ("cycle: A → B → A") in {reason for _line, _col, reason in errors}
    assert not Unit.objects.filter(code="C").exists()


def test_missing_column_is_named(world):
    errors = errors_of(lambda: import_units(csv_bytes("code,name\nX,甲\n"), actor=None))
    assert errors == [(1, "level", "missing column (the file needs: code, name, level)")]


def test_bad_encoding_names_the_line(world):
    data = "code,name,level,parent_code\n430723003000,澧澹街道,township,430723000000\n".encode("gb18030")
    errors = errors_of(lambda: import_units(data, actor=None))
    assert errors[0][0] == 2 and errors[0][2].startswith("bad encoding")
    # With the right encoding the same file imports.
    assert import_units(data, actor=None, encoding="gb18030").created == 1


def test_a_file_that_is_not_a_workbook_is_refused(world):
    errors = errors_of(lambda: import_units(b"PK\x03\x04 definitely not a zip", actor=None))
    assert errors == [(0, "", "the file is not a readable xlsx workbook")]


def test_bad_boundary_is_reported(world):
    bad = 'code,name,level,parent_code,boundary\nX,甲,township,430723000000,"{""type"": ""Point""}"\n'
    errors = errors_of(lambda: import_units(csv_bytes(bad), actor=None))
    assert errors == [(2, "boundary", "The boundary must be a GeoJSON Polygon or MultiPolygon.")]


def test_organisations_import_checks_unit_kind_and_one_coordinator(world):
    bad = """code,name,kind,unit_code,coordinates_unit
new-1,新机构,department,430723001000,no
new-2,第二个党工委,party_working_committee,430723001000,yes
new-3,未知类型,club,430723001000,no
new-4,无处安放,department,123,maybe
"""
    errors = errors_of(lambda: import_organisations(csv_bytes(bad), actor=None))
    assert errors == [
        (3, "coordinates_unit", "unit 430723001000 already has a coordinating organisation"),
        (4, "kind", "unknown value 'club'"),
        (5, "coordinates_unit", "not yes or no: 'maybe'"),
        (5, "unit_code", "unknown unit 123"),
    ]
    assert not Organisation.objects.filter(code__startswith="new-").exists()
    good = "code,name,kind,unit_code\nnew-1,澧阳街道综治中心,service_centre,430723001000\n"
    assert import_organisations(csv_bytes(good), actor=None).created == 1


def test_enterprises_import(world):
    good = """code,name,unit_code,sector,above_designated_size
91430723MA4000009,澧县荷花食品有限公司,430723001001,manufacturing,是
"""
    assert import_enterprises(csv_bytes(good), actor=None).created == 1
    assert Enterprise.objects.get(code="91430723MA4000009").above_designated_size
    bad = "code,name,unit_code,sector\n91430723MA4000009,重复,430723001001,mining\n"
    assert errors_of(lambda: import_enterprises(csv_bytes(bad), actor=None)) == [
        (2, "code", "duplicate code 91430723MA4000009: it already exists")
    ]


def test_people_import_creates_posts_and_grid_places(world):
    good = """code,name,name_en,unit_code,rank,organisation_code,title,is_leader,started_on,grid_code
P-NEW-1,刘洋,Liu Yang,430723001000,township_section,liyang-pwc,党工委副书记,yes,2024-03-01,
P-NEW-2,赵敏,Zhao Min,430723001001,,,,,,43072300100101
"""
    result = import_people(csv_bytes(good), actor=None)
    assert (result.created, result.detail) == (2, {"posts": 1, "grid_members": 1})
    assert Post.objects.get(person__code="P-NEW-1").is_leader
    bad = """code,name,unit_code,organisation_code,title,started_on,grid_code
P-NEW-3,甲,430723001000,nope,,03/01/2024,
P-NEW-4,乙,430723001000,,,,430723001001
"""
    assert errors_of(lambda: import_people(csv_bytes(bad), actor=None)) == [
        (2, "organisation_code", "unknown organisation nope"),
        (2, "started_on", "not a date (YYYY-MM-DD): '03/01/2024'"),
        (2, "title", "required with an organisation"),
        (3, "grid_code", "unknown grid 430723001001"),
    ]
    assert not Person.objects.filter(code__in=["P-NEW-3", "P-NEW-4"]).exists()


def test_import_command_prints_every_problem_and_exits_non_zero(world, tmp_path, capsys):
    bad = tmp_path / "units.csv"
    bad.write_text("code,name,level,parent_code\nX,甲,village,nowhere\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import", "units", str(bad))
    assert "line 2, column parent_code: unknown parent nowhere" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_text(UNITS_CSV, encoding="utf-8")
    call_command("import", "units", str(good))
    assert "imported 3 units" in capsys.readouterr().out
