"""``Cache-Control: no-store`` on every response to a signed-in user.

Pages, API answers and files alike carry names, ID numbers and bank accounts; the simplest
honest rule is that nothing a signed-in user receives is kept by the browser's cache or a
proxy (a shared office PC, the back button after logging out). Anonymous responses (the
login page, /healthz, static files, which whitenoise serves before this runs) are left as
they are.

The user is read after the view: DRF authenticates tokens inside the view and sets the
user on the underlying request, so API calls with a token are covered too.
"""

from __future__ import annotations

from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
