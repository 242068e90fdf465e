from __future__ import annotations

from typing import Any

from rest_framework import serializers

from grassroots.activities.choices import ActivityKind, CaseRole
from grassroots.activities.models import Activity, ActivityCase, Appointment
from grassroots.cases.api.serializers import PetitionerInput
from grassroots.cases.choices import CaseKind
from grassroots.cases.models import Case, Category
from grassroots.org.models import Organisation, Person, Unit
from grassroots.web.api import ModelSerializer


class ActivityCaseSerializer(ModelSerializer[ActivityCase]):
    case = serializers.SlugRelatedField[Case](slug_field="number", read_only=True)

    class Meta:
        model = ActivityCase
        fields = ["case", "role", "note"]


class AppointmentSerializer(ModelSerializer[Appointment]):
    case = serializers.SlugRelatedField[Case](slug_field="number", read_only=True)

    class Meta:
        model = Appointment
        fields = ["id", "case", "slot_at", "state", "note"]


class ActivitySerializer(ModelSerializer[Activity]):
    unit = serializers.SlugRelatedField[Unit](slug_field="code", read_only=True)
    organisation = serializers.SlugRelatedField[Organisation](slug_field="code", read_only=True)
    leader = serializers.SlugRelatedField[Person](slug_field="code", read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            "state",
            "title",
            "starts_at",
            "ends_at",
            "unit",
            "place",
            "organisation",
            "leader",
            "topic",
            "batches",
            "persons",
        ]


class ActivityDetailSerializer(ActivitySerializer):
    participants = serializers.SlugRelatedField[Person](slug_field="code", many=True, read_only=True)
    case_links = ActivityCaseSerializer(many=True, read_only=True)
    appointments = AppointmentSerializer(many=True, read_only=True)

    class Meta(ActivitySerializer.Meta):
        fields = [*ActivitySerializer.Meta.fields, "minutes", "participants", "case_links", "appointments"]


class ActivityInput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    title = serializers.CharField(max_length=200)
    unit = serializers.SlugRelatedField[Unit](slug_field="code", queryset=Unit.objects.all())
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    held = serializers.BooleanField(default=True)
    organisation = serializers.SlugRelatedField[Organisation](
        slug_field="code", queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    leader = serializers.SlugRelatedField[Person](
        slug_field="code", queryset=Person.objects.all(), required=False, allow_null=True
    )
    participants = serializers.SlugRelatedField[Person](
        slug_field="code", queryset=Person.objects.all(), many=True, required=False
    )
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    topic = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    minutes = serializers.CharField(required=False, allow_blank=True, default="")
    persons = serializers.IntegerField(min_value=0, default=0)
    batches = serializers.IntegerField(min_value=0, default=0)

    def validate_unit(self, unit: Unit) -> Unit:
        if not Unit.objects.visible_to(self.context["request"].user).filter(pk=unit.pk).exists():
            raise serializers.ValidationError(f"Object with code={unit.code} does not exist.")
        return unit


class FileCaseInput(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=4000)
    kind = serializers.ChoiceField(choices=CaseKind.choices, required=False)
    category = serializers.SlugRelatedField[Category](
        slug_field="code", queryset=Category.objects.all(), required=False, allow_null=True
    )
    persons = serializers.IntegerField(min_value=1, default=1)
    is_anonymous = serializers.BooleanField(default=False)
    petitioners = PetitionerInput(many=True, required=False, default=list)


class LinkCaseInput(serializers.Serializer[Any]):
    case = serializers.CharField(max_length=32)
    role = serializers.ChoiceField(choices=[CaseRole.MOVED, CaseRole.RESOLVED])
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class BookInput(serializers.Serializer[Any]):
    case = serializers.CharField(max_length=32)
    slot_at = serializers.DateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AttendInput(serializers.Serializer[Any]):
    notes = serializers.CharField()
    resolved = serializers.BooleanField(default=False)


class HoldInput(serializers.Serializer[Any]):
    minutes = serializers.CharField(required=False, allow_blank=True, default="")
    persons = serializers.IntegerField(min_value=0, help_text="The people it reached.")
    batches = serializers.IntegerField(
        min_value=0, required=False, default=None, help_text="Batches received (reception kinds)."
    )


class CancelInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)
