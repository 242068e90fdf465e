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


class Serializer(serializers.Serializer[Any]):
    """DRF deep-copies a plain serializer's declared fields for every instance, choices and
    querysets included (intake's three input serializers: 7 % of the request, measured).
    Each instance gets fresh fields made from their arguments instead (``_fresh``)."""

    def get_fields(self) -> dict[str, Any]:
        return {name: _fresh(field) for name, field in self._declared_fields.items()}


def _fresh(field: Any) -> Any:
    """A new, unbound field like ``field`` — what DRF's ``Field.__deepcopy__`` gives,
    without deep-copying what is only ever read: the model field, the choices, the
    validators and the queryset a field carries (a tenth of an intake request went to
    copying them). A plain field is copied shallowly (binding sets attributes of the copy
    only); a field holding other fields (a nested serializer, a list's child) is made
    again from its arguments, its children fresh the same way. A mutable default is still
    copied, so no two requests can share one."""
    if isinstance(field, serializers.BaseSerializer) or any(
        isinstance(v, serializers.Field) for v in (*field._args, *field._kwargs.values())
    ):
        return _remade(field)
    fresh = object.__new__(type(field))  # copy.copy, without its pickling protocol
    fresh.__dict__.update(field.__dict__)
    if isinstance(field.default, (list, dict, set)):
        fresh.default = copy.deepcopy(field.default)
    return fresh


def _remade(field: Any) -> Any:
    """``field`` made again from its arguments (a child given as an argument was bound by
    its parent when made, so it is made again too, never copied)."""
    args = [_remade(a) if isinstance(a, serializers.Field) else a for a in field._args]
    kwargs = {key: _argument(key, value) for key, value in field._kwargs.items()}
    return type(field)(*args, **kwargs)


def _argument(key: str, value: Any) -> Any:
    if isinstance(value, serializers.Field):
        return _remade(value)
    if key not in _READ_ONLY_ARGUMENTS and isinstance(value, (list, dict, set)):
        return copy.deepcopy(value)
    return value


# Arguments DRF reads and never changes: ChoiceField builds its own maps from ``choices``.
_READ_ONLY_ARGUMENTS = frozenset({"choices", "validators"})


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
