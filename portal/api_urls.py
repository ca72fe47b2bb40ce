"""/api/v1/: every app's API URLs, each app owning its own list (``<app>/api_urls.py``)."""

from django.urls import include, path

urlpatterns = [
    path("", include("mutualaid.accounts.api_urls")),
    path("", include("members.api_urls")),
    path("", include("plans.api_urls")),
    path("", include("enrolment.api_urls")),
    path("", include("premiums.api_urls")),
    path("", include("claims.api_urls")),
    path("", include("individuals.api_urls")),
    path("", include("stats.api_urls")),
]
