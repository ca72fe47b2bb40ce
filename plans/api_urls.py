"""The plans API's URLs under /api/v1/ (the portal's root URLconf includes them)."""

from django.urls import path

from mutualaid.api.moved import moved
from plans import api

PLAN = "plans/<uuid:plan_id>/"
VERSION = PLAN + "versions/<uuid:version_id>/"

urlpatterns = [
    path("plans/", api.PlanListCreate.as_view(), name="api-plan-list"),
    path(PLAN, api.PlanDetail.as_view(), name="api-plan-detail"),
    path(PLAN + "versions/", api.VersionListCreate.as_view(), name="api-plan-version-list"),
    path(VERSION, api.VersionDetail.as_view(), name="api-plan-version-detail"),
    path(VERSION + "publish/", api.VersionPublish.as_view(), name="api-plan-version-publish"),
    path(VERSION + "copy/", api.VersionCopy.as_view(), name="api-plan-version-copy"),
    path(VERSION + "assess/", api.VersionAssess.as_view(), name="api-plan-version-assess"),
    path(VERSION + "items/", api.ItemListCreate.as_view(), name="api-plan-item-list"),
    path(
        VERSION + "items/<uuid:item_id>/",
        api.ItemDetail.as_view(),
        name="api-plan-item-detail",
    ),
    # Before issue 18 (one release): the same without the trailing slash.
    *(moved(VERSION + step, f"api-plan-version-{step}") for step in ("publish", "copy", "assess")),
]
