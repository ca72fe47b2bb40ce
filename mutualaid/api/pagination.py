"""DRF's cursor pagination with the pages' cursor rules (``mutualaid.core.paging``).

DRF's own cursor is base64 of a query string, read back as whatever it says: a forged
position reached the database as text for any column (a NUL byte, letters for an
integer key: 500s). Here the cursor is signed with the list's model and order as salt,
its position is checked against the ordering field, and a bad one is the same 400
(``BadCursor``) as on the pages, not DRF's 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.utils.urls import replace_query_param

from mutualaid.core.paging import BadCursor, key_field, read_cursor, sign_cursor, value_fits


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

    def paginate_queryset(self, queryset, request, view=None):
        ordering = self.get_ordering(request, queryset, view)
        self._salt = f"mutualaid.api.pagination:{queryset.model._meta.label_lower}:{ordering}"
        self._position_field = key_field(queryset, ordering[0])
        return super().paginate_queryset(queryset, request, view)

    def encode_cursor(self, cursor):
        values = [cursor.offset, int(cursor.reverse)]
        if cursor.position is not None:
            values.append(cursor.position)
        token = sign_cursor(values, self._salt)
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    def decode_cursor(self, request):
        token = request.query_params.get(self.cursor_query_param)
        if not token:
            return None
        values = read_cursor(token, self._salt)
        if len(values) not in (2, 3):
            raise BadCursor
        offset, reverse, *rest = values
        position = rest[0] if rest else None
        if (
            not isinstance(offset, int)
            or isinstance(offset, bool)
            or not 0 <= offset <= self.offset_cutoff
            or reverse not in (0, 1)
            or (position is not None and not self._position_fits(position))
        ):
            raise BadCursor
        return Cursor(offset=offset, reverse=bool(reverse), position=position)

    def _position_fits(self, position) -> bool:
        # DRF keeps the position as the text of the ordering column's value.
        if not isinstance(position, str):
            return False
        try:
            value = self._position_field.to_python(position)
        except (ValidationError, ValueError, TypeError):
            return False
        return value_fits(self._position_field, value)
