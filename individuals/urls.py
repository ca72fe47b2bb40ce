from django.urls import path

from individuals import views

app_name = "individuals"

urlpatterns = [
    path("", views.application_list, name="list"),
    path("decide/", views.decide, name="decide"),
    path("<uuid:application_id>/", views.application_detail, name="detail"),
]
