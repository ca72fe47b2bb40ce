"""Enrolment pages: the list, a draft and its roster (lines, uploads, exports), the workflow
steps, policies."""

from django.urls import path

from enrolment import exports, upload, views

app_name = "enrolments"
E = "<uuid:enrolment_id>/"
LINE = E + "lines/<uuid:member_id>/"

urlpatterns = [
    path("", views.enrolment_list, name="list"),
    path("new/", views.enrolment_create, name="create"),
    path(E, views.enrolment_detail, name="detail"),
    path(E + "edit/", views.enrolment_edit, name="edit"),
    path(E + "renew/", views.enrolment_renew, name="renew"),
    path(E + "add-members/", views.enrolment_add_members, name="add_members"),
    path(E + "submit/", views.enrolment_submit, name="submit"),
    path(E + "check/", views.enrolment_check, name="check"),
    path(E + "accept/", views.enrolment_accept, name="accept"),
    path(E + "send-back/", views.enrolment_send_back, name="send_back"),
    path(E + "cancel/", views.enrolment_cancel, name="cancel"),
    path(E + "lines/new/", views.line_add, name="line_add"),
    path(E + "lines/check/", views.line_check, name="line_check"),
    path(E + "lines/choose/", views.choose_members, name="choose_members"),
    path(LINE + "edit/", views.line_edit, name="line_edit"),
    path(LINE + "remove/", views.line_remove, name="line_remove"),
    path("policies/<uuid:policy_id>/", views.policy_detail, name="policy_detail"),
    path("policies/<uuid:policy_id>/end/", views.policy_end, name="policy_end"),
    # Roster upload (enrolment/upload.py) and roster export (enrolment/exports.py).
    path(E + "upload/", upload.upload, name="upload"),
    path(E + "upload/template/", upload.upload_template, name="upload_template"),
    path(E + "upload/<uuid:job_id>/", upload.upload_job, name="upload_job"),
    path(E + "upload/<uuid:job_id>/import/", upload.upload_import, name="upload_import"),
    path("export/", exports.export, name="export"),
]
