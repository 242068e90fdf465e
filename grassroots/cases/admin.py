from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms.models import model_to_dict
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots.audit.admin_mixins import AuditedAdmin, ReadOnlyAdmin
from grassroots.cases import deadlines
from grassroots.cases.models import (
    CalendarDay,
    Case,
    CaseEvent,
    Category,
    DeadlinePolicy,
    NoticeTemplate,
    Receipt,
    RoutingRule,
)
from grassroots.cases.services import with_case_numbers


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = ["code", "name", "name_en", "parent", "is_active", "sort_order"]
    list_filter = ["is_active", "parent"]
    search_fields = ["code", "name", "name_en", "keywords"]
    list_editable = ["is_active", "sort_order"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedAdmin):
    list_display = ["category", "unit", "kind", "organisation", "priority", "is_active"]
    list_filter = ["is_active", "kind"]
    raw_id_fields = ["unit", "organisation"]

    def get_queryset(self, request: HttpRequest) -> Any:
        # An administrator sees the rules of the units they may see.
        from grassroots.org.paths import within_q

        paths = request.user.scope_paths()  # type: ignore[union-attr]  # admin users are real Users
        queryset = super().get_queryset(request).select_related("category", "unit", "organisation")
        return queryset if paths is None else queryset.filter(within_q("unit__path", paths))


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(AuditedAdmin):
    """Saving a change makes a new version; cases keep the version they started under."""

    list_display = [
        "key",
        "version",
        "name",
        "kind",
        "category",
        "accept_days",
        "handle_days",
        "respond_hours",
        "resolve_hours",
        "working_days",
        "is_current",
    ]
    list_filter = ["is_current", "kind"]
    readonly_fields = ["version", "is_current", "created_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        values = {f: v for f, v in model_to_dict(obj, fields=deadlines.POLICY_FIELDS).items() if f != "category"}
        revised = deadlines.revise_policy(
            DeadlinePolicy.objects.get(pk=obj.pk), actor=request.user, category=obj.category, **values
        )
        obj.pk, obj.version = revised.pk, revised.version

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    list_display = ["day", "is_working_day", "name"]
    list_filter = ["is_working_day"]
    date_hierarchy = "day"


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(AuditedAdmin):
    list_display = ["kind", "language", "title", "updated_at"]
    list_filter = ["kind", "language"]


class CaseEventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "kind", "actor", "organisation", "from_state", "to_state", "note", "payload"]
    fields = ("at", "kind", "actor", "organisation", "from_state", "to_state", "note", "payload")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Read-only: cases change only through their acts (the case page and the API)."""

    list_display = ["number", "title", "state", "kind", "channel", "unit", "responsible", "registered_at"]
    list_filter = ["state", "kind", "channel", "is_difficult", "is_urgent"]
    search_fields = ["number", "title"]
    inlines = [CaseEventInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        return Case.objects.visible_to(request.user).select_related("unit", "responsible")


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    """Read-only: how many intakes answered at once are waiting, and what became of each.
    What a receipt still holds of the case (the petitioner) is not shown here, and an
    administrator below the top sees only the receipts they took themselves (a receipt's
    place is known only to its case, whose page keeps its own scope)."""

    list_display = ["__str__", "received_at", "received_by", "status", "case", "processed_at"]
    list_filter = [("processed_at", admin.EmptyFieldListFilter)]
    fields = ["received_at", "received_by", "ip", "user_agent", "case", "refused", "processed_at"]
    readonly_fields = ["case"]

    def get_queryset(self, request: HttpRequest) -> Any:
        receipts = super().get_queryset(request).select_related("received_by")
        if request.user.scope_paths() is not None:  # type: ignore[union-attr]  # admin users are Users
            receipts = receipts.filter(received_by_id=request.user.pk)
        return with_case_numbers(receipts)

    @admin.display(description=_("case"))
    def case(self, receipt: Receipt) -> str:
        number = getattr(receipt, "case_number", None)
        if not number:
            return "-"
        return format_html('<a href="{}">{}</a>', reverse("cases:detail", args=[number]), number)

    @admin.display(description=_("state"))
    def status(self, receipt: Receipt) -> str:
        return str(RECEIPT_STATES[receipt.state])


RECEIPT_STATES = {
    "pending": pgettext_lazy("receipt", "waiting"),
    "registered": pgettext_lazy("receipt", "registered"),
    "refused": pgettext_lazy("receipt", "refused"),
}
