from django.urls import path

from mutualaid.tenancy import api as tenancy_api

urlpatterns = [
    path("organisations/", tenancy_api.OrganisationListCreate.as_view(), name="api-organisation-list"),
    path("organisations/<uuid:organisation_id>/", tenancy_api.OrganisationDetail.as_view(),
         name="api-organisation-detail"),
    path("users/", tenancy_api.StaffListCreate.as_view(), name="api-user-list"),
    path("users/<uuid:user_id>/", tenancy_api.StaffDetail.as_view(), name="api-user-detail"),
    path("me/", tenancy_api.Me.as_view(), name="api-me"),
]
