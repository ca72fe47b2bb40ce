"""Keyset-paged API lists built on ``mutualaid.core.paging.keyset_page``.

Lists whose order is not a single column (names with ties, dates) page through the
selectors' ``keyset_page`` instead of DRF's CursorPagination; these helpers give them
the same ``{"next", "previous", "results"}`` shape and the same query parameters.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500

CURSOR = OpenApiParameter("cursor", OpenApiTypes.STR, description="The `next` link's cursor.")
PAGE_SIZE = OpenApiParameter(
    "page_size", OpenApiTypes.INT, description=f"1–{MAX_PAGE_SIZE}, default {DEFAULT_PAGE_SIZE}."
)


def page_size(request, default: int = DEFAULT_PAGE_SIZE) -> int:
    """The requested page size, clamped to 1…MAX_PAGE_SIZE; the default on nonsense."""
    try:
        size = int(request.query_params.get("page_size", default))
    except ValueError:
        size = default
    return max(1, min(size, MAX_PAGE_SIZE))


def paged_response(request, page, data) -> Response:
    """One keyset page as the API's list shape; ``next`` carries the cursor."""
    next_url = None
    if page.next_cursor:
        next_url = replace_query_param(request.build_absolute_uri(), "cursor", page.next_cursor)
    return Response({"next": next_url, "previous": None, "results": data})
