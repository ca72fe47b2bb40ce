"""Roster files over the API (enrolment/roster_api.py) give what the page gives: the same
jobs, the same rows, columns and messages, the same refusals. Jobs run eagerly after the
request's on-commit hook (the worker path is tests/api/test_integrator_journey.py)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from enrolment.models import EnrolmentLine
from mutualaid.jobs.models import Job
from mutualaid.jobs.tasks import run_job
from tests import factories
from tests.enrolment.support import new_enrolment
from tests.enrolment.test_upload import _bad_check_digit, _id, _upload, roster_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Ids:
    """The numbers of ``roster_xlsx``: three good, a duplicate, one stored as a number, one
    with a wrong check digit (as in tests/enrolment/test_upload.py)."""

    def __init__(self):
        self.ok1, self.wide, self.ok2, self.dup = _id(), _id(), _id(), _id()
        self.as_number = _id(digits_only=True)
        self.bad = _bad_check_digit(_id())


@pytest.fixture
def roster_ids():
    return Ids()


@pytest.fixture
def draft(actors, units, plans):
    return new_enrolment(actors.agent, units.a1, plans["gx_designated_disease"])


def _api(user, language="en") -> Client:
    return Client(
        HTTP_AUTHORIZATION=f"Token {factories.make_token(user).key}",
        HTTP_ACCEPT_LANGUAGE=language,
    )


def _run_sent(callbacks):
    for job in Job.objects.filter(status="pending"):
        run_job.apply(args=[str(job.pk)])


def _upload_api(client, draft, name, data, capture):
    with capture(execute=True) as callbacks:
        response = client.post(
            f"/api/v1/enrolments/{draft.pk}/roster-files/", {"file": SimpleUploadedFile(name, data)}
        )
    _run_sent(callbacks)
    return response


def test_the_api_preview_is_the_pages_preview(
    world, draft, roster_ids, as_user, django_capture_on_commit_callbacks
):
    api = _api(world.agent)
    started = _upload_api(
        api, draft, "花名册.xlsx", roster_xlsx(roster_ids), django_capture_on_commit_callbacks
    )
    assert started.status_code == 202 and started.json()["kind"] == "preview"
    job = api.get(f"/api/v1/enrolments/{draft.pk}/roster-files/{started.json()['id']}/").json()
    assert job["status"] == "succeeded"

    _response, page_job = _upload(
        as_user(world.agent),
        draft,
        "花名册.xlsx",
        roster_xlsx(roster_ids),
        django_capture_on_commit_callbacks,
    )
    page_errors = [
        (e["row"], e["column"], e["header"], e["message"]) for e in page_job.result["errors"]
    ]
    api_errors = [
        (e["row"], e["column"], e["header"], e["message"]) for e in job["preview"]["errors"]
    ]
    assert api_errors == page_errors and len(api_errors) == 4
    assert (job["preview"]["valid"], job["preview"]["invalid"]) == (3, 4)

    errors = api.get(job["errors_file"])
    assert errors.status_code == 200 and errors["Content-Type"] == XLSX

    # Importing everything is refused with the page's words; only the valid rows go in.
    refused = api.post(job["import_url"], {"only_valid": False}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json() == {
        "only_valid": ["The file has rows with errors: fix them, or import only the valid rows."]
    }
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        started = api.post(job["import_url"], {"only_valid": True}, content_type="application/json")
    _run_sent(callbacks)
    assert started.status_code == 202 and started.json()["kind"] == "import"
    done = api.get(f"/api/v1/enrolments/{draft.pk}/roster-files/{started.json()['id']}/").json()
    assert done["status"] == "succeeded" and done["imported"]["lines_written"] == 3
    assert done["preview_job"] == job["id"]
    assert EnrolmentLine.objects.filter(enrolment=draft).count() == 3
    listed = api.get(f"/api/v1/enrolments/{draft.pk}/roster-files/").json()
    assert [row["kind"] for row in listed] == ["import", "preview", "preview"]


def test_a_file_that_is_not_a_roster_is_refused_in_chinese(
    world, draft, django_capture_on_commit_callbacks
):
    api = _api(world.agent, language="zh-hans")
    refused = _upload_api(api, draft, "名册.pdf", b"%PDF-1.4", django_capture_on_commit_callbacks)
    assert refused.status_code == 400
    assert refused.json() == {
        "file": ["这不是花名册文件：请上传 Excel 文件（.xlsx 或 .xls）或 .csv 文件。"]
    }
    assert not Job.objects.exists()


def test_another_users_job_is_404_and_a_submitted_enrolment_takes_no_file(
    world, draft, roster_ids, actors, django_capture_on_commit_callbacks
):
    mine = _upload_api(
        _api(world.agent),
        draft,
        "花名册.xlsx",
        roster_xlsx(roster_ids),
        django_capture_on_commit_callbacks,
    ).json()
    # A colleague of the same unit, and the county cadre above, see no such job.
    colleague = factories.make_staff(world.unit, "agent", username="unit_a1_agent2")
    for other in (colleague, world.county_cadre):
        url = f"/api/v1/enrolments/{draft.pk}/roster-files/{mine['id']}/"
        assert _api(other).get(url).status_code == 404
    # Agents of the unit cannot reach another unit's enrolment at all.
    assert (
        _api(world.sibling_agent).get(f"/api/v1/enrolments/{draft.pk}/roster-files/").status_code
        == 404
    )

    from enrolment.services.lines import lines_import
    from enrolment.services.workflow import enrolment_submit
    from tests.enrolment.support import roster

    lines_import(actor=actors.agent, enrolment=draft, rows=roster(1))
    enrolment_submit(actor=actors.agent, enrolment=draft)
    late = _upload_api(
        _api(world.agent),
        draft,
        "花名册.xlsx",
        roster_xlsx(roster_ids),
        django_capture_on_commit_callbacks,
    )
    assert late.status_code == 400
    assert late.json() == {
        "non_field_errors": ["Only a draft or a returned enrolment can take a roster file."]
    }
