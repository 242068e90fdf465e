from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.audit.models import Action
from grassroots.audit.services import record
from grassroots.org.api.serializers import (
    EnterpriseSerializer,
    OrganisationSerializer,
    PersonSerializer,
    UnitSerializer,
)
from grassroots.org.filters import EnterpriseFilter, OrganisationFilter, PersonFilter, UnitFilter
from grassroots.org.models import Enterprise, Organisation, Person, Unit
from grassroots.web.api import ScopedReadOnlyViewSet


class UnitViewSet(ScopedReadOnlyViewSet):
    """Units of the territory tree the caller may see; ``within`` gives one subtree."""

    queryset = Unit.objects.select_related("parent")
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    ordering = "path"


class OrganisationViewSet(ScopedReadOnlyViewSet):
    queryset = Organisation.objects.select_related("unit")
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    ordering = "pk"


class EnterpriseViewSet(ScopedReadOnlyViewSet):
    queryset = Enterprise.objects.select_related("unit")
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilter
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    ordering = "pk"


class PersonViewSet(ScopedReadOnlyViewSet):
    """People; phone numbers are masked unless revealed (audited) by a role that may."""

    queryset = Person.objects.select_related("unit")
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    ordering = "pk"

    @extend_schema(request=None, responses=inline_serializer("RevealedPhone", {"phone": serializers.CharField()}))
    @action(detail=True, methods=["post"], url_path="reveal-phone")
    def reveal_phone(self, request: Request, code: str | None = None) -> Response:
        person = self.get_object()
        if not request.user.may_unmask:  # type: ignore[union-attr]  # IsAuthenticated: a real User
            raise NotFound
        with transaction.atomic():
            record(Action.READ, actor=request.user, target=person, detail={"fields": ["phone"]})
        return Response({"phone": person.phone})
