"""Keyset pagination for every API list: the cost of a page does not grow with its depth."""

from typing import Any

from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Cursor (keyset) pagination in the order the view names in ``ordering`` (a unique,
    indexed column, e.g. ``"-id"`` for newest first); ``pk`` where it names none.

    DRF's own cursor pagination reads only its own ``ordering`` (or an ordering filter's),
    so a view's ``ordering`` would be silently ignored: the case list came oldest first."""

    ordering = "pk"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> tuple[str, ...]:
        ordering = getattr(view, "ordering", None)
        if isinstance(ordering, str):
            return (ordering,)
        if ordering:
            return tuple(ordering)
        return tuple(super().get_ordering(request, queryset, view))
