"""Old API paths, kept for one release: each answers ``308 Permanent Redirect`` to its new
path (method and body kept, so a POST stays a POST), with the headers that say so:
``Deprecation`` (RFC 9745), ``Sunset`` (RFC 8594, the day it goes) and
``Link: <new>; rel="successor-version"``, and a JSON body in words.

Since issue 18 every API path ends with a slash, actions and files included
(``…/submit/``, ``…/notice/``, ``…/bank-file/csv/``); the old ones are listed in each app's
``api_urls.py`` with ``moved(old_route, new_name)``. The redirect looks nothing up, so it
answers the same for any id (the new path does the scoping). They stay out of the schema.
"""

from __future__ import annotations

import datetime

from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

#: Announced on: the release that introduced the new paths.
DEPRECATED_ON = datetime.datetime(2026, 12, 5, tzinfo=datetime.UTC)
#: The old paths stop answering after this day (the next release).
SUNSET_ON = datetime.datetime(2027, 6, 30, tzinfo=datetime.UTC)
#: Full routes of every old path (``api/v1/…``), for the URL walks of the tests.
MOVED_ROUTES: list[str] = []


def _redirect_to(new_name: str):
    @csrf_exempt
    def moved_view(request, **kwargs):
        target = reverse(new_name, kwargs=kwargs)
        if request.META.get("QUERY_STRING"):
            target += "?" + request.META["QUERY_STRING"]
        response = JsonResponse(
            {
                "detail": (
                    f"此地址已弃用，将于 {SUNSET_ON:%Y-%m-%d} 后停止服务：请改用 {target}"
                    "（所有接口地址都以 / 结尾）。"
                ),
                "location": target,
            },
            status=308,
        )
        response["Location"] = target
        response["Deprecation"] = f"@{int(DEPRECATED_ON.timestamp())}"
        response["Sunset"] = http_date(SUNSET_ON.timestamp())
        response["Link"] = f'<{target}>; rel="successor-version"'
        return response

    moved_view.moved_to = new_name
    return moved_view


def moved(old_route: str, new_name: str, *, prefix: str = "api/v1/"):
    """A URL pattern for an old path that answers 308 to ``new_name`` (same kwargs)."""
    MOVED_ROUTES.append(prefix + old_route)
    return path(old_route, _redirect_to(new_name))
