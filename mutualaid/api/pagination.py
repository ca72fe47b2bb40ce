from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """DRF's cursor pagination is keyset paging: no OFFSET, no COUNT(*)."""

    page_size = 50
    max_page_size = 500
    page_size_query_param = "page_size"
    ordering = "pk"
