"""Work calendar pages: a year's holidays and make-up workdays, editable by office admins."""

from django.urls import path

from mutualaid.calendar import views

app_name = "calendar"
urlpatterns = [
    path("", views.year_view, name="year"),
    path("<int:year>/", views.year_view, name="year_detail"),
    path("<int:year>/days/", views.day_set, name="day_set"),
    path("<int:year>/days/remove/", views.day_remove, name="day_remove"),
    path("<int:year>/load/", views.load_package, name="load_package"),
    path("<int:year>/confirm/", views.year_confirm, name="year_confirm"),
    path("<int:year>/unconfirm/", views.year_unconfirm, name="year_unconfirm"),
]
