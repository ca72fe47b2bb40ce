"""Roster files over the API: the page's upload (enrolment/upload.py) for integrators.

1. ``POST enrolments/{id}/roster-files/`` (multipart, field ``file``) → 202 and the preview
   job;
2. ``GET enrolments/{id}/roster-files/{job_id}/`` → the job: status and progress, then the
   preview as data (counts; per-row errors with row, Excel column, header, message);
3. ``POST …/{job_id}/import/`` (``{"only_valid": true}`` to skip bad rows) → 202 and the
   import job, polled at the same URL as 2;
4. ``GET …/{job_id}/errors.xlsx/`` → the errors file (the bad rows with what is wrong).

The jobs, the rules and the messages are the page's (``enrolment.uploads``,
``enrolment.jobs``): one path.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from enrolment import access
from enrolment.jobs import IMPORT, PREVIEW
from enrolment.uploads import (
    drafting_enrolment,
    roster_import_start,
    roster_job,
    roster_upload_start,
)
from mutualaid.api.base import ScopedAPIView
from mutualaid.jobs.access import jobs_of
from mutualaid.jobs.models import Job

DRAFTERS = set(access.DRAFTERS)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RosterErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        allow_null=True, help_text="文件中的行号（Excel 行号）；整个文件的问题为 null。"
    )
    column = serializers.CharField(
        allow_blank=True, help_text="Excel 列字母，例如 C；无法定位为空。"
    )
    header = serializers.CharField(allow_blank=True, help_text="该列的表头，按文件中的写法。")
    field = serializers.CharField(allow_blank=True, help_text="规则针对的字段，例如 id_number。")
    code = serializers.CharField(allow_blank=True, help_text="错误代码，例如 id_checksum。")
    message = serializers.CharField(help_text="给经办人看的中文说明。")


class RosterPreviewSerializer(serializers.Serializer):
    filename = serializers.CharField()
    total = serializers.IntegerField(help_text="人员行数（不含表头和合计行）。")
    valid = serializers.IntegerField(help_text="可以导入的行数。")
    invalid = serializers.IntegerField(help_text="有错误的行数。")
    error_count = serializers.IntegerField(help_text="错误条数（一行可有多条）。")
    errors = RosterErrorSerializer(many=True, help_text="前 2000 条错误；全部见错误文件。")
    more_errors = serializers.IntegerField(help_text="未列出的错误条数。")
    header_row = serializers.IntegerField(allow_null=True, help_text="表头所在的行。")


class RosterImportResultSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    valid = serializers.IntegerField()
    invalid = serializers.IntegerField()
    lines_written = serializers.IntegerField(help_text="写入名单的行数。")
    members_created = serializers.IntegerField(help_text="新登记的会员人数。")


class RosterJobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(
        choices=["preview", "import"], help_text="preview：预检；import：导入。"
    )
    status = serializers.ChoiceField(
        choices=["pending", "running", "succeeded", "failed"],
        help_text="pending/running 时请稍后再查；succeeded 或 failed 为最终状态。",
    )
    done = serializers.IntegerField(help_text="已处理的行数。")
    total = serializers.IntegerField(allow_null=True)
    message = serializers.CharField(allow_blank=True, help_text="给用户看的结果或失败原因。")
    file_error = serializers.CharField(
        allow_null=True, help_text="整个文件无法作为名单读取时的原因；否则为 null。"
    )
    preview = RosterPreviewSerializer(
        allow_null=True, help_text="预检完成后的结果；导入任务和未完成时为 null。"
    )
    imported = RosterImportResultSerializer(
        allow_null=True, help_text="导入完成后的结果；否则为 null。"
    )
    preview_job = serializers.UUIDField(allow_null=True, help_text="导入任务所依据的预检任务。")
    errors_file = serializers.CharField(
        allow_null=True, help_text="错误文件（.xlsx）的地址；没有错误行或文件已过保存期为 null。"
    )
    import_url = serializers.CharField(
        allow_null=True, help_text="导入此预检的地址（POST）；不能导入时为 null。"
    )
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


def _preview(result: dict) -> dict:
    """The preview job's stored report, with the counts a report kept before they were
    stored (``error_count``, ``more_errors``) worked out."""
    errors = result.get("errors") or []
    return {
        "filename": result.get("filename", ""),
        "total": result.get("total", 0),
        "valid": result.get("valid", 0),
        "invalid": result.get("invalid", 0),
        "error_count": result.get("error_count", len(errors)),
        "errors": errors,
        "more_errors": result.get("more_errors") or 0,
        "header_row": result.get("header_row"),
    }


IMPORT_FIELDS = list(RosterImportResultSerializer().fields)


def job_body(request, enrolment, job: Job) -> dict:
    result = job.result or {}
    finished_preview = job.kind == PREVIEW and job.finished and "total" in result
    url_kwargs = {"enrolment_id": enrolment.pk, "job_id": job.pk}
    errors_file = None
    if job.kind == PREVIEW and job.result_path and not job.files_expired_at:
        errors_file = request.build_absolute_uri(
            reverse("api-enrolment-roster-file-errors", kwargs=url_kwargs)
        )
    can_import = finished_preview and result.get("valid") and not job.files_expired_at
    return {
        "id": job.pk,
        "kind": "preview" if job.kind == PREVIEW else "import",
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "message": job.message,
        "file_error": result.get("file_error"),
        "preview": _preview(result) if finished_preview else None,
        "imported": (
            {k: result.get(k) for k in IMPORT_FIELDS}
            if job.kind == IMPORT and "lines_written" in result
            else None
        ),
        "preview_job": job.params.get("preview_job"),
        "errors_file": errors_file,
        "import_url": (
            request.build_absolute_uri(
                reverse("api-enrolment-roster-file-import", kwargs=url_kwargs)
            )
            if can_import
            else None
        ),
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


class RosterUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="名单文件：.xlsx、.xls 或 .csv（GBK 或 UTF-8）。")


class RosterImportSerializer(serializers.Serializer):
    only_valid = serializers.BooleanField(
        default=False, help_text="true：只导入没有错误的行；false：有错误行时不导入（400）。"
    )


class RosterFileUpload(ScopedAPIView):
    """GET: the caller's roster files of this enrolment, newest first. POST: a new file."""

    role_map = {"GET": DRAFTERS, "POST": DRAFTERS}
    serializer_class = RosterJobSerializer
    # The API's parsers, JSON included: a JSON body is read (and refused with a 400 that
    # names the missing file) like everywhere else; the schema documents multipart only.
    pagination_class = None

    @extend_schema(
        operation_id="enrolment_roster_files_list",
        summary="我上传到此登记的名单文件任务（最新在前，最多 50 个）",
        responses=RosterJobSerializer(many=True),
    )
    def get(self, request, enrolment_id):
        enrolment = drafting_enrolment(self.actor, enrolment_id)
        rows = (
            jobs_of(self.actor)
            .filter(kind__in=(PREVIEW, IMPORT), params__enrolment_id=str(enrolment.pk))
            .order_by("-created_at")[:50]
        )
        return Response([job_body(request, enrolment, job) for job in rows])

    @extend_schema(
        summary="上传名单文件（开始预检）",
        request={"multipart/form-data": RosterUploadSerializer},
        responses={202: RosterJobSerializer},
    )
    def post(self, request, enrolment_id):
        enrolment = drafting_enrolment(self.actor, enrolment_id)
        incoming = RosterUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        job = roster_upload_start(
            actor=self.actor, enrolment=enrolment, upload=incoming.validated_data["file"]
        )
        return Response(job_body(request, enrolment, job), status=status.HTTP_202_ACCEPTED)


