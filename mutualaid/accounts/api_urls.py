"""The tenancy API's URLs under /api/v1/ (the portal's root URLconf includes them)."""

from django.urls import path

from mutualaid.accounts import api, token_api

urlpatterns = [
    path("organisations/", api.OrganisationListCreate.as_view(), name="api-organisation-list"),
    path(
        "organisations/<uuid:organisation_id>/",
        api.OrganisationDetail.as_view(),
        name="api-organisation-detail",
    ),
    path("users/", api.StaffListCreate.as_view(), name="api-user-list"),
    path("users/<uuid:user_id>/", api.StaffDetail.as_view(), name="api-user-detail"),
    path("me/", api.Me.as_view(), name="api-me"),
]

TOKEN = "tokens/<uuid:token_id>/"

urlpatterns += [
    path("tokens/", token_api.TokenListCreate.as_view(), name="api-token-list"),
    path(TOKEN, token_api.TokenDetail.as_view(), name="api-token-detail"),
    path(TOKEN + "revoke/", token_api.TokenRevoke.as_view(), name="api-token-revoke"),
    path(
        "service-accounts/",
        token_api.ServiceAccountListCreate.as_view(),
        name="api-service-account-list",
    ),
]
