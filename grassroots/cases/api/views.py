"""The case API: the list and the intake, one case with its timeline, and one POST action
per act of the closed loop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from grassroots.audit.models import Action
from grassroots.audit.services import record
from grassroots.cases import services
from grassroots.cases.api import serializers as s
from grassroots.cases.filters import CaseFilter, without
from grassroots.cases.models import Case, Category, Receipt
from grassroots.cases.services import ComplainedData, PetitionerData, with_case_numbers
from grassroots.web.pagination import KeysetPagination

MAX_KEY_LENGTH = 100  # a receipt's own key is "receipt:" and 32 characters; both fit the column's 128


def idempotency_key(request: Request) -> str | None:
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationError({"Idempotency-Key": [_("The Idempotency-Key header is longer than 100 characters.")]})
    return key or None


def prefers_async(request: Request) -> bool:
    """Whether the client asked ``Prefer: respond-async`` (RFC 7240: preferences are
    comma-separated, names case-insensitive, parameters after a semicolon)."""
    wanted = request.headers.get("Prefer", "")
    return any(p.split(";")[0].split("=")[0].strip().lower() == "respond-async" for p in wanted.split(","))


class ReceiptView(generics.RetrieveAPIView[Receipt]):
    """A receipt of an intake answered at once: pending, then the case it became (or why
    it could not be registered). Only its receiver may read it."""

    serializer_class = s.ReceiptSerializer
    lookup_field = "token"

    def get_queryset(self) -> Any:
        return with_case_numbers(Receipt.objects.filter(received_by_id=self.request.user.pk))


class CategoryViewSet(viewsets.ReadOnlyModelViewSet[Category]):
    """The category taxonomy (groups and their sub-categories)."""

    queryset = Category.objects.filter(is_active=True).select_related("parent")
    serializer_class = s.CategorySerializer
    lookup_field = "code"
    ordering = "pk"


def _other_case(request: Request, number: str) -> Case:
    other = Case.objects.visible_to(request.user).filter(number=number).first()
    if other is None:
        from rest_framework.exceptions import ValidationError

        raise ValidationError({"case": [f"No case {number} that you can see."]})
    return other


@dataclass(frozen=True)
class ActEndpoint:
    serializer: type[Serializer[Any]] | None
    call: Callable[[Case, Any, dict[str, Any], Request], Any]
    summary: str


ACT_ENDPOINTS: dict[str, ActEndpoint] = {
    "accept": ActEndpoint(
        s.NoteInput,
        lambda c, u, d, r: services.accept_case(c, actor=u, note=d["note"], version=d.get("version")),
        "Accept the case (受理) and route it.",
    ),
    "decline": ActEndpoint(
        s.ReasonInput,
        lambda c, u, d, r: services.decline_case(c, actor=u, reason=d["reason"], version=d.get("version")),
        "Decline to accept, with the reason.",
    ),
    "decline-repeat": ActEndpoint(
        s.RepeatInput,
        lambda c, u, d, r: services.decline_repeat(
            c, actor=u, earlier=_other_case(r, d["earlier"]), version=d.get("version")
        ),
        "Refuse the same facts after a final re-review (不再受理).",
    ),
    "classify": ActEndpoint(
        s.ClassifyInput,
        lambda c, u, d, r: services.classify_case(c, actor=u, category=d["category"], summary=d["summary"]),
        "Classify and summarise.",
    ),
    "escalate": ActEndpoint(
        s.SummaryInput,
        lambda c, u, d, r: services.escalate_case(c, actor=u, summary=d["summary"], category=d.get("category")),
        "Report up to the coordinating organisation of the next unit up.",
    ),
    "assign": ActEndpoint(
        s.AssignInput,
        lambda c, u, d, r: services.assign_case(
            c,
            actor=u,
            organisations=d["organisations"],
            mode=d["mode"],
            report_days=d.get("report_days"),
            instructions=d["instructions"],
            version=d.get("version"),
        ),
        "Forward (转送) or assign with a report-back deadline (交办) to one or more organisations.",
    ),
    "transfer": ActEndpoint(
        s.TransferInput,
        lambda c, u, d, r: services.transfer_case(c, actor=u, to=d["to"], reason=d["reason"], version=d.get("version")),
        "Transfer to another organisation.",
    ),
    "send-back": ActEndpoint(
        s.ReasonInput,
        lambda c, u, d, r: services.send_back(c, actor=u, reason=d["reason"], version=d.get("version")),
        "Send an assignment back, with the reason.",
    ),
    "start": ActEndpoint(
        s.VersionedInput,
        lambda c, u, d, r: services.start_handling(c, actor=u, version=d.get("version")),
        "Start handling.",
    ),
    "site-visit": ActEndpoint(
        s.SiteVisitInput,
        lambda c, u, d, r: services.record_site_visit(
            c, actor=u, place=d["place"], findings=d["findings"], participants=d["participants"]
        ),
        "Record a visit to the site.",
    ),
    "progress": ActEndpoint(
        s.ProgressInput,
        lambda c, u, d, r: services.record_progress(c, actor=u, note=d["note"], public=d["public"]),
        "Record a step of the work.",
    ),
    "request-extension": ActEndpoint(
        s.ExtensionInput,
        lambda c, u, d, r: services.request_extension(c, actor=u, days=d["days"], reason=d["reason"]),
        "Ask once for more time (at most 30 days).",
    ),
    "decide-extension": ActEndpoint(
        s.ExtensionDecisionInput,
        lambda c, u, d, r: services.decide_extension(c, actor=u, approve=d["approve"], note=d["note"]),
        "Approve or refuse the extension asked for.",
    ),
    "reply": ActEndpoint(
        s.TextInput,
        lambda c, u, d, r: services.reply_to_resident(c, actor=u, text=d["text"], version=d.get("version")),
        "Give the handling opinion to the resident.",
    ),
    "resolve": ActEndpoint(
        s.NoteInput,
        lambda c, u, d, r: services.resolve_case(c, actor=u, note=d["note"], version=d.get("version")),
        "Mark the case resolved.",
    ),
    "feedback": ActEndpoint(
        s.FeedbackInput,
        lambda c, u, d, r: services.give_feedback(
            c, actor=u, verdict=d["verdict"], comment=d["comment"], version=d.get("version")
        ),
        "Record the resident's verdict; unsatisfied reopens the case.",
    ),
    "close": ActEndpoint(
        s.NoteInput,
        lambda c, u, d, r: services.close_case(c, actor=u, note=d["note"], version=d.get("version")),
        "Close a resolved case without a verdict.",
    ),
    "request-review": ActEndpoint(
        s.ReasonInput,
        lambda c, u, d, r: services.request_review(c, actor=u, reason=d["reason"]),
        "The petitioner asks for a review (复查).",
    ),
    "answer-review": ActEndpoint(
        s.ReviewAnswerInput,
        lambda c, u, d, r: services.answer_review(c, actor=u, outcome=d["outcome"], opinion=d["opinion"]),
        "Answer the review.",
    ),
    "request-rereview": ActEndpoint(
        s.ReasonInput,
        lambda c, u, d, r: services.request_rereview(c, actor=u, reason=d["reason"]),
        "The petitioner asks for a re-review (复核).",
    ),
    "answer-rereview": ActEndpoint(
        s.ReviewAnswerInput,
        lambda c, u, d, r: services.answer_rereview(c, actor=u, outcome=d["outcome"], opinion=d["opinion"]),
        "Answer the re-review (final).",
    ),
    "withdraw": ActEndpoint(
        s.ReasonInput,
        lambda c, u, d, r: services.withdraw_case(c, actor=u, reason=d["reason"], version=d.get("version")),
        "The petitioner withdraws.",
    ),
    "merge": ActEndpoint(
        s.MergeInput,
        lambda c, u, d, r: services.merge_case(c, actor=u, into=_other_case(r, d["into"]), version=d.get("version")),
        "Merge this repeat into a master case.",
    ),
    "flag": ActEndpoint(
        s.FlagInput,
        lambda c, u, d, r: services.flag_case(c, actor=u, difficult=d["difficult"], urgent=d["urgent"]),
        "Mark difficult-and-complex or urgent.",
    ),
    "package": ActEndpoint(
        s.PackageInput,
        lambda c, u, d, r: services.set_package_leader(
            c,
            actor=u,
            leader=d["leader"],
            staff=d["staff"],
            due_on=d["due_on"],
            task=d["task"],
            responsibility=d["responsibility"],
        ),
        "Set the package leader (包案) of a difficult or backlog case.",
    ),
    "note": ActEndpoint(
        s.ProgressInput, lambda c, u, d, r: services.add_note(c, actor=u, note=d["note"]), "Add an internal note."
    ),
}


def detail_queryset(user: Any) -> Any:
    return (
        Case.objects.visible_to(user)
        .select_related("category", "unit", "responsible")
        .prefetch_related(
            "petitioners",
            "assignments__organisation",
            "assignments__assigned_by",
            "events__actor",
            "events__organisation",
        )
    )


class CaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[Case]
):
    """Cases the caller may see. Lists show no petitioner identity; reading one case is
    audited. Each act of the closed loop is its own POST action."""

    serializer_class = s.CaseListSerializer
    filterset_class = CaseFilter
    lookup_field = "number"
    ordering = "-id"

    def get_queryset(self) -> Any:
        if self.action == "retrieve":
            return detail_queryset(self.request.user)
        return Case.objects.visible_to(self.request.user).select_related("category", "unit", "responsible")

    def filter_queryset(self, queryset: Any) -> Any:
        """As the case list page does: a text (``q``) is looked for among the newest cases of
        the other filters first (``CaseQuerySet.newest_matching_ids``), a page at a time,
        instead of being matched over the whole subtree and sorted."""
        text = self.request.query_params.get("q", "").strip()
        paginator = self.paginator
        if self.action != "list" or not text or not isinstance(paginator, KeysetPagination):
            return super().filter_queryset(queryset)
        cursor = paginator.decode_cursor(self.request)
        if cursor is not None and cursor.reverse:  # a page back: rare, filtered as before
            return super().filter_queryset(queryset)
        rest = CaseFilter(without(self.request.query_params, "q"), queryset=queryset, request=self.request)
        if not rest.is_valid():
            raise translate_validation(rest.errors)
        rows = rest.qs
        if cursor is not None and cursor.position is not None:
            rows = rows.filter(id__lt=int(cursor.position))
        wanted = (paginator.get_page_size(self.request) or paginator.page_size) + 1 + (cursor.offset if cursor else 0)
        ids = rows.newest_matching_ids(wanted, text)
        # The ids passed the scope; asking it again would lead the planner back to the subtree.
        return Case.objects.filter(pk__in=ids).select_related("category", "unit", "responsible")

    def get_serializer_class(self) -> Any:
        if self.action == "create":
            return s.CaseIntakeSerializer
        if self.action == "batch":
            return s.CaseBatchSerializer
        if self.action == "retrieve":
            return s.CaseDetailSerializer
        return s.CaseListSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        with transaction.atomic():
            record(Action.READ, actor=request.user, target=case, detail={"fields": ["petitioners"]})
        return Response(s.CaseDetailSerializer(case, context=self.get_serializer_context()).data)

    @extend_schema(
        request=s.CaseIntakeSerializer,
        responses={201: s.CaseDetailSerializer, 200: s.CaseDetailSerializer, 202: s.ReceiptSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Retrying with the same key returns the same case (or receipt).",
            ),
            OpenApiParameter(
                "Prefer",
                str,
                OpenApiParameter.HEADER,
                enum=["respond-async"],
                description=(
                    "respond-async (RFC 7240): the case is checked and kept at once, answered 202 with a "
                    "receipt, and registered within seconds; ask the receipt's url for its number."
                ),
            ),
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = s.CaseIntakeSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        intake = _intake(request, form.validated_data, idempotency_key(request))
        if prefers_async(request):
            receipt = services.receive(intake)
            answer = s.ReceiptSerializer(receipt, context=self.get_serializer_context()).data
            headers = {"Location": answer["url"], "Preference-Applied": "respond-async"}
            return Response(answer, status=status.HTTP_202_ACCEPTED, headers=headers)
        case = services.register(intake)
        # A case made by an earlier request with this key carries no ``_born``: a retry,
        # answered 200 with the case as it stands now.
        existed = not hasattr(case, "_born")
        if services.hidden_from(request.user, [case]):
            raise ValidationError({"Idempotency-Key": [str(services.KEY_OF_A_HIDDEN_CASE)]})
        case = detail_queryset(request.user).get(pk=case.pk) if existed else services.as_born(case)
        data = s.CaseDetailSerializer(case, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(
        request=s.CaseBatchSerializer,
        responses={201: s.BatchAnswerSerializer, 200: s.BatchAnswerSerializer},
        summary="Register a batch of cases (a 12345 platform's work orders)",
        description=(
            f"Up to {s.MAX_BATCH} cases, each checked as one intake is; if any is refused the answer is a 400 "
            "naming each refused case's fields by its position, and nothing is registered. Otherwise all are "
            "registered in one transaction, in order, and answered in the same order; a case whose "
            "`idempotency_key` an earlier request used is that case (`created: false`). 201 when the batch made "
            "any case, 200 when every one existed."
        ),
    )
    @action(detail=False, methods=["post"], url_path="batch")
    def batch(self, request: Request) -> Response:
        """A batch of cases, as a 12345 platform forwards its work orders: every case is
        registered, or none is."""
        form = s.CaseBatchSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        intakes = [_intake(request, d, d["idempotency_key"].strip() or None) for d in form.validated_data["cases"]]
        errors = services.batch_errors(intakes)
        if any(errors):  # keyed by position, as DRF names a refused item of a list
            raise ValidationError({"cases": {str(n): found for n, found in enumerate(errors) if found}})
        with transaction.atomic():
            cases = services.register_batch(intakes)
            # A key the caller used before for a case now outside its units (its posts
            # changed) names no case to it: the batch is refused (and rolled back).
            hidden = services.hidden_from(request.user, cases)
            if hidden:
                why = {"idempotency_key": [str(services.KEY_OF_A_HIDDEN_CASE)]}
                raise ValidationError({"cases": {str(n): why for n, case in enumerate(cases) if case.pk in hidden}})
        answer = s.BatchAnswerSerializer({"cases": cases}, context=self.get_serializer_context()).data
        made = any(hasattr(case, "_born") for case in cases)
        return Response(answer, status=status.HTTP_201_CREATED if made else status.HTTP_200_OK)

    def _act(self, request: Request, number: str, name: str) -> Response:
        endpoint = ACT_ENDPOINTS[name]
        case = Case.objects.visible_to(request.user).filter(number=number).first()
        if case is None:
            raise Http404
        data: dict[str, Any] = {}
        if endpoint.serializer is not None:
            form = endpoint.serializer(data=request.data)
            form.is_valid(raise_exception=True)
            data = dict(form.validated_data)
        endpoint.call(case, request.user, data, request)
        case = detail_queryset(request.user).get(pk=case.pk)
        return Response(s.CaseDetailSerializer(case, context=self.get_serializer_context()).data)


def _intake(request: Request, d: dict[str, Any], key: str | None) -> services.Intake:
    """The intake a checked form (``CaseIntakeSerializer``'s fields) describes."""
    return services.Intake(
        actor=request.user,
        kind=d["kind"],
        channel=d["channel"],
        title=d["title"],
        description=d["description"],
        unit=d["unit"],
        category=d.get("category"),
        address=d["address"],
        latitude=d.get("latitude"),
        longitude=d.get("longitude"),
        persons=d["persons"],
        is_anonymous=d["is_anonymous"],
        is_urgent=d["is_urgent"],
        is_difficult=d["is_difficult"],
        petitioners=tuple(PetitionerData(**p) for p in d["petitioners"]),
        complained=tuple(ComplainedData(**c) for c in d["complained"]),
        idempotency_key=key,
        registered_at=d.get("received_at"),  # a batch's case may say when its call came in
    )


def _make_act(name: str, endpoint: ActEndpoint) -> Any:
    def act(self: CaseViewSet, request: Request, number: str | None = None) -> Response:
        return self._act(request, str(number), name)

    act.__name__ = "act_" + name.replace("-", "_")
    act.__doc__ = endpoint.summary
    act = extend_schema(
        request=endpoint.serializer,
        responses=s.CaseDetailSerializer,
        summary=endpoint.summary,
        description="409 when the case has moved on (or `version` is stale); 403 when your role may not do this.",
    )(act)
    return action(detail=True, methods=["post"], url_path=name)(act)


for _name, _endpoint in ACT_ENDPOINTS.items():
    setattr(CaseViewSet, "act_" + _name.replace("-", "_"), _make_act(_name, _endpoint))
