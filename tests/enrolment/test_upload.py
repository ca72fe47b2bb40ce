"""Uploading a roster file through the real pages: template, preview job, import job.

The files are real .xlsx (openpyxl) and .csv made here, with what real rosters hold: a
merged title row, an ID stored as a number, full-width digits, a duplicate, a 合计 row.
Jobs run eagerly (``run_job.apply``) after the request's on-commit hook is captured;
one test goes through the real Celery worker.
"""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from python_calamine import load_workbook

from enrolment.models import EnrolmentLine, EnrolmentStatus
from enrolment.services.lines import lines_import
from enrolment.services.workflow import enrolment_submit
from members.models import Member
from mutualaid.jobs.models import Job, JobStatus
from mutualaid.jobs.services import job_create
from mutualaid.jobs.tasks import run_job
from mutualaid.tenancy.models import Role
from tests import factories
from tests.enrolment.support import new_enrolment

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _id(*, digits_only: bool = False) -> str:
    while True:
        number = factories.make_id_number()
        if not digits_only or number[-1].isdigit():
            return number


def _bad_check_digit(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


@pytest.fixture
def designated(plans):
    return plans["gx_designated_disease"]


@pytest.fixture
def draft(actors, units, designated):
    return new_enrolment(actors.agent, units.a1, designated)


@pytest.fixture
def ids():
    class Ids:
        ok1 = _id()
        wide = _id()
        as_number = _id(digits_only=True)
        dup = _id()
        ok2 = _id()
        bad = _bad_check_digit(_id())

    return Ids


def roster_xlsx(ids) -> bytes:
    """A roster as cadres keep them: title row merged across, header in row 2, then rows 3…"""
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws["A1"] = "甲县医院工会 职工互助保障 参保花名册"
    ws.merge_cells("A1:G1")
    ws.append(["序号", "姓名", "身份证号码", "份数", "人员类别", "联系电话", "备注"])
    ws.append([1, "张三", ids.ok1, 1, "在职职工", "13800138000", ""])  # row 3
    ws.append([2, "李四", ids.wide.translate(FULL_WIDTH), 1, "", "", "全角数字"])  # row 4
    ws.append([3, "王五", int(ids.as_number), 1, "", "", "存成数字"])  # row 5: precision lost
    ws.append([4, "赵六", ids.dup, 1, "", "", ""])  # row 6: duplicate
    ws.append([5, "钱七", ids.dup, 1, "", "", ""])  # row 7: duplicate
    ws.append([6, "孙八", ids.ok2, 2, "", "", ""])  # row 8
    ws.append([7, "周九", ids.bad, 1, "", "", ""])  # row 9: check digit wrong
    ws.append(["", "合计", "", 8, "", "", ""])  # row 10: a total, not a member
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def roster_csv(numbers, *, encoding="gbk") -> bytes:
    lines = ["姓名,身份证号码,份数"] + [f"职工{i},{n},1" for i, n in enumerate(numbers, 1)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _upload(client, enrolment, name, data, capture):
    """POST the file; return (response, job) with the job run eagerly."""
    with capture() as callbacks:
        response = client.post(
            reverse("enrolments:upload", args=[enrolment.pk]),
            {"file": SimpleUploadedFile(name, data)},
        )
    job = Job.objects.filter(kind="roster_preview").order_by("-created_at").first()
    if response.status_code == 302 and "/upload/" in response["Location"]:
        assert len(callbacks) == 1  # the task is sent on commit, once
        assert run_job.apply(args=[str(job.pk)]).get() in ("succeeded", "failed")
        job.refresh_from_db()
    return response, job


def _import(client, enrolment, preview, capture, *, only_valid: bool):
    data = {"only_valid": "1"} if only_valid else {}
    with capture() as callbacks:
        response = client.post(
            reverse("enrolments:upload_import", args=[enrolment.pk, preview.pk]), data
        )
    job = Job.objects.filter(kind="roster_import").order_by("-created_at").first()
    if job is not None and callbacks:
        run_job.apply(args=[str(job.pk)])
        job.refresh_from_db()
    return response, job


def _counts(enrolment):
    return Member.objects.count(), EnrolmentLine.objects.filter(enrolment=enrolment).count()


# --- The page and the template -----------------------------------------------------------------


def test_the_upload_page_offers_the_template_of_this_unit_and_plan(world, draft, as_user):
    client = as_user(world.agent)
    detail = client.get(reverse("enrolments:detail", args=[draft.pk])).content.decode()
    assert reverse("enrolments:upload", args=[draft.pk]) in detail
    page = client.get(reverse("enrolments:upload", args=[draft.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("enrolments:upload_template", args=[draft.pk]) in body
    assert 'type="file"' in body and 'enctype="multipart/form-data"' in body
    template = client.get(reverse("enrolments:upload_template", args=[draft.pk]))
    assert template.status_code == 200 and template["Content-Type"] == XLSX
    assert "attachment" in template["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(template.content)).get_sheet_by_index(0).to_python()
    text = " ".join(str(c) for row in sheet[:4] for c in row)
    assert draft.organisation.name in text and draft.plan.display_name in text


# --- Preview --------------------------------------------------------------------------------


def test_the_preview_reports_each_bad_row_and_column_and_writes_nothing(
    world, draft, ids, as_user, django_capture_on_commit_callbacks
):
    client = as_user(world.agent)
    before = _counts(draft)
    response, job = _upload(
        client, draft, "花名册.xlsx", roster_xlsx(ids), django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("enrolments:upload_job", args=[draft.pk, job.pk])
    assert job.status == JobStatus.SUCCEEDED, job.message
    result = job.result
    assert (result["total"], result["valid"], result["invalid"]) == (7, 3, 4)
    by_row = {}
    for e in result["errors"]:
        by_row.setdefault(e["row"], []).append(e)
    assert sorted(by_row) == [5, 6, 7, 9]
    # Every error names the Excel column of the ID (C) and its header as written.
    assert {(e["column"], e["header"]) for e in result["errors"]} == {("C", "身份证号码")}
    assert "6" in by_row[7][0]["message"] and "7" in by_row[6][0]["message"]  # names both rows
    # The preview wrote nothing.
    assert _counts(draft) == before
    draft.refresh_from_db()
    assert draft.member_count == 0

    page = client.get(reverse("enrolments:upload_job", args=[draft.pk, job.pk])).content.decode()
    assert 'data-testid="rows-valid">3<' in page and 'data-testid="rows-invalid">4<' in page
    assert "C (身份证号码)" in page
    import_all = page.split('data-testid="import-all"')[1].split(">")[0]
    assert "disabled" in import_all
    assert "Import only the 3 valid rows" in page

    # The errors file: the bad rows as they were, with what is wrong.
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    rows = load_workbook(io.BytesIO(b"".join(download.streaming_content))).get_sheet_by_index(0)
    grid = rows.to_python()
    assert [int(r[0]) for r in grid[1:]] == [5, 6, 7, 9]
    assert (
        grid[1][2].startswith(ids.as_number[0] + ".") and "E+17" in grid[1][2]
    )  # as Excel shows it


def test_a_preview_only_reads_the_file_once(
    world, draft, ids, as_user, monkeypatch, django_capture_on_commit_callbacks
):
    from enrolment import jobs

    calls = []
    real = jobs.read_roster
    monkeypatch.setattr(jobs, "read_roster", lambda *a, **k: calls.append(1) or real(*a, **k))
    _upload(
        as_user(world.agent),
        draft,
        "花名册.xlsx",
        roster_xlsx(ids),
        django_capture_on_commit_callbacks,
    )
    assert calls == [1]


def test_a_file_that_is_not_a_roster_says_so_in_one_chinese_message(
    world, draft, as_user, django_capture_on_commit_callbacks
):
    client = as_user(world.agent)
    # Wrong extension: refused by the form, no job.
    response, job = _upload(
        client, draft, "名册.pdf", b"%PDF-1.4", django_capture_on_commit_callbacks
    )
    assert response.status_code == 200 and job is None
    assert "not a roster file" in response.content.decode()
    # An .xlsx with no ID column: the job says what is missing, in Chinese.
    wb = Workbook()
    wb.active.append(["姓名", "电话"])
    wb.active.append(["张三", "13800138000"])
    buffer = io.BytesIO()
    wb.save(buffer)
    response, job = _upload(
        client, draft, "名册.xlsx", buffer.getvalue(), django_capture_on_commit_callbacks
    )
    assert job.status == JobStatus.SUCCEEDED and job.result["file_error"]
    assert "身份证" in job.result["file_error"]
    page = client.get(reverse("enrolments:upload_job", args=[draft.pk, job.pk])).content.decode()
    assert 'data-testid="file-error"' in page and job.result["file_error"] in page
    assert "import-valid" not in page and "import-all" not in page
    # A text file named .xlsx.
    response, job = _upload(
        client, draft, "假的.xlsx", "姓名,身份证\n".encode(), django_capture_on_commit_callbacks
    )
    assert "请上传" in job.result["file_error"]


# --- Import --------------------------------------------------------------------------------


def test_importing_only_the_valid_rows_writes_exactly_those(
    world, draft, ids, as_user, django_capture_on_commit_callbacks
):
    client = as_user(world.agent)
    _response, preview = _upload(
        client, draft, "花名册.xlsx", roster_xlsx(ids), django_capture_on_commit_callbacks
    )
    response, job = _import(
        client, draft, preview, django_capture_on_commit_callbacks, only_valid=True
    )
    assert response["Location"] == reverse("enrolments:upload_job", args=[draft.pk, job.pk])
    assert job.status == JobStatus.SUCCEEDED, job.message
    lines = EnrolmentLine.objects.filter(enrolment=draft).select_related("member")
    assert sorted(line.member.id_number for line in lines) == sorted([ids.ok1, ids.wide, ids.ok2])
    assert {line.member.id_number: line.shares for line in lines}[ids.ok2] == 2
    assert not Member.objects.filter(id_number__in=[ids.dup, ids.as_number]).exists()
    assert job.result["lines_written"] == 3 and job.result["members_created"] == 3
    # The job page sends the agent back to the enrolment, with a message.
    done = client.get(reverse("enrolments:upload_job", args=[draft.pk, job.pk]))
    assert done.status_code == 302 and done["Location"] == reverse(
        "enrolments:detail", args=[draft.pk]
    )
    polled = client.get(
        reverse("enrolments:upload_job", args=[draft.pk, job.pk]), HTTP_HX_REQUEST="true"
    )
    assert polled["HX-Redirect"] == reverse("enrolments:detail", args=[draft.pk])
    detail = client.get(reverse("enrolments:detail", args=[draft.pk])).content.decode()
    assert 'data-testid="member-total">3<' in detail


def test_importing_every_row_of_a_file_with_errors_writes_nothing(
    world, actors, draft, ids, as_user, django_capture_on_commit_callbacks
):
    client = as_user(world.agent)
    _response, preview = _upload(
        client, draft, "花名册.xlsx", roster_xlsx(ids), django_capture_on_commit_callbacks
    )
    before = _counts(draft)
    # The page refuses it (the button is disabled; a forged POST starts no job).
    response, job = _import(
        client, draft, preview, django_capture_on_commit_callbacks, only_valid=False
    )
    assert response.status_code == 302 and job is None
    # The job refuses it too, and its one transaction leaves nothing behind.
    job = job_create(
        actor=actors.agent,
        kind="roster_import",
        title="导入",
        organisation=draft.organisation,
        params={**preview.params, "only_valid": False},
    )
    assert run_job.apply(args=[str(job.pk)]).get() == "failed"
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "4" in job.message
    # (Chinese once /tmp/tr/upload.tsv is compiled into the catalogue.)
    assert "没有" in job.message or "nothing was imported" in job.message
    assert _counts(draft) == before
    page = client.get(reverse("enrolments:upload_job", args=[draft.pk, job.pk])).content.decode()
    assert job.message in page


def test_a_clean_gbk_csv_imports_every_row(
    world, draft, as_user, django_capture_on_commit_callbacks
):
    client = as_user(world.agent)
    numbers = [_id() for _ in range(5)]
    _response, preview = _upload(
        client, draft, "名单.csv", roster_csv(numbers), django_capture_on_commit_callbacks
    )
    assert (preview.result["valid"], preview.result["invalid"]) == (5, 0)
    assert not preview.result_path  # no errors, no errors file
    page = client.get(
        reverse("enrolments:upload_job", args=[draft.pk, preview.pk])
    ).content.decode()
    assert "disabled" not in page.split('data-testid="import-all"')[1].split(">")[0]
    _response, job = _import(
        client, draft, preview, django_capture_on_commit_callbacks, only_valid=False
    )
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert sorted(
        EnrolmentLine.objects.filter(enrolment=draft).values_list("member__id_number", flat=True)
    ) == sorted(numbers)


def test_the_county_cadre_above_may_upload_too(
    world, draft, as_user, django_capture_on_commit_callbacks
):
    client = as_user(world.county_cadre)
    _response, preview = _upload(
        client, draft, "名单.csv", roster_csv([_id()]), django_capture_on_commit_callbacks
    )
    assert preview.status == JobStatus.SUCCEEDED and preview.result["valid"] == 1


def test_a_submitted_enrolment_takes_no_file(
    world, actors, draft, as_user, django_capture_on_commit_callbacks
):
    lines_import(
        actor=actors.agent,
        enrolment=draft,
        rows=[{"row": 2, "name": "张三", "id_number": _id(), "shares": 1}],
    )
    enrolment_submit(actor=actors.agent, enrolment=draft)
    assert draft.status == EnrolmentStatus.SUBMITTED
    client = as_user(world.agent)
    response, job = _upload(
        client, draft, "名单.csv", roster_csv([_id()]), django_capture_on_commit_callbacks
    )
    assert response.status_code == 302 and job is None
    assert response["Location"] == reverse("enrolments:detail", args=[draft.pk])


# --- Isolation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["sibling_agent", "other_tenant_admin", "other_county_agent"])
def test_outsiders_get_404_on_every_upload_url(
    world, draft, ids, who, as_user, django_capture_on_commit_callbacks
):
    _response, preview = _upload(
        as_user(world.agent),
        draft,
        "花名册.xlsx",
        roster_xlsx(ids),
        django_capture_on_commit_callbacks,
    )
    client = as_user(getattr(world, who))
    for name, args in (
        ("enrolments:upload", [draft.pk]),
        ("enrolments:upload_template", [draft.pk]),
        ("enrolments:upload_job", [draft.pk, preview.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404, name
    url = reverse("enrolments:upload_import", args=[draft.pk, preview.pk])
    assert client.post(url, {"only_valid": "1"}).status_code == 404
    assert (
        client.post(
            reverse("enrolments:upload", args=[draft.pk]),
            {"file": SimpleUploadedFile("a.csv", roster_csv([_id()]))},
        ).status_code
        == 404
    )
    assert not Job.objects.filter(kind="roster_import").exists()


def test_the_preview_and_its_errors_file_are_the_uploaders_alone(
    world, draft, ids, as_user, django_capture_on_commit_callbacks
):
    """The errors file repeats the uploaded rows, whole ID numbers included: a colleague at
    the same unit, the county cadre and the office admin above may all draft this
    enrolment, yet not open another user's upload."""
    _response, preview = _upload(
        as_user(world.agent),
        draft,
        "花名册.xlsx",
        roster_xlsx(ids),
        django_capture_on_commit_callbacks,
    )
    assert preview.result_path and preview.audience_roles
    urls = [
        reverse("jobs:status", args=[preview.pk]),
        reverse("jobs:download", args=[preview.pk]),
        reverse("enrolments:upload_job", args=[draft.pk, preview.pk]),
    ]
    assert [as_user(world.agent).get(url).status_code for url in urls] == [200, 200, 200]
    colleague = factories.make_staff(world.unit, Role.AGENT, username="unit_a1_agent2")
    for user in (colleague, world.county_cadre, world.office_admin, world.finance):
        client = as_user(user)
        assert [client.get(url).status_code for url in urls[:2]] == [404, 404], user.username
        assert client.get(urls[2]).status_code in (403, 404), user.username
        response = client.post(
            reverse("enrolments:upload_import", args=[draft.pk, preview.pk]), {"only_valid": "1"}
        )
        assert response.status_code in (403, 404), user.username
    assert not Job.objects.filter(kind="roster_import").exists()


def test_an_upload_past_its_retention_cannot_be_imported(
    world, draft, ids, as_user, django_capture_on_commit_callbacks
):
    from mutualaid.jobs.retention import job_files_purge

    client = as_user(world.agent)
    _response, preview = _upload(
        client, draft, "花名册.xlsx", roster_xlsx(ids), django_capture_on_commit_callbacks
    )
    Job.objects.filter(pk=preview.pk).update(finished_at=timezone.now() - dt.timedelta(days=30))
    assert job_files_purge() == 1
    page = client.get(reverse("enrolments:upload_job", args=[draft.pk, preview.pk]))
    body = page.content.decode()
    assert 'data-testid="job-file-expired"' in body and 'data-testid="download-errors"' not in body
    response, job = _import(
        client, draft, preview, django_capture_on_commit_callbacks, only_valid=True
    )
    assert response["Location"] == reverse("enrolments:upload", args=[draft.pk]) and job is None
    assert EnrolmentLine.objects.filter(enrolment=draft).count() == 0


def test_a_job_of_another_enrolment_is_404_here(
    world, actors, units, designated, draft, ids, as_user, django_capture_on_commit_callbacks
):
    client = as_user(world.agent)
    _response, preview = _upload(
        client, draft, "花名册.xlsx", roster_xlsx(ids), django_capture_on_commit_callbacks
    )
    other = new_enrolment(
        actors.agent,
        units.a1,
        designated,
        start=draft.start_date.replace(year=draft.start_date.year + 1),
    )
    assert (
        client.get(reverse("enrolments:upload_job", args=[other.pk, preview.pk])).status_code == 404
    )


# --- The real worker ---------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_preview_and_import_run_on_the_real_worker(
    world, actors, units, designated, login, celery_worker_thread
):
    draft = new_enrolment(actors.agent, units.a1, designated)
    ids = [_id() for _ in range(3)] + ["110101198001010000"]  # the last: check digit wrong
    client = login(world.agent)
    response = client.post(
        reverse("enrolments:upload", args=[draft.pk]),
        {"file": SimpleUploadedFile("名单.csv", roster_csv(ids))},
    )
    assert response.status_code == 302
    preview = _wait(Job.objects.get(kind="roster_preview").pk)
    assert preview.status == JobStatus.SUCCEEDED, preview.message
    assert (preview.result["valid"], preview.result["invalid"]) == (3, 1)
    assert preview.result["errors"][0]["row"] == 5 and preview.result["errors"][0]["column"] == "B"
    client.post(
        reverse("enrolments:upload_import", args=[draft.pk, preview.pk]), {"only_valid": "1"}
    )
    job = _wait(Job.objects.get(kind="roster_import").pk)
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert EnrolmentLine.objects.filter(enrolment=draft).count() == 3


def _wait(job_id, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.finished:
            return job
        time.sleep(0.1)
    raise AssertionError("job did not finish")