class RosterFileJob(ScopedAPIView):
    role_map = {"GET": DRAFTERS}
    serializer_class = RosterJobSerializer

    @extend_schema(summary="名单文件任务：进度、预检结果（逐行错误）或导入结果")
    def get(self, request, enrolment_id, job_id):
        enrolment = drafting_enrolment(self.actor, enrolment_id)
        job = roster_job(self.actor, enrolment, job_id)
        return Response(job_body(request, enrolment, job))


class RosterFileImport(ScopedAPIView):
    """GET: the preview to import (``import_url`` says whether it can be). POST: import."""

    role_map = {"GET": DRAFTERS, "POST": DRAFTERS}
    serializer_class = RosterJobSerializer

    @extend_schema(operation_id="enrolment_roster_file_import_retrieve", summary="待导入的预检")
    def get(self, request, enrolment_id, job_id):
        enrolment = drafting_enrolment(self.actor, enrolment_id)
        return Response(job_body(request, enrolment, roster_job(self.actor, enrolment, job_id)))

    @extend_schema(
        summary="导入已预检的名单（全部或只导入正确的行）",
        request=RosterImportSerializer,
        responses={202: RosterJobSerializer},
    )
    def post(self, request, enrolment_id, job_id):
        # The body first: an unreadable one is the same 400 whatever the ids.
        incoming = RosterImportSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        enrolment = drafting_enrolment(self.actor, enrolment_id)
        preview = roster_job(self.actor, enrolment, job_id)
        job = roster_import_start(
            actor=self.actor,
            enrolment=enrolment,
            preview=preview,
            only_valid=incoming.validated_data["only_valid"],
        )
        return Response(job_body(request, enrolment, job), status=status.HTTP_202_ACCEPTED)


class RosterFileErrors(ScopedAPIView):
    role_map = {"GET": DRAFTERS}

    @extend_schema(
        summary="下载错误文件（有错误的行及错误说明）",
        responses={
            (200, XLSX): OpenApiResponse(
                OpenApiTypes.BINARY, description="错误行原样，加上错误说明列。"
            )
        },
    )
    def get(self, request, enrolment_id, job_id):
        enrolment = drafting_enrolment(self.actor, enrolment_id)
        job = roster_job(self.actor, enrolment, job_id)
        if job.kind != PREVIEW or not job.result_path or job.files_expired_at:
            raise Http404
        root = Path(settings.MEDIA_ROOT).resolve()
        path = (root / job.result_path).resolve()
        if not path.is_relative_to(root) or not path.exists():
            raise Http404
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=job.result_name or path.name,
            content_type=XLSX,
        )
