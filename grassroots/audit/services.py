"""Writing audit entries. Callers are services, inside their own transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models

from grassroots.audit.context import Origin, acting_user, current_origin
from grassroots.audit.models import Action, AuditEntry


@dataclass(frozen=True)
class Entry:
    """One audit entry to write with :func:`record_all`."""

    actor: Any
    target: models.Model
    detail: dict[str, Any] = field(default_factory=dict)
    origin: Origin | None = None  # where the act came from, when not the current context


def record(
    action: Action | str,
    *,
    actor: Any,
    target: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    target_type: str = "",
    target_id: str = "",
    target_repr: str = "",
) -> AuditEntry:
    """Append one audit entry for ``actor`` doing ``action`` to ``target``."""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
        target_repr = str(target)[:300]
    entry = _entry(action, actor, current_origin(), detail or {}, target_type, target_id, target_repr)
    entry.save(force_insert=True)
    return entry


def record_all(action: Action | str, entries: list[Entry]) -> list[AuditEntry]:
    """Append the entries of one act done to many targets, in one statement."""
    here = current_origin()
    return AuditEntry.objects.bulk_create(
        [
            _entry(
                action,
                e.actor,
                e.origin or here,
                e.detail,
                e.target._meta.label_lower,
                str(e.target.pk),
                str(e.target)[:300],
            )
            for e in entries
        ]
    )


def _entry(
    action: Action | str,
    actor: Any,
    origin: Origin,
    detail: dict[str, Any],
    target_type: str,
    target_id: str,
    target_repr: str,
) -> AuditEntry:
    user = acting_user(actor)
    return AuditEntry(
        actor=user,
        actor_name=(user.get_username() if user else "")[:150],
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr,
        detail=detail,
        ip=origin.ip,
        user_agent=origin.user_agent,
        channel=origin.channel,
    )


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field → [old, new] for the fields that differ, as JSON-safe strings."""
    return {key: [_plain(before.get(key)), _plain(value)] for key, value in after.items() if before.get(key) != value}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)
