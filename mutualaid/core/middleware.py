"""The kernel's middleware: two rules that hold for every page and every API answer.

**Unreadable input is a 400** (``InputGuardMiddleware``). Two doors, one answer:

- at the way in, a NUL byte or a lone surrogate anywhere in the path, the query string,
  a posted form or a cookie (nothing a person can type; PostgreSQL cannot store the first,
  UTF-8 cannot encode the second, so either turned a search into a server error);
- on the way out, ``BadInput`` raised by any view or selector (a forged page cursor).

Pages get a plain page with the message (it needs no actor: the refusal comes before
the user is looked up); /api/ gets ``{"detail": message}`` like DRF's own 400s.

**Nothing a signed-in user receives is cached** (``NoStoreMiddleware``). Pages, API
answers and files alike carry names, ID numbers and bank accounts; the simplest honest
rule is that nothing a signed-in user receives is kept by the browser's cache or a proxy
(a shared office PC, the back button after logging out). Anonymous responses (the login
page, /healthz, static files, which whitenoise serves before this runs) are left as they
are. The user is read after the view: DRF authenticates tokens inside the view and sets
the user on the underlying request, so API calls with a token are covered too.
"""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from mutualaid.core.cleaning import is_storable_text
from mutualaid.core.errors import BadInput

API_PREFIX = "/api/"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def bad_input_response(request, message) -> HttpResponseBadRequest | JsonResponse:
    """The 400 for ``message``: JSON under /api/, a plain page elsewhere."""
    if request.path.startswith(API_PREFIX):
        # Plain UTF-8, as DRF writes its own answers.
        return JsonResponse(
            {"detail": str(message)}, status=400, json_dumps_params={"ensure_ascii": False}
        )
    return HttpResponseBadRequest(render_to_string("400.html", {"message": message}))


def unstorable_message() -> str:
    return _(
        "The request contains characters that cannot be stored (an empty or broken "
        "character): check what was typed or pasted and try again."
    )


def _readable(request) -> bool:
    if not is_storable_text(request.path):
        return False
    # Django unquotes "\000" in a quoted cookie to a NUL, and the session cookie goes
    # straight into a database lookup.
    for name, value in request.COOKIES.items():
        if not is_storable_text(name) or not is_storable_text(value):
            return False
    params = [request.GET]
    if request.method == "POST" and request.content_type in _FORM_TYPES:
        params.append(request.POST)
    for query in params:
        for key, values in query.lists():
            if not is_storable_text(key) or not all(map(is_storable_text, values)):
                return False
    return True


class InputGuardMiddleware:
    """Refuse unstorable characters in parameters; answer ``BadInput`` from views with 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _readable(request):
            return bad_input_response(request, unstorable_message())
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BadInput):
            return bad_input_response(request, exception.message)
        return None


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
