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
