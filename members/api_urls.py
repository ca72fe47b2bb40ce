"""The members API's URLs under /api/v1/ (the portal's root URLconf includes them)."""

from django.urls import path

from members import api

urlpatterns = [
    path("units/", api.UnitListCreate.as_view(), name="api-unit-list"),
    path("units/<uuid:unit_id>/", api.UnitDetail.as_view(), name="api-unit-detail"),
    path("members/", api.MemberListCreate.as_view(), name="api-member-list"),
    path("members/<uuid:member_id>/", api.MemberDetail.as_view(), name="api-member-detail"),
    path(
        "members/<uuid:member_id>/transfers/",
        api.MemberTransfers.as_view(),
        name="api-member-transfers",
    ),
]
