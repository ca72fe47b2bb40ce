from django.urls import path

from mutualaid.calendar import views

app_name = "calendar"
urlpatterns = [
    path("", views.year_view, name="year"),
]
