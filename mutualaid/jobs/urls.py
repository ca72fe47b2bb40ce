from django.urls import path

from mutualaid.jobs import views

app_name = "jobs"
urlpatterns = [
    path("<uuid:job_id>/", views.job_status, name="status"),
    path("<uuid:job_id>/download/", views.job_download, name="download"),
]
