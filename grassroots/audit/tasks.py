from __future__ import annotations

from django_tasks import task

from grassroots.audit.chain import seal


@task()
def seal_audit_log() -> int:
    """Seal new audit entries into the hash chain (one sealer at a time, by row lock)."""
    return seal()
