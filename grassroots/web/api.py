"""What the API shares: error shape and scoped viewsets."""

from __future__ import annotations

import copy
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

_M = TypeVar("_M", bound=models.Model)
_BUILT: dict[type, dict[str, Any]] = {}


class ModelSerializer(serializers.ModelSerializer[_M]):
    """DRF's ModelSerializer introspects its model afresh for every instance: a fifth of an
    intake request's time, measured (docs/performance.md). The fields depend only on the
    class, so they are built once per class and each instance gets fresh ones."""

    def get_fields(self) -> dict[str, Any]:
        built = _BUILT.get(type(self))
        if built is None:
            built = _BUILT[type(self)] = super().get_fields()
        return {name: _fresh(field) for name, field in built.items()}


def _fresh(field: Any) -> Any:
    """A new, unbound field made with the arguments ``field`` was made with — what DRF's
    ``Field.__deepcopy__`` does, without deep-copying each argument: the model field, the
    choices and the queryset a built field carries are only ever read (a tenth of an intake
    request went to copying them). Nested serializers and fields given as arguments (a
    list's child) are still copied in full."""
    if isinstance(field, serializers.BaseSerializer):
        return copy.deepcopy(field)
    kwargs = {
        key: copy.deepcopy(value) if isinstance(value, serializers.Field) else value
        for key, value in field._kwargs.items()
    }
    return type(field)(*field._args, **kwargs)


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
