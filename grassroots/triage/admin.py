from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.triage import services
from grassroots.triage.models import TriageModel
from grassroots.triage.tasks import retrain


def percent(value: float | None) -> str:
    """A cross-validated score as administrators compare them (92.4%), or a dash for a
    model that was not scored."""
    return "—" if value is None else f"{value * 100:.1f}%"


@admin.register(TriageModel)
class TriageModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Model versions are made by training, not by hand; an administrator picks the active one."""

    list_display = ["version", "created_at", "trained_on", "accuracy_shown", "macro_f1_shown", "is_active"]
    readonly_fields = [
        "version",
        "created_at",
        "created_by",
        "trained_on",
        "labels",
        "accuracy_shown",
        "macro_f1_shown",
        "is_active",
    ]
    exclude = ["data"]
    actions = ["activate", "train_new"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).defer("data")

    @admin.display(description=gettext_lazy("accuracy (cross-validated)"), ordering="accuracy")
    def accuracy_shown(self, model: TriageModel) -> str:
        return percent(model.accuracy)

    @admin.display(description=gettext_lazy("macro-F1 (cross-validated)"), ordering="macro_f1")
    def macro_f1_shown(self, model: TriageModel) -> str:
        return percent(model.macro_f1)

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
