from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.audit.admin_mixins import AuditedAdmin
from grassroots.open311 import services
from grassroots.open311.models import ApiClient, ResidentReport, ServiceQuestion


@admin.register(ApiClient)
class ApiClientAdmin(AuditedAdmin):
    list_display = ["name", "key_prefix", "per_minute", "is_active", "created_at", "revoked_at", "last_used_at"]
    list_filter = ["is_active"]
    readonly_fields = ["key_prefix", "created_at", "revoked_at", "last_used_at"]
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new client gets its key from the service, which keeps only the hash; the key
        # is shown to the administrator this once.
        client, key = services.issue_key(
            actor=request.user, name=obj.name, contact=obj.contact, per_minute=obj.per_minute
        )
        obj.pk = client.pk
        obj.key_prefix = client.key_prefix
        obj.key_hash = client.key_hash
        obj.created_at = client.created_at
        obj._state.adding = False
        messages.warning(
            request,
            _("The API key of {name} is {key} — copy it now, it is not shown again.").format(name=client.name, key=key),
        )

    @admin.action(description=gettext_lazy("Revoke the keys of the chosen clients"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        for client in queryset.filter(is_active=True):
            services.revoke_key(client, actor=request.user)


@admin.register(ServiceQuestion)
class ServiceQuestionAdmin(AuditedAdmin):
    list_display = ["category", "code", "datatype", "required", "variable", "order", "description"]
    list_filter = ["datatype", "required"]
    search_fields = ["code", "description", "description_en", "category__code"]


@admin.register(ResidentReport)
class ResidentReportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: reports change only through their case."""

    list_display = ["__str__", "source", "client", "is_public", "submitted_at", "processed_at"]
    list_filter = ["source", "is_public"]
    readonly_fields = [f.name for f in ResidentReport._meta.fields if f.name not in ("pending", "secret_hash", "token")]
    exclude = ["pending"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> Any:
        from grassroots.cases.models import Case

        visible = Case.objects.visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(case__in=visible)
