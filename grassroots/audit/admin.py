from django.contrib import admin

from grassroots.audit.admin_mixins import ReadOnlyAdmin
from grassroots.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the log is appended by services and never edited by hand."""

    list_display = ["at", "actor_name", "action", "target_type", "target_repr", "ip", "channel"]
    list_filter = ["action", "channel", "target_type"]
    search_fields = ["actor_name", "target_repr", "target_id"]
    date_hierarchy = "at"
