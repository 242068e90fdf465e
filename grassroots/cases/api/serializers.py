from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from grassroots import clock
from grassroots.cases.choices import AssignmentMode, CaseKind, Channel, Feedback, ReviewOutcome
from grassroots.cases.models import Assignment, Case, CaseEvent, Category, Petitioner, Receipt
from grassroots.cases.services import categories_by_code, unit_by_code, units_by_code
from grassroots.org.models import Organisation, Person, Unit
from grassroots.web.api import ModelSerializer, Serializer


class CategorySerializer(ModelSerializer[Category]):
    group = serializers.SlugRelatedField[Category](source="parent", slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Category
        fields = ["code", "name", "name_en", "group", "keywords", "is_active"]


class CaseListSerializer(ModelSerializer[Case]):
    """What a list shows: no petitioner identity."""

    category = serializers.SlugRelatedField[Category](slug_field="code", read_only=True, allow_null=True)
    unit = serializers.SlugRelatedField[Unit](slug_field="code", read_only=True)
    responsible = serializers.SlugRelatedField[Organisation](slug_field="code", read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Case
        fields = [
            "number",
            "kind",
            "channel",
            "state",
            "version",
            "title",
            "category",
            "unit",
            "persons",
            "is_anonymous",
            "is_difficult",
            "is_urgent",
            "responsible",
            "registered_at",
            "current_due_at",
            "is_overdue",
        ]


class PetitionerSerializer(ModelSerializer[Petitioner]):
    phone = serializers.CharField(source="masked_phone")
    id_number = serializers.CharField(source="masked_id_number")

    class Meta:
        model = Petitioner
        fields = ["name", "phone", "id_number", "address", "is_representative"]


class AssignmentSerializer(ModelSerializer[Assignment]):
    organisation = serializers.SlugRelatedField[Organisation](slug_field="code", read_only=True, allow_null=True)
    assigned_by = serializers.SlugRelatedField[Organisation](slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Assignment
        fields = ["organisation", "assigned_by", "mode", "status", "report_due_at", "instructions", "created_at"]


class EventSerializer(ModelSerializer[CaseEvent]):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]
    organisation = serializers.SlugRelatedField[Organisation](slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = CaseEvent
        fields = ["at", "kind", "actor", "organisation", "from_state", "to_state", "note", "is_public", "payload"]


class CaseDetailSerializer(CaseListSerializer):
    petitioners = PetitionerSerializer(many=True, read_only=True)
    assignments = AssignmentSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    allowed_acts = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "description",
            "address",
            "latitude",
            "longitude",
            "accepted_at",
            "replied_at",
            "resolved_at",
            "closed_at",
            "acceptance_due_at",
            "handling_due_at",
            "review_due_at",
            "extension_days",
            "feedback",
            "reopen_count",
            "review_outcome",
            "rereview_outcome",
            "petitioners",
            "assignments",
            "events",
            "allowed_acts",
        ]

    def get_allowed_acts(self, case: Case) -> list[str]:
        from grassroots.cases.workflow import allowed_acts

        return allowed_acts(case, self.context["request"].user)


# --- input -------------------------------------------------------------------------------


class PetitionerInput(Serializer):
    name = serializers.CharField(max_length=100)
    phone = serializers.RegexField(r"^[0-9+\- ]{0,32}$", required=False, allow_blank=True, default="")
    id_number = serializers.RegexField(r"^[0-9Xx]{0,18}$", required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    is_representative = serializers.BooleanField(required=False, default=False)


class ComplainedInput(Serializer):
    person = serializers.SlugRelatedField[Person](slug_field="code", queryset=Person.objects.all(), required=False)
    organisation = serializers.SlugRelatedField[Organisation](
        slug_field="code", queryset=Organisation.objects.all(), required=False
    )
    description = serializers.CharField(max_length=200, required=False, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not (attrs.get("person") or attrs.get("organisation") or attrs.get("description")):
            raise serializers.ValidationError(_("Name a person, an organisation or describe who."))
        return attrs


class CategoryCodeField(serializers.SlugRelatedField[Category]):
    """A category named by its code, found among those intake remembers (no statement)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=Category.objects.all(), **kwargs)

    def to_internal_value(self, data: Any) -> Category:
        category = categories_by_code().get(data) if isinstance(data, str) else None
        if category is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data))
        return category


UNIT_CODE_LENGTH: int = Unit._meta.get_field("code").max_length  # type: ignore[assignment]  # a longer one is no unit's


class UnitCodeField(serializers.SlugRelatedField[Unit]):
    """A place named by its code, found among the units intake remembers."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=Unit.objects.defer("boundary"), **kwargs)

    def to_internal_value(self, data: Any) -> Unit:
        unit = unit_by_code(data) if isinstance(data, str) and len(data) <= UNIT_CODE_LENGTH else None
        if unit is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data))
        return unit


class CaseIntakeSerializer(Serializer):
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=4000)
    # A grid's boundary can be a long polygon; a point is placed by a query of its own.
    unit = UnitCodeField()
    category = CategoryCodeField(required=False, allow_null=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, min_value=-90, max_value=90
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, min_value=-180, max_value=180
    )
    persons = serializers.IntegerField(min_value=1, max_value=100000, default=1)
    is_anonymous = serializers.BooleanField(default=False)
    is_urgent = serializers.BooleanField(default=False)
    is_difficult = serializers.BooleanField(default=False)
    petitioners = PetitionerInput(many=True, required=False, default=list)
    complained = ComplainedInput(many=True, required=False, default=list)

    def validate_unit(self, unit: Unit) -> Unit:
        # The user's scope is already read for this request: test the path, not the table.
        paths = self.context["request"].user.scope_paths()
        if paths is not None and not any(str(unit.path).startswith(p) for p in paths):
            raise serializers.ValidationError(f"Object with code={unit.code} does not exist.")
        return unit


MAX_BATCH = 500  # cases in one batch: one transaction holds the year's counter for them all
FORWARDED_WITHIN = timedelta(days=7)  # a platform's call time older than this is not taken as given
CLOCK_SKEW = timedelta(minutes=5)  # a platform's clock a little ahead of ours is not an error


class BatchItemSerializer(CaseIntakeSerializer):
    idempotency_key = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="The caller's own id for this case (a hotline's work-order number): a retried batch "
        "returns the case it made, never a second one.",
    )
    received_at = serializers.DateTimeField(
        required=False,
        default=None,
        help_text=f"When the resident's call or message came in, by the platform's clock; the case is "
        f"registered and its deadlines count from then. At most {FORWARDED_WITHIN.days} days ago and "
        "not in the future; by default, when the batch arrives.",
    )

    def validate_received_at(self, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        now = clock.now()
        if value > now + CLOCK_SKEW:
            raise serializers.ValidationError(_("This moment is still to come."))
        if value < now - FORWARDED_WITHIN:
            raise serializers.ValidationError(
                _("A case is forwarded within %(days)d days of its call; register an older one as it arrives.")
                % {"days": FORWARDED_WITHIN.days}
            )
        return value


class CaseBatchSerializer(Serializer):
    cases: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=BatchItemSerializer(), allow_empty=False, max_length=MAX_BATCH
    )

    def to_internal_value(self, data: Any) -> Any:
        # Each case names its place: read every place with one statement, not one a case.
        cases = data.get("cases") if isinstance(data, dict) else None
        if isinstance(cases, list) and len(cases) <= MAX_BATCH:
            named = (c.get("unit") for c in cases if isinstance(c, dict))
            units_by_code({code for code in named if isinstance(code, str) and len(code) <= UNIT_CODE_LENGTH})
        return super().to_internal_value(data)


