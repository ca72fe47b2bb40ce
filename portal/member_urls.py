"""The member self-service under ``/me/`` (issue 17): sign-in and phone (members), my
cover (enrolment), my certificate (premiums), my claims, reporting and notifications
(claims). One namespace, ``me``; every page wears ``member_required`` except sign-in."""

from django.urls import path
from django.views.generic import RedirectView

from claims import member_views as claims_views
from enrolment import member_views as cover_views
from members.selfservice import views as door
from premiums import member_views as premium_views

app_name = "me"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="me:cover"), name="home"),
    path("login/", door.login, name="login"),
    path("login/code/", door.code, name="code"),
    path("login/resend/", door.resend, name="resend"),
    path("login/pick/", door.pick, name="pick"),
    path("logout/", door.logout, name="logout"),
    path("phone/", door.phone, name="phone"),
    path("cover/", cover_views.cover, name="cover"),
    path("cover/<uuid:policy_id>/certificate/", premium_views.certificate, name="certificate"),
    path("claims/", claims_views.claim_list, name="claims"),
    path("claims/<uuid:claim_id>/", claims_views.claim_detail, name="claim"),
    path("claims/<uuid:claim_id>/documents/", claims_views.document_add, name="document_add"),
    path(
        "claims/<uuid:claim_id>/documents/<uuid:document_id>/",
        claims_views.document_download,
        name="document",
    ),
    path("report/", claims_views.report, name="report"),
    path("notifications/", claims_views.notifications, name="notifications"),
]
