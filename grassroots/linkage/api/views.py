from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.linkage import services
from grassroots.linkage.models import LinkagePolicy
from grassroots.linkage.views import APPROVERS, fingerprint
from grassroots.org.models import Unit
from grassroots.web.api import ModelSerializer, ScopedReadOnlyViewSet


class PolicySerializer(ModelSerializer[LinkagePolicy]):
    unit = serializers.SlugRelatedField[Unit](slug_field="code", read_only=True)

    class Meta:
        model = LinkagePolicy
        fields = [
            "id",
            "name",
            "name_en",
            "unit",
            "min_rank",
            "min_villages",
            "min_enterprises",
            "max_per_cadre",
            "enterprise_scope",
            "sectors",
            "within_jurisdiction",
            "is_active",
        ]


def coverage_data(result: services.Coverage) -> dict[str, Any]:
    return {
        "villages": {"covered": result.villages_covered, "total": result.villages_total, "pct": result.villages_pct},
        "enterprises": {
            "covered": result.enterprises_covered,
            "total": result.enterprises_total,
            "pct": result.enterprises_pct,
        },
        "cadres": {"meeting_quota": result.cadres_meeting_quota, "total": result.cadres_total},
        "complete": result.complete,
        "uncovered_villages": [
            {"code": v.code, "name": v.name, "name_en": v.name_en} for v in result.uncovered_villages
        ],
        "uncovered_enterprises": [
            {"code": e.code, "name": e.name, "unit": e.unit.code} for e in result.uncovered_enterprises
        ],
        "cadres_short": [
            {"code": p.code, "name": p.name, "villages": nv, "enterprises": ne} for p, nv, ne in result.cadres_short
        ],
    }


class PolicyViewSet(ScopedReadOnlyViewSet):
    """Linkage policies in the caller's units, their coverage, and the solver's proposal."""

    queryset = LinkagePolicy.objects.select_related("unit")
    serializer_class = PolicySerializer
    ordering = "id"

    @extend_schema(responses=inline_serializer("Coverage", {"complete": serializers.BooleanField()}))
    @action(detail=True)
    def coverage(self, request: Request, pk: str | None = None) -> Response:
        return Response(coverage_data(services.coverage(self.get_object())))

    @extend_schema(responses=inline_serializer("CoverageLayer", {"type": serializers.CharField()}))
    @action(detail=True, url_path="coverage-layer")
    def coverage_layer(self, request: Request, pk: str | None = None) -> Response:
        """Villages as a GeoJSON FeatureCollection with ``covered`` set, for a map layer."""
        policy = self.get_object()
        uncovered = {v.pk for v in services.coverage(policy).uncovered_villages}
        features = [
            {
                "type": "Feature",
                "geometry": v.boundary,
                "properties": {"code": v.code, "name": v.name, "name_en": v.name_en, "covered": v.pk not in uncovered},
            }
            for v in services.villages_of(policy).exclude(boundary__isnull=True)
        ]
        return Response({"type": "FeatureCollection", "features": features})

    @extend_schema(responses=inline_serializer("Proposal", {"feasible": serializers.BooleanField()}))
    @action(detail=True)
    def proposal(self, request: Request, pk: str | None = None) -> Response:
        proposal = services.propose(self.get_object())
        return Response(
            {
                "feasible": proposal.feasible,
                "max_load": proposal.max_load,
                "reasons": proposal.reasons,
                "fingerprint": fingerprint(proposal),
                "keep": proposal.keep,
                "add": [
                    {"cadre": p.code, "village" if isinstance(t, Unit) else "enterprise": t.code}
                    for p, t in proposal.add
                ],
                "remove": [
                    {
                        "cadre": link.person.code,
                        "village": link.village.code if link.village else None,
                        "enterprise": link.enterprise.code if link.enterprise else None,
                    }
                    for link in proposal.remove
                ],
            }
        )

    @extend_schema(
        request=inline_serializer("Apply", {"fingerprint": serializers.CharField()}),
        responses=inline_serializer("Applied", {"added": serializers.IntegerField()}),
    )
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, pk: str | None = None) -> Response:
        """Apply the proposal whose fingerprint you approved; 409 when it has changed since."""
        policy = self.get_object()
        if not request.user.has_role(*APPROVERS):  # type: ignore[union-attr]
            raise PermissionDenied
        current = services.propose(policy)
        given = request.data.get("fingerprint")
        if not given:
            raise ValidationError({"fingerprint": ["Required: the fingerprint of the proposal you approved."]})
        if given != fingerprint(current):
            return Response(
                {"detail": "The proposal changed since you saw it; fetch it again.", "code": "stale"},
                status=status.HTTP_409_CONFLICT,
            )
        added, ended = services.apply_proposal(policy, actor=request.user, proposal=current)
        return Response({"added": added, "ended": ended})
