"""The case list's filters: one filterset for the queue pages, the API and the exports."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.cases.choices import CaseKind, Channel, State
from grassroots.cases.models import Case, Category
from grassroots.cases.querysets import text_matches
from grassroots.org.models import Unit


class CaseFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=State.choices, label=_("state"))
    kind = django_filters.ChoiceFilter(choices=CaseKind.choices, label=_("kind"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("channel"))
    category = django_filters.CharFilter(
        method="filter_category", label=_("category code (a group covers its sub-categories)")
    )
    within = django_filters.CharFilter(method="filter_within", label=_("within unit (division code)"))
    responsible = django_filters.CharFilter(field_name="responsible__code", label=_("responsible organisation code"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("open"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue"))
    backlog = django_filters.BooleanFilter(method="filter_backlog", label=_("backlog"))
    difficult = django_filters.BooleanFilter(field_name="is_difficult", label=_("difficult and complex"))
    urgent = django_filters.BooleanFilter(field_name="is_urgent", label=_("urgent"))
    registered_from = django_filters.DateFilter(method="filter_registered_from", label=_("registered on or after"))
    registered_to = django_filters.DateFilter(method="filter_registered_to", label=_("registered on or before"))
    q = django_filters.CharFilter(method="filter_text", label=_("search (number, title, description)"))

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_category(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        category = Category.objects.filter(code=value).first()
        if category is None:
            return queryset.none()
        return queryset.filter(Q(category=category) | Q(category__parent=category))

    def filter_within(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        user = getattr(self.request, "user", None)
        unit = Unit.objects.visible_to(user).filter(code=value).first()
        if unit is None:
            return queryset.none()
        within: QuerySet[Case] = queryset.within(unit)  # type: ignore[attr-defined]  # a CaseQuerySet
        return within

    def filter_open(self, queryset: Any, name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        return queryset.open() if value else queryset.exclude(pk__in=queryset.open().values("pk"))

    def filter_overdue(self, queryset: Any, name: str, value: bool | None) -> Any:
        return queryset.overdue() if value else queryset

    def filter_backlog(self, queryset: Any, name: str, value: bool | None) -> Any:
        return queryset.backlog() if value else queryset

    # Local days as a range of moments, not the date of each row: the database can then use
    # the order of registration instead of converting every case's time zone.
    def filter_registered_from(self, queryset: QuerySet[Case], name: str, value: date) -> QuerySet[Case]:
        return queryset.filter(registered_at__gte=_midnight(value))

    def filter_registered_to(self, queryset: QuerySet[Case], name: str, value: date) -> QuerySet[Case]:
        return queryset.filter(registered_at__lt=_midnight(value + timedelta(days=1)))

    def filter_text(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(text_matches(value))


def without(query: Any, name: str) -> Any:
    """The query parameters but ``name``: the other filters of a list whose text is walked."""
    rest = query.copy()
    rest.pop(name, None)
    return rest


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
