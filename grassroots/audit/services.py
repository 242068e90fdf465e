"""Writing audit entries. Callers are services, inside their own transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from grassroots.audit.context import current_origin
from grassroots.audit.models import Action, AuditEntry


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
    origin = current_origin()
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
        target_repr = str(target)[:300]
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_name=(user.get_username() if user else "")[:150],
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr,
        detail=detail or {},
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
