"""The stats API's URLs under /api/v1/ (the portal's root URLconf includes them)."""

from django.urls import path

from stats import api

urlpatterns = [
    path("stats/nodes/<uuid:organisation_id>/", api.StatsNode.as_view(), name="api-stats-node"),
    path("stats/returns/", api.StatsReturns.as_view(), name="api-stats-returns"),
]
