"""The unit-tree browser: units, their organisations, people and enterprises."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grassroots.audit.models import Action
from grassroots.audit.services import record
from grassroots.org.models import Enterprise, GridMember, Organisation, Person, Post, Posting, Team, Unit
from grassroots.web.exports import table_response
from grassroots.web.views import get_visible_or_404, top_units

ENTERPRISES_SHOWN = 50


@login_required
def unit_tree(request: HttpRequest) -> HttpResponse:
    roots = _with_child_counts(Unit.objects.filter(pk__in=[u.pk for u in top_units(request.user)]))
    return render(request, "org/unit_tree.html", {"units": roots})


@login_required
def unit_children(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_visible_or_404(Unit.objects.all(), request.user, code=code)
    children = _with_child_counts(unit.children.visible_to(request.user))
    return render(request, "org/partials/unit_children.html", {"units": children, "parent": unit})


def _with_child_counts(units: Any) -> list[Unit]:
    return list(units.annotate(child_count=Count("children")).order_by("path"))


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = get_visible_or_404(Unit.objects.select_related("parent"), user, code=code)
    ancestors = list(Unit.objects.visible_to(user).filter(path__in=unit.ancestor_paths()[:-1]).order_by("path"))
    children = _with_child_counts(unit.children.visible_to(user))
    active_posts = Post.objects.active().select_related("person").order_by("-is_leader", "started_on", "id")
    organisations = list(
        Organisation.objects.filter(unit=unit).prefetch_related(Prefetch("posts", queryset=active_posts))
    )
    people_here = list(Person.objects.filter(unit=unit).order_by("code")[:200])
    enterprises_qs = Enterprise.objects.within(unit)
    enterprises = list(enterprises_qs.select_related("unit")[:ENTERPRISES_SHOWN])
    grid_members = list(GridMember.objects.active().filter(grid=unit).select_related("person"))
    postings = list(Posting.objects.active().filter(village=unit).select_related("person", "sent_by"))
    teams = list(Team.objects.filter(unit=unit).prefetch_related("memberships__person"))
    context = {
        "unit": unit,
        "ancestors": ancestors,
        "children": children,
        "organisations": organisations,
        "people": people_here,
        "enterprises": enterprises,
        "enterprise_count": enterprises_qs.count(),
        "enterprises_shown": ENTERPRISES_SHOWN,
        "grid_members": grid_members,
        "postings": postings,
        "teams": teams,
    }
    return render(request, "org/unit_detail.html", context)


@login_required
def person_detail(request: HttpRequest, code: str) -> HttpResponse:
    person = get_visible_or_404(Person.objects.select_related("unit"), request.user, code=code)
    context = {
        "person": person,
        "posts": person.posts.select_related("organisation__unit").order_by("-started_on"),
        "grid_memberships": person.grid_memberships.select_related("grid"),
        "postings": person.postings.select_related("village", "sent_by"),
        "teams": person.team_memberships.select_related("team"),
    }
    return render(request, "org/person_detail.html", context)


@login_required
@require_POST
def reveal_phone(request: HttpRequest, code: str) -> HttpResponse:
    """The full phone number, for roles that need it; each reveal is audited."""
    person = get_visible_or_404(Person.objects.all(), request.user, code=code)
    if not request.user.may_unmask:  # type: ignore[union-attr]  # login_required: a real User
        raise Http404
    with transaction.atomic():
        record(Action.READ, actor=request.user, target=person, detail={"fields": ["phone"]})
    return render(request, "org/partials/phone.html", {"phone": person.phone})


EXPORTS = {"units", "organisations", "enterprises", "people"}


@login_required
def export(request: HttpRequest, code: str, what: str, fmt: str) -> HttpResponse:
    """A unit's whole subtree of one kind of record, as xlsx or CSV."""
    if what not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404
    user = request.user
    unit = get_visible_or_404(Unit.objects.all(), user, code=code)
    header, rows = _export_rows(what, unit, user)
    with transaction.atomic():
        record(Action.EXPORT, actor=user, target=unit, detail={"what": what, "format": fmt, "rows": len(rows)})
    return table_response(f"{unit.code}-{what}", fmt, header, rows)


def _export_rows(what: str, unit: Unit, user: Any) -> tuple[list[str], list[list[Any]]]:
    if what == "units":
        units = Unit.objects.within(unit).visible_to(user).select_related("parent")
        return (
            [_("code"), _("name"), _("English name"), _("level"), _("parent code")],
            [[u.code, u.name, u.name_en, u.get_level_display(), u.parent.code if u.parent else ""] for u in units],
        )
    if what == "organisations":
        orgs = Organisation.objects.within(unit).visible_to(user).select_related("unit")
        return (
            [_("code"), _("name"), _("English name"), _("kind"), _("unit code")],
            [[o.code, o.name, o.name_en, o.get_kind_display(), o.unit.code] for o in orgs],
        )
    if what == "enterprises":
        ents = Enterprise.objects.within(unit).visible_to(user).select_related("unit")
        return (
            [_("code"), _("name"), _("English name"), _("sector"), _("above designated size"), _("unit code")],
            [
                [
                    e.code,
                    e.name,
                    e.name_en,
                    e.get_sector_display(),
                    _("yes") if e.above_designated_size else _("no"),
                    e.unit.code,
                ]
                for e in ents
            ],
        )
    people = list(Person.objects.within(unit).visible_to(user).select_related("unit"))
    unmask = user.may_unmask
    if unmask and people:
        record(Action.READ, actor=user, target=unit, detail={"fields": ["phone"], "people": len(people)})
    return (
        [_("staff number"), _("name"), _("English name"), _("rank"), _("phone"), _("unit code")],
        [
            [p.code, p.name, p.name_en, p.get_rank_display(), p.phone if unmask else p.masked_phone, p.unit.code]
            for p in people
        ],
    )
