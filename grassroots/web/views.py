"""Pages of the shell: the home page and helpers shared by every context's views."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from grassroots.org.models import Unit


def get_visible_or_404(queryset: QuerySet[Any], user: Any, **lookup: Any) -> Any:
    """The one row matching ``lookup`` that ``user`` may see; 404 for absent and hidden
    alike, so a probe cannot tell the two apart."""
    obj: Model | None = queryset.visible_to(user).filter(**lookup).first()  # type: ignore[attr-defined]  # scoped querysets
    if obj is None:
        raise Http404
    return obj


def add_refusal(form: Any, exc: Any) -> None:
    """A service's refusal (``ValidationError``, field → messages) shown on ``form``: on the
    field it names, or on the form as a whole when the form has no such field."""
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    roots = top_units(request.user)
    return render(request, "web/home.html", {"roots": roots})


def top_units(user: Any) -> list[Unit]:
    """The highest units a user can see: the roots of their scope."""
    paths = user.scope_paths()
    if paths is None:
        return list(Unit.objects.filter(parent__isnull=True))
    return list(Unit.objects.filter(path__in=paths))
