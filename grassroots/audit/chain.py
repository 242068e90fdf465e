"""The audit log's hash chain: each sealed entry carries a hash over its own content and
the previous entry's hash, so an edited or deleted entry breaks the chain from there on.

Entries are written by services without a hash (appending to a chain inside every
transaction would serialise all writes) and sealed in commit order by :func:`seal`, run
every minute as a task; one sealer at a time holds the chain head's row lock. The order of
the chain is the order of sealing (``seq``), so an entry whose transaction committed late
is sealed in a later round, never skipped.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction

from grassroots.audit.models import AuditEntry, ChainHead

GENESIS = "0" * 64
HEAD = "audit"


def digest(entry: AuditEntry, seq: int, previous: str) -> str:
    """The hash of ``entry`` at place ``seq`` after an entry hashed ``previous``."""
    content = {
        "seq": seq,
        "id": entry.pk,
        "at": entry.at.isoformat(),
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target_repr": entry.target_repr,
        "detail": entry.detail,
        "ip": entry.ip,
        "user_agent": entry.user_agent,
        "channel": entry.channel,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((previous + canonical).encode()).hexdigest()


def seal(batch: int = 5000) -> int:
    """Seal the entries not yet in the chain, oldest first; returns how many."""
    sealed = 0
    while True:
        with transaction.atomic():
            head, _created = ChainHead.objects.select_for_update().get_or_create(name=HEAD)
            pending = list(AuditEntry.objects.filter(seq__isnull=True).order_by("id")[:batch])
            if not pending:
                return sealed
            seq, previous = head.seq, head.hash
            for entry in pending:
                seq += 1
                entry.seq, entry.hash = seq, digest(entry, seq, previous)
                previous = entry.hash
            AuditEntry.objects.bulk_update(pending, ["seq", "hash"], batch_size=1000)
            ChainHead.objects.filter(pk=HEAD).update(seq=seq, hash=previous)
            sealed += len(pending)


@dataclass(frozen=True)
class Verdict:
    checked: int
    unsealed: int
    broken_at: AuditEntry | None = None
    missing_seq: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None and self.missing_seq is None and not self.reason


def verify(chunk: int = 5000) -> Verdict:
    """Walk the chain in order and recompute every hash; the first entry that does not
    match (edited), the first place with no entry (deleted), or a head that does not
    match the last entry (cut off at the end)."""
    previous, expected, checked, last_seq = GENESIS, 1, 0, 0
    while True:
        entries = list(AuditEntry.objects.filter(seq__gte=expected).order_by("seq")[:chunk])
        for entry in entries:
            if entry.seq != expected:
                return Verdict(checked, _unsealed(), missing_seq=expected, reason=f"entry {expected} is missing")
            if digest(entry, expected, previous) != entry.hash:
                return Verdict(checked, _unsealed(), broken_at=entry, reason=f"entry {expected} was changed")
            previous, expected, checked, last_seq = entry.hash, expected + 1, checked + 1, entry.seq or 0
        if len(entries) < chunk:
            break
    head = ChainHead.objects.filter(pk=HEAD).first()
    if head is not None and (head.seq != last_seq or head.hash != previous):
        return Verdict(
            checked,
            _unsealed(),
            missing_seq=last_seq + 1,
            reason=f"the chain ends at {last_seq}, its head at {head.seq}",
        )
    return Verdict(checked, _unsealed())


def _unsealed() -> int:
    return AuditEntry.objects.filter(seq__isnull=True).count()
