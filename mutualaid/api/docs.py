"""The schema (/api/schema/) and its docs page (/api/docs/): for signed-in users and token
holders only (``SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]``). A browser without a session
is sent to the login page and back; the page has a bar back to the portal and to the
token page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from drf_spectacular.views import SpectacularSwaggerSplitView


class PortalSwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/docs.html"
    title = "职工互助保障 API"


api_docs = login_required(PortalSwaggerView.as_view(url_name="api-schema"))
