"""Plan catalogue pages: plans, versions, items, the plan card and the calculator."""

from django.urls import path

from plans import views

app_name = "plans"
V = "<uuid:plan_id>/versions/<uuid:version_id>/"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("calculator/", views.calculator, name="calculator"),
    path("<uuid:plan_id>/", views.plan_detail, name="plan_detail"),
    path("<uuid:plan_id>/edit/", views.plan_edit, name="plan_edit"),
    path("<uuid:plan_id>/versions/new/", views.version_create, name="version_create"),
    path(V, views.version_detail, name="version_detail"),
    path(V + "edit/", views.version_edit, name="version_edit"),
    path(V + "copy/", views.version_copy, name="version_copy"),
    path(V + "publish/", views.version_publish, name="version_publish"),
    path(V + "delete/", views.version_delete, name="version_delete"),
    path(V + "items/new/", views.item_create, name="item_create"),
    path(V + "items/<uuid:item_id>/edit/", views.item_edit, name="item_edit"),
    path(V + "items/<uuid:item_id>/delete/", views.item_delete, name="item_delete"),
]
