"""Small response helpers of the claim pages."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse, HttpResponseNotAllowed


def post_only(request) -> HttpResponse | None:
    """None for a POST; else the 405 answer."""
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def attachment(response: HttpResponse, filename: str, *, inline: bool = False) -> HttpResponse:
    kind = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{kind}; filename*=UTF-8''{quote(filename)}"
    return response
