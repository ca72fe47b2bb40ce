from django.urls import path

from individuals import views

app_name = "apply"

urlpatterns = [
    path("<slug:tenant_slug>/<str:federation>/", views.apply, name="form"),
]
