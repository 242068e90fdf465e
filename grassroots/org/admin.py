from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from grassroots.audit.admin_mixins import AuditedAdmin
from grassroots.org import services
from grassroots.org.models import (
    Enterprise,
    GridMember,
    Organisation,
    Person,
    Post,
    Posting,
    Team,
    TeamMember,
    Unit,
)


class ScopedAdmin(AuditedAdmin):
    """Administrators of a county see and edit only their county's subtree."""

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset: Any = super().get_queryset(request)  # every org model has a ScopedQuerySet
        return queryset.visible_to(request.user)


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ["code", "name", "name_en", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name", "name_en"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new unit needs its path, which only the service knows how to give.
        created = services.create_unit(
            actor=request.user,
            code=obj.code,
            name=obj.name,
            name_en=obj.name_en,
            level=obj.level,
            parent=obj.parent,
            boundary=obj.boundary,
        )
        obj.pk, obj.path = created.pk, created.path

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Moving a unit would have to rewrite its whole subtree's paths: not from this form.
        return ["path", "parent", "level"] if obj else ["path"]


class PostInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Post
    extra = 0
    raw_id_fields = ["organisation"]


class GridMemberInline(admin.TabularInline):  # type: ignore[type-arg]
    model = GridMember
    extra = 0
    raw_id_fields = ["grid"]


class PostingInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Posting
    extra = 0
    raw_id_fields = ["village", "sent_by"]


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = ["code", "name", "kind", "unit", "coordinates_unit"]
    list_filter = ["kind", "coordinates_unit"]
    search_fields = ["code", "name", "name_en"]
    raw_id_fields = ["unit"]


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedAdmin):
    list_display = ["code", "name", "sector", "above_designated_size", "unit"]
    list_filter = ["sector", "above_designated_size"]
    search_fields = ["code", "name", "name_en"]
    raw_id_fields = ["unit"]


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    list_display = ["code", "name", "name_en", "rank", "unit"]
    list_filter = ["rank"]
    search_fields = ["code", "name", "name_en"]
    raw_id_fields = ["unit"]
    inlines = [PostInline, GridMemberInline, PostingInline]


class TeamMemberInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TeamMember
    extra = 0
    raw_id_fields = ["person"]


@admin.register(Team)
class TeamAdmin(ScopedAdmin):
    list_display = ["name", "kind", "unit"]
    raw_id_fields = ["unit", "organisation"]
    inlines = [TeamMemberInline]
