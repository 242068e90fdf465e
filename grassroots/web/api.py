"""What the API shares: error shape and scoped viewsets."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Domain validation errors from services become field-keyed 400s."""
    from grassroots.cases.workflow import WorkflowError

    if isinstance(exc, WorkflowError):
        return Response({"detail": exc.message, "code": exc.code}, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail=detail)
    return drf_exception_handler(exc, context)


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]  # DRF generics are stub-only
    """A read-only viewset whose every row passes the caller's data scope."""

    def get_queryset(self) -> Any:
        queryset: Any = super().get_queryset()  # every viewset here serves a ScopedQuerySet
        return queryset.visible_to(self.request.user)