class RegisteredCaseSerializer(CaseListSerializer):
    """One case of a batch, as a list shows it, with its address and whether this batch made
    it (``false``: an earlier request with its key did)."""

    url = serializers.SerializerMethodField()
    created = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = ["url", "created", *CaseListSerializer.Meta.fields, "idempotency_key"]

    def get_url(self, case: Case) -> str:
        path = reverse("case-detail", kwargs={"number": case.number})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_created(self, case: Case) -> bool:
        return hasattr(case, "_born")


class BatchAnswerSerializer(Serializer):
    cases = RegisteredCaseSerializer(many=True, read_only=True)


class ReceiptSerializer(ModelSerializer[Receipt]):
    """A receipt: ``pending`` until registered, then the case's number (or, ``refused``,
    why it could not be registered, field by field)."""

    url = serializers.SerializerMethodField()
    state = serializers.ChoiceField(choices=["pending", "registered", "refused"], read_only=True)
    case = serializers.SerializerMethodField(help_text="The number of the case it became, once registered.")

    class Meta:
        model = Receipt
        fields = ["token", "url", "state", "received_at", "processed_at", "case", "refused"]

    def get_url(self, receipt: Receipt) -> str:
        path = reverse("receipt-detail", kwargs={"token": receipt.token})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_case(self, receipt: Receipt) -> str | None:
        if receipt.state != "registered":
            return None
        if hasattr(receipt, "case_number"):  # read with the receipt (``with_case_numbers``)
            number: str | None = receipt.case_number
            return number
        sent = Case.objects.filter(key_owner=receipt.key_owner, idempotency_key=receipt.idempotency_key)
        return sent.values_list("number", flat=True).first()


