"""Notification pages: the list and marking read."""

from django.urls import path

from mutualaid.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("badge/", views.notification_badge, name="badge"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("settings/", views.notification_preferences, name="preferences"),
    path("<uuid:notification_id>/open/", views.notification_open, name="open"),
]
