"""Accounts: creating logins and granting roles, audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grassroots.accounts.choices import Role
from grassroots.accounts.models import RoleGrant, User
from grassroots.audit.models import Action
from grassroots.audit.services import record


@transaction.atomic
def create_login(
    username: str,
    *,
    actor: Any,
    password: str,
    person: Any = None,
    roles: list[Role] | tuple[Role, ...] = (),
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("The username {name} is taken.").format(name=username)})
    user = User(username=username, person=person, is_staff=is_staff or is_superuser, is_superuser=is_superuser)
    user.set_password(password)
    user.save()
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=role) for role in roles])
    record(Action.CREATE, actor=actor, target=user, detail={"roles": [str(r) for r in roles]})
    return user


@transaction.atomic
def grant_role(user: User, role: Role, *, actor: Any) -> None:
    RoleGrant.objects.get_or_create(user=user, role=role)
    record(Action.UPDATE, actor=actor, target=user, detail={"granted": str(role)})


# Failed logins within this window count towards a block; per account and per address.
LOGIN_WINDOW_MINUTES = 15
FAILURES_PER_ACCOUNT = 5
FAILURES_PER_ADDRESS = 20


def login_blocked(username: str, ip: str | None) -> str | None:
    """Why a login may not be tried now (too many recent failures), or None.

    Counted from the audit log's failed-login entries, so every app server sees the same."""
    from datetime import timedelta

    from django.db.models import Q

    from grassroots import clock
    from grassroots.audit.models import AuditEntry

    since = clock.now() - timedelta(minutes=LOGIN_WINDOW_MINUTES)
    recent = AuditEntry.objects.filter(action=Action.LOGIN_FAILED, at__gte=since)
    counts = recent.filter(Q(target_repr=username[:300]) | Q(ip=ip)).values_list("target_repr", "ip")
    per_account = per_address = 0
    for name, address in counts[: FAILURES_PER_ADDRESS + FAILURES_PER_ACCOUNT]:
        per_account += name == username
        per_address += ip is not None and address == ip
    if per_account >= FAILURES_PER_ACCOUNT:
        return _("Too many failed logins for this account. Try again in {n} minutes.").format(n=LOGIN_WINDOW_MINUTES)
    if per_address >= FAILURES_PER_ADDRESS:
        return _("Too many failed logins from this address. Try again in {n} minutes.").format(n=LOGIN_WINDOW_MINUTES)
    return None
