from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from grassroots.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """Read-only: the log is appended by services and never edited by hand."""

    list_display = ["at", "actor_name", "action", "target_type", "target_repr", "ip", "channel"]
    list_filter = ["action", "channel", "target_type"]
    search_fields = ["actor_name", "target_repr", "target_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
