"""The individual applications' API URLs under /api/v1/."""

from django.urls import path

from individuals import api

urlpatterns = [
    path(
        "individual-applications/",
        api.ApplicationList.as_view(),
        name="api-individual-application-list",
    ),
    path(
        "individual-applications/decide/",
        api.ApplicationDecide.as_view(),
        name="api-individual-application-decide",
    ),
    path(
        "individual-applications/<uuid:application_id>/",
        api.ApplicationDetail.as_view(),
        name="api-individual-application-detail",
    ),
]
