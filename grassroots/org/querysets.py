"""Querysets of the org context. ``visible_to(user)`` is the one data-scope filter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar

from django.db import models

from grassroots.org.paths import within_q

if TYPE_CHECKING:
    from grassroots.org.models import Unit


class ScopedUser(Protocol):
    """What the data scope needs to know of a user (accounts.User provides it)."""

    is_authenticated: bool

    def scope_paths(self) -> list[str] | None:
        """Unit paths the user may see the subtrees of; ``None`` means everything."""


_M = TypeVar("_M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[_M]):
    """A queryset whose rows belong to a unit, reached through ``scope_field``."""

    scope_field = "unit__path"

    def visible_to(self, user: Any) -> Self:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        paths = user.scope_paths()
        if paths is None:
            return self
        return self.filter(within_q(self.scope_field, paths))

    def within(self, unit: Unit) -> Self:
        if unit.parent_id is None and is_whole_tree(unit.path):
            return self  # every row passes; see is_whole_tree
        return self.filter(within_q(self.scope_field, [unit.path]))


def is_whole_tree(path: str) -> bool:
    """Whether the subtree at ``path`` is every unit there is (the top of the only tree).

    Said so, a province's lists carry no subtree filter that every row passes — a filter
    SQLite answers by sorting millions of cases to list the newest fifty."""
    from grassroots.org.models import Unit

    return list(Unit.objects.filter(parent__isnull=True).values_list("path", flat=True)[:2]) == [path]


class UnitQuerySet(ScopedQuerySet["Unit"]):
    scope_field = "path"


class OrganisationQuerySet(ScopedQuerySet[Any]):
    pass


class EnterpriseQuerySet(ScopedQuerySet[Any]):
    pass


class PersonQuerySet(ScopedQuerySet[Any]):
    pass


class TeamQuerySet(ScopedQuerySet[Any]):
    pass


class PostQuerySet(ScopedQuerySet[Any]):
    scope_field = "organisation__unit__path"

    def active(self, on: Any = None) -> PostQuerySet:
        from django.utils import timezone

        day = on or timezone.localdate()
        return self.filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=day), started_on__lte=day)


class GridMemberQuerySet(PostQuerySet):
    scope_field = "grid__path"


class PostingQuerySet(PostQuerySet):
    scope_field = "village__path"
