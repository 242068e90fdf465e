from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.activities import services
from grassroots.activities.api import serializers as s
from grassroots.activities.models import Activity, Appointment
from grassroots.cases.api.serializers import CaseDetailSerializer
from grassroots.cases.models import Case
from grassroots.cases.services import PetitionerData


def _visible_case(request: Request, number: str) -> Case:
    case = Case.objects.visible_to(request.user).filter(number=number).first()
    if case is None:
        raise ValidationError({"case": [f"No case {number} that you can see."]})
    return case


class ActivityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[Activity]
):
    """Activities in the caller's units; filter with ``kind`` and ``within`` (a unit code)."""

    ordering = "-id"

    def get_queryset(self) -> Any:
        qs = Activity.objects.visible_to(self.request.user).select_related("unit", "organisation", "leader")
        kind = self.request.query_params.get("kind")
        if kind:
            qs = qs.filter(kind=kind)
        within = self.request.query_params.get("within")
        if within:
            from grassroots.org.models import Unit

            unit = Unit.objects.visible_to(self.request.user).filter(code=within).first()
            qs = qs.within(unit) if unit else qs.none()
        if self.action == "retrieve":
            qs = qs.prefetch_related("participants", "case_links__case", "appointments__case")
        return qs

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve":
            return s.ActivityDetailSerializer
        if self.action == "create":
            return s.ActivityInput
        if self.action in ("hold", "cancel"):  # the browsable API's form
            return s.HoldInput if self.action == "hold" else s.CancelInput
        return s.ActivitySerializer

    @extend_schema(request=s.ActivityInput, responses={201: s.ActivityDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = s.ActivityInput(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        activity = services.record_activity(actor=request.user, **form.validated_data)
        return Response(s.ActivityDetailSerializer(activity).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.FileCaseInput, responses={201: CaseDetailSerializer})
    @action(detail=True, methods=["post"], url_path="file-case")
    def file_case(self, request: Request, pk: str | None = None) -> Response:
        """Register a problem raised at this activity, with the activity's channel."""
        activity = self.get_object()
        form = s.FileCaseInput(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        petitioners = [PetitionerData(**p) for p in d.pop("petitioners")]
        case = services.file_case(activity, actor=request.user, petitioners=petitioners, **d)
        return Response(CaseDetailSerializer(case, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.LinkCaseInput, responses=s.ActivityDetailSerializer)
    @action(detail=True, methods=["post"], url_path="link-case")
    def link_case(self, request: Request, pk: str | None = None) -> Response:
        """Record that this activity moved a case forward or resolved it."""
        activity = self.get_object()
        form = s.LinkCaseInput(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        services.link_case(
            activity, actor=request.user, case=_visible_case(request, d["case"]), role=d["role"], note=d["note"]
        )
        return Response(s.ActivityDetailSerializer(self.get_object()).data)

    @extend_schema(request=s.HoldInput, responses=s.ActivityDetailSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request: Request, pk: str | None = None) -> Response:
        """Record this planned activity as held, with its minutes and the people it reached."""
        activity = self.get_object()
        form = s.HoldInput(data=request.data)
        form.is_valid(raise_exception=True)
        services.hold_activity(activity, actor=request.user, **form.validated_data)
        return Response(s.ActivityDetailSerializer(self.get_object()).data)

    @extend_schema(request=s.CancelInput, responses=s.ActivityDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Call off this planned activity, saying why; its booked appointments are cancelled."""
        activity = self.get_object()
        form = s.CancelInput(data=request.data)
        form.is_valid(raise_exception=True)
        services.cancel_activity(activity, actor=request.user, reason=form.validated_data["reason"])
        return Response(s.ActivityDetailSerializer(self.get_object()).data)

    @extend_schema(request=s.BookInput, responses={201: s.AppointmentSerializer})
    @action(detail=True, methods=["post"])
    def book(self, request: Request, pk: str | None = None) -> Response:
        """Book a slot of this reception day for a case."""
        activity = self.get_object()
        form = s.BookInput(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        appointment = services.book_appointment(
            activity, actor=request.user, case=_visible_case(request, d["case"]), slot_at=d["slot_at"], note=d["note"]
        )
        return Response(s.AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class AppointmentViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet[Appointment]):
    serializer_class = s.AppointmentSerializer

    def get_queryset(self) -> Any:
        visible = Activity.objects.visible_to(self.request.user).values("pk")
        return Appointment.objects.filter(activity__in=visible).select_related("case")

    @extend_schema(request=s.AttendInput, responses=s.AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def attend(self, request: Request, pk: str | None = None) -> Response:
        """The petitioner came; the visit is recorded against the case."""
        appointment = self.get_object()
        if not Case.objects.visible_to(request.user).filter(pk=appointment.case_id).exists():
            raise NotFound
        form = s.AttendInput(data=request.data)
        form.is_valid(raise_exception=True)
        appointment = services.attend_appointment(appointment, actor=request.user, **form.validated_data)
        return Response(s.AppointmentSerializer(appointment).data)
