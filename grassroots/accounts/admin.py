from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from grassroots.accounts.models import RoleGrant, User
from grassroots.audit.admin_mixins import AuditedAdmin


class RoleGrantInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RoleGrant
    extra = 0


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin[User]):
    list_display = ["username", "person", "is_staff", "is_active"]
    raw_id_fields = ["person"]
    inlines = [RoleGrantInline]
    fieldsets = (*BaseUserAdmin.fieldsets, ("grassroots", {"fields": ("person",)}))  # type: ignore[misc]
