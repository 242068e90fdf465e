"""Admin screens write through Django's admin, not our services; this mixin makes those
writes audited all the same, inside the admin's own transaction."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms.models import model_to_dict
from django.http import HttpRequest

from grassroots.audit.models import Action
from grassroots.audit.services import changes, record


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic only in stubs
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = model_to_dict(type(obj)._default_manager.get(pk=obj.pk)) if change and obj.pk else {}
        super().save_model(request, obj, form, change)
        after = model_to_dict(obj)
        record(
            Action.UPDATE if change else Action.CREATE,
            actor=request.user,
            target=obj,
            detail={"changes": changes(before, after), "via": "admin"},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record(Action.DELETE, actor=request.user, target=obj, detail={"via": "admin"})
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            record(Action.DELETE, actor=request.user, target=obj, detail={"via": "admin"})
        super().delete_queryset(request, queryset)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic only in stubs
    """A list and a page to read: rows written by services (the audit log, cases, intake
    receipts) are never added, edited or deleted by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
