"""The enrolment API's URLs under /api/v1/ (the portal's root URLconf includes them)."""

from django.urls import path

from enrolment import api, roster_api
from mutualaid.api.moved import moved

ENROLMENT = "enrolments/<uuid:enrolment_id>/"
ROSTER_FILE = ENROLMENT + "roster-files/<uuid:job_id>/"

urlpatterns = [
    path("enrolments/", api.EnrolmentListCreate.as_view(), name="api-enrolment-list"),
    path(ENROLMENT, api.EnrolmentDetail.as_view(), name="api-enrolment-detail"),
    path(ENROLMENT + "submit/", api.step_view("submit"), name="api-enrolment-submit"),
    path(ENROLMENT + "check/", api.step_view("check"), name="api-enrolment-check"),
    path(ENROLMENT + "accept/", api.step_view("accept"), name="api-enrolment-accept"),
    path(
        ENROLMENT + "send-back/",
        api.step_view("send_back"),
        name="api-enrolment-send-back",
    ),
    path(ENROLMENT + "cancel/", api.step_view("cancel"), name="api-enrolment-cancel"),
    path(ENROLMENT + "lines/", api.EnrolmentLines.as_view(), name="api-enrolment-lines"),
    path(
        ENROLMENT + "lines/import/",
        api.EnrolmentLinesImport.as_view(),
        name="api-enrolment-lines-import",
    ),
    path(
        ENROLMENT + "lines/<uuid:member_id>/",
        api.EnrolmentLineDetail.as_view(),
        name="api-enrolment-line-detail",
    ),
    path(
        ENROLMENT + "roster-files/",
        roster_api.RosterFileUpload.as_view(),
        name="api-enrolment-roster-files",
    ),
    path(ROSTER_FILE, roster_api.RosterFileJob.as_view(), name="api-enrolment-roster-file"),
    path(
        ROSTER_FILE + "import/",
        roster_api.RosterFileImport.as_view(),
        name="api-enrolment-roster-file-import",
    ),
    path(
        ROSTER_FILE + "errors/",
        roster_api.RosterFileErrors.as_view(),
        name="api-enrolment-roster-file-errors",
    ),
    path("policies/", api.PolicyList.as_view(), name="api-policy-list"),
    path("policies/<uuid:policy_id>/", api.PolicyDetail.as_view(), name="api-policy-detail"),
    # Before issue 18 (one release): the same without the trailing slash.
    *(
        moved(ENROLMENT + step, f"api-enrolment-{step}")
        for step in ("submit", "check", "accept", "send-back", "cancel")
    ),
    moved(ENROLMENT + "lines/import", "api-enrolment-lines-import"),
]
