"""One filterset per list; the pages, the API and the exports share them."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from grassroots.org.choices import Level, OrganisationKind, Rank, Sector
from grassroots.org.models import Enterprise, Organisation, Person, Unit
from grassroots.org.paths import within_q


class WithinFilterSet(django_filters.FilterSet):
    """``within=<division code>``: only rows in that unit's subtree (the unit included).
    A unit the caller cannot see behaves like one that does not exist: no rows."""

    within = django_filters.CharFilter(method="filter_within", label=_("within unit (division code)"))
    scope_field = "unit__path"

    def filter_within(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        unit = Unit.objects.visible_to(self.request.user).filter(code=value).first() if self.request else None
        if unit is None:
            return queryset.none()
        return queryset.filter(within_q(self.scope_field, [unit.path]))


class UnitFilter(WithinFilterSet):
    scope_field = "path"
    level = django_filters.TypedChoiceFilter(choices=Level.choices, coerce=int)

    class Meta:
        model = Unit
        fields = ["level", "code"]


class OrganisationFilter(WithinFilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)

    class Meta:
        model = Organisation
        fields = ["kind", "coordinates_unit"]


class EnterpriseFilter(WithinFilterSet):
    sector = django_filters.ChoiceFilter(choices=Sector.choices)

    class Meta:
        model = Enterprise
        fields = ["sector", "above_designated_size"]


class PersonFilter(WithinFilterSet):
    rank = django_filters.ChoiceFilter(choices=Rank.choices)

    class Meta:
        model = Person
        fields = ["rank"]
