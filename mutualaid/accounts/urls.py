"""Organisation tree and user management pages (URL names keep the ``tenancy`` namespace)."""

from django.urls import path

from mutualaid.accounts import token_views, views

app_name = "tenancy"
urlpatterns = [
    path("org/", views.organisation_list, name="organisation_list"),
    path("org/<uuid:organisation_id>/", views.organisation_detail, name="organisation_detail"),
    path("org/<uuid:organisation_id>/add/", views.organisation_create, name="organisation_create"),
    path("org/<uuid:organisation_id>/edit/", views.organisation_edit, name="organisation_edit"),
    path("users/", views.staff_list, name="staff_list"),
    path("users/new/", views.staff_create, name="staff_create"),
    path("users/<uuid:user_id>/edit/", views.staff_edit, name="staff_edit"),
    path("account/tokens/", token_views.token_list, name="token_list"),
    path("account/tokens/<uuid:token_id>/revoke/", token_views.token_revoke, name="token_revoke"),
]
