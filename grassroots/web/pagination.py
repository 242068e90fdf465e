"""Keyset pagination for every API list: the cost of a page does not grow with its depth."""

from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Cursor (keyset) pagination; views set ``ordering`` to a unique, indexed column."""

    ordering = "pk"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
