"""Backup and restore round trip, on whichever database the suite runs on: what was there
at the backup is there again after the restore, uploaded files included."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from grassroots.cases import services as cases
from grassroots.cases.models import Case
from grassroots.cases.services import PetitionerData


@pytest.mark.django_db(transaction=True)  # a restore replaces tables: no test transaction around it
def test_a_backup_restores_the_cases_and_the_files(world, tmp_path: Path):
    case = cases.register_case(
        actor=world.county_staff,
        kind="petition",
        channel="letter",
        unit=world.changlin,
        title="备份前的诉求",
        description="恢复后必须还在。",
        petitioners=[PetitionerData(name="赵六", phone="13800000000")],
    )
    upload = Path(settings.MEDIA_ROOT) / "reports" / "evidence.png"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(b"\x89PNG\r\n\x1a\nphoto")
    archive = tmp_path / "site.tar.gz"
    out = StringIO()
    call_command("backup", str(archive), stdout=out)
    assert "cases_case 1" in out.getvalue()
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(archive))

    cases.withdraw_case(case, actor=world.county_staff, reason="备份之后的变化")
    upload.unlink()

    call_command("restore", str(archive), "--yes", stdout=out)
    restored = Case.objects.get(number=case.number)
    assert restored.state == "registered" and restored.petitioners.get().phone == "13800000000"
    assert restored.events.count() == 1
    assert upload.read_bytes() == b"\x89PNG\r\n\x1a\nphoto"

    bogus = tmp_path / "not-a-backup.tar.gz"
    import tarfile

    with tarfile.open(bogus, "w:gz"):
        pass
    with pytest.raises(CommandError, match="not a grassroots backup"):
        call_command("restore", str(bogus), "--yes")
