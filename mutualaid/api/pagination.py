"""Keyset pagination for every API list (DRF's cursor paging: no OFFSET, no COUNT(*))."""

from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """DRF's cursor pagination is keyset paging: no OFFSET, no COUNT(*)."""

    page_size = 50
    max_page_size = 500
    page_size_query_param = "page_size"
    ordering = "pk"

    def get_ordering(self, request, queryset, view):
        # DRF reads only the paginator's own ``ordering``; each view names its keyset
        # order (a unique column, e.g. the tree's path) in its ``ordering`` attribute.
        ordering = getattr(view, "ordering", None)
        if ordering:
            return (ordering,) if isinstance(ordering, str) else tuple(ordering)
        return super().get_ordering(request, queryset, view)
