"""Units and members pages: registration, search, transfers."""

from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<uuid:unit_id>/", views.unit_detail, name="unit_detail"),
    path("units/<uuid:unit_id>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<uuid:unit_id>/members/", views.unit_members, name="unit_members"),
    path("units/<uuid:unit_id>/members/new/", views.member_create, name="member_create"),
    path("members/", views.member_search, name="member_search"),
    path("members/<uuid:member_id>/", views.member_detail, name="member_detail"),
    path("members/<uuid:member_id>/edit/", views.member_edit, name="member_edit"),
    path("members/<uuid:member_id>/transfer/", views.member_transfer, name="member_transfer"),
]