class VersionedInput(serializers.Serializer[Any]):
    version = serializers.IntegerField(required=False, help_text="The version you saw; a newer one is a 409.")


class ReasonInput(VersionedInput):
    reason = serializers.CharField(max_length=4000)


class NoteInput(VersionedInput):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class TextInput(VersionedInput):
    text = serializers.CharField(max_length=4000)


class SummaryInput(serializers.Serializer[Any]):
    summary = serializers.CharField(max_length=4000)
    category = serializers.SlugRelatedField[Category](
        slug_field="code", queryset=Category.objects.all(), required=False, allow_null=True
    )


class ClassifyInput(serializers.Serializer[Any]):
    category = serializers.SlugRelatedField[Category](slug_field="code", queryset=Category.objects.all())
    summary = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class AssignInput(VersionedInput):
    organisations = serializers.SlugRelatedField[Organisation](
        slug_field="code", queryset=Organisation.objects.all(), many=True
    )
    mode = serializers.ChoiceField(choices=AssignmentMode.choices, default=AssignmentMode.ASSIGN)
    report_days = serializers.IntegerField(min_value=1, max_value=90, required=False, allow_null=True)
    instructions = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class TransferInput(ReasonInput):
    to = serializers.SlugRelatedField[Organisation](slug_field="code", queryset=Organisation.objects.all())


class SiteVisitInput(serializers.Serializer[Any]):
    place = serializers.CharField(max_length=300)
    findings = serializers.CharField(max_length=4000)
    participants = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ProgressInput(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=4000)
    public = serializers.BooleanField(default=True)


class ExtensionInput(serializers.Serializer[Any]):
    days = serializers.IntegerField(min_value=1, max_value=90)
    reason = serializers.CharField(max_length=4000)


class ExtensionDecisionInput(serializers.Serializer[Any]):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class FeedbackInput(VersionedInput):
    verdict = serializers.ChoiceField(choices=Feedback.choices)
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ReviewAnswerInput(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=ReviewOutcome.choices)
    opinion = serializers.CharField(max_length=4000)


class MergeInput(VersionedInput):
    into = serializers.CharField(max_length=32, help_text="Number of the master case.")


class RepeatInput(VersionedInput):
    earlier = serializers.CharField(max_length=32, help_text="Number of the finally re-reviewed case.")


class FlagInput(serializers.Serializer[Any]):
    difficult = serializers.BooleanField(required=False, allow_null=True, default=None)
    urgent = serializers.BooleanField(required=False, allow_null=True, default=None)


class PackageInput(serializers.Serializer[Any]):
    leader = serializers.SlugRelatedField[Person](slug_field="code", queryset=Person.objects.all())
    staff = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    task = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    responsibility = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
