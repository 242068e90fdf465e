from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.triage import services
from grassroots.triage.models import TriageModel
from grassroots.triage.tasks import retrain


@admin.register(TriageModel)
class TriageModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Model versions are made by training, not by hand; an administrator picks the active one."""

    list_display = ["version", "created_at", "trained_on", "accuracy", "macro_f1", "is_active"]
    readonly_fields = [
        "version",
        "created_at",
        "created_by",
        "trained_on",
        "labels",
        "accuracy",
        "macro_f1",
        "is_active",
    ]
    exclude = ["data"]
    actions = ["activate", "train_new"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).defer("data")

    @admin.action(description=gettext_lazy("Make the chosen version the active one"))
    def activate(self, request: HttpRequest, queryset: Any) -> None:
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            messages.error(request, _("Choose exactly one version."))
            return
        services.activate_model(chosen[0], actor=request.user)
        messages.success(request, _("Suggestions now come from v{v}.").format(v=chosen[0].version))

    @admin.action(description=gettext_lazy("Train a new version from the classified cases (in the background)"))
    def train_new(self, request: HttpRequest, queryset: Any) -> None:
        retrain.enqueue()
        messages.info(request, _("Training started; the new version appears here when it is done."))
