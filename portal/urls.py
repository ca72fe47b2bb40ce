"""The root URLconf: pages of every app, /api/v1/ (``portal.api_urls``), the schema and docs,
the admin, /healthz."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from mutualaid.accounts.auth_views import PortalLoginView
from mutualaid.api.docs import api_docs
from mutualaid.home import views as home_views
from portal import views as portal_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("healthz", home_views.healthz, name="healthz"),
    path("accounts/login/", PortalLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("mutualaid.accounts.urls")),
    path("", include("members.urls")),
    path("calendar/", include("mutualaid.calendar.urls")),
    path("plans/", include("plans.urls")),
    path("enrolments/", include("enrolment.urls")),
    path("premiums/", include("premiums.urls")),
    path("claims/", include("claims.urls")),
    path("stats/", include("stats.urls")),
    path("individuals/", include("individuals.urls")),
    path("apply/", include("individuals.public_urls")),
    path("notifications/", include("mutualaid.notifications.urls")),
    path("audit/", include("mutualaid.audit.urls")),
    path("jobs/", include("mutualaid.jobs.urls")),
    path("daily/", portal_views.daily_run, name="daily_run"),
    # The members' own door (self-service, issue 17): no staff account.
    path("me/", include("portal.member_urls")),
    path("api/v1/", include("portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("admin/", admin.site.urls),
]

# JSON under /api/ (an unknown API URL answers like a missing object), the page elsewhere.
handler404 = "mutualaid.api.schema.not_found"
