"""The audit log cannot be quietly edited: every entry is chained to the one before by a
hash, and the verify command names the first broken entry."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from grassroots.audit.chain import seal, verify
from grassroots.audit.models import Action, AuditEntry
from grassroots.audit.services import record

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()


def test_sealed_entries_verify_and_an_edit_or_a_deletion_is_named(world):
    # The world's own set-up wrote entries already; add some of every kind.
    for n in range(20):
        record(Action.READ, actor=world.county_staff, target=world.changlin, detail={"n": n, "fields": ["phone"]})
    total = AuditEntry.objects.count()
    assert verify().unsealed == total
    assert "sealed" in run("seal") and seal() == 0  # nothing twice
    assert run("verify").startswith(f"intact: {total} entries")

    record(Action.EXPORT, actor=world.street_staff, target_type="cases.case", target_repr="3 cases")
    assert "1 not sealed yet" in run("verify")
    seal()

    victim = AuditEntry.objects.filter(action=Action.READ).order_by("seq")[5]
    AuditEntry.objects.filter(pk=victim.pk).update(actor_name="someone else")  # a quiet edit
    with pytest.raises(CommandError, match=f"entry {victim.seq} was changed.*id {victim.pk}"):
        run("verify")
    AuditEntry.objects.filter(pk=victim.pk).update(actor_name=victim.actor_name)
    assert verify().intact

    gone = AuditEntry.objects.order_by("seq")[3]
    AuditEntry.objects.filter(pk=gone.pk).delete()
    with pytest.raises(CommandError, match=f"entry {gone.seq} is missing"):
        run("verify")


def test_cutting_off_the_newest_entries_is_found(world):
    seal()
    last = AuditEntry.objects.order_by("-seq").first()
    AuditEntry.objects.filter(pk=last.pk).delete()
    verdict = verify()
    assert not verdict.intact and "the chain ends at" in verdict.reason
