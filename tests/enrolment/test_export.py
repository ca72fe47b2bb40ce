"""The roster export through its page and its job, read back with python-calamine."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from python_calamine import load_workbook

from mutualaid.core.cleaning import mask_id_number
from mutualaid.jobs.models import Job, JobStatus
from mutualaid.jobs.tasks import run_job
from tests import factories


@pytest.fixture
def book(world):
    """Policies of unit A1 (two plans, one ended), of the sibling A2 and of the other county."""
    since = dt.date(2024, 1, 1)
    plan = factories.make_plan(world.office, valid_from=since)
    other_plan = factories.make_plan(world.office, valid_from=since)

    class Book:
        a1 = [factories.make_member(world.unit, name=f"甲医{i}") for i in range(3)]
        a2 = factories.make_member(world.sibling_unit, name="甲中学会员")
        far = factories.make_member(world.other_county_unit, name="乙电厂会员")
        p_a1 = [factories.make_policy(m, plan) for m in a1[:2]]
        p_a1_other = factories.make_policy(
            a1[2], other_plan, start=dt.date(2025, 1, 1), status="lapsed"
        )
        p_a2 = factories.make_policy(a2, plan)
        p_far = factories.make_policy(far, plan)

    Book.plan, Book.other_plan = plan, other_plan
    return Book


def _export(client, capture, **filters):
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in filters.items()}
    with capture() as callbacks:
        response = client.post(reverse("enrolments:export"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(callbacks) == 1
    job = Job.objects.filter(kind="roster_export").order_by("-created_at").first()
    assert response["Location"].endswith(f"?job={job.pk}")
    assert run_job.apply(args=[str(job.pk)]).get() == "succeeded"
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    grid = load_workbook(io.BytesIO(b"".join(download.streaming_content))).get_sheet_by_index(0)
    rows = grid.to_python()
    header, body = rows[0], rows[1:]
    return job, [dict(zip(header, r, strict=True)) for r in body]


def _names(rows):
    return sorted(r["姓名"] for r in rows)


def test_an_agent_exports_their_unit_masked_by_default(
    world, book, as_user, django_capture_on_commit_callbacks
):
    client = as_user(world.agent)
    assert "roster-export" in client.get(reverse("enrolments:list")).content.decode()
    job, rows = _export(client, django_capture_on_commit_callbacks)
    assert _names(rows) == ["甲医0", "甲医1", "甲医2"]  # the sibling's and the far unit's absent
    assert {r["身份证号码"] for r in rows} == {mask_id_number(m.id_number) for m in book.a1}
    assert (job.done, job.total) == (3, 3)
    statuses = {list(r.values())[10] for r in rows}  # the status column, in words
    assert len(statuses) == 2 and not statuses & {"in_force", "lapsed"}


def test_an_agent_may_ask_for_whole_numbers_of_their_members(
    world, book, as_user, django_capture_on_commit_callbacks
):
    _job, rows = _export(
        as_user(world.agent), django_capture_on_commit_callbacks, full_id_numbers="on"
    )
    assert {r["身份证号码"] for r in rows} == {m.id_number for m in book.a1}


def test_a_cadre_sees_masked_numbers_even_when_asking(
    world, book, as_user, django_capture_on_commit_callbacks
):
    client = as_user(world.county_cadre)
    page = client.get(reverse("enrolments:export")).content.decode()
    assert "full_id_numbers" not in page
    _job, rows = _export(client, django_capture_on_commit_callbacks, full_id_numbers="on")
    assert _names(rows) == ["甲中学会员", "甲医0", "甲医1", "甲医2"]  # county: A1 and A2, not 乙县
    assert all("*" in r["身份证号码"] for r in rows)


def test_filters_unit_plan_period_and_status(
    world, book, as_user, django_capture_on_commit_callbacks
):
    client = as_user(world.office_admin)
    a1 = factories.make_unit(world.unit)
    _job, rows = _export(client, django_capture_on_commit_callbacks, unit=a1)
    assert _names(rows) == ["甲医0", "甲医1", "甲医2"]
    _job, rows = _export(client, django_capture_on_commit_callbacks, plan=book.plan)
    assert _names(rows) == ["乙电厂会员", "甲中学会员", "甲医0", "甲医1"]
    _job, rows = _export(client, django_capture_on_commit_callbacks, on_date="2025-06-01")
    assert _names(rows) == ["甲医2"]
    _job, rows = _export(client, django_capture_on_commit_callbacks, status="lapsed", unit=a1)
    assert _names(rows) == ["甲医2"]
    assert list(rows[0].values())[8] in (dt.date(2025, 1, 1), dt.datetime(2025, 1, 1))
    # The office admin may have whole numbers of everyone.
    _job, rows = _export(
        client, django_capture_on_commit_callbacks, plan=book.plan, full_id_numbers="on"
    )
    assert sorted(r["身份证号码"] for r in rows) == sorted(
        p.member.id_number for p in [*book.p_a1, book.p_a2, book.p_far]
    )


def test_a_unit_outside_the_scope_is_refused(world, book, as_user):
    client = as_user(world.agent)
    a2 = factories.make_unit(world.sibling_unit)
    response = client.post(reverse("enrolments:export"), {"unit": a2.pk})
    assert response.status_code == 200 and not Job.objects.filter(kind="roster_export").exists()


def test_another_users_export_job_is_404(world, book, as_user, django_capture_on_commit_callbacks):
    job, _rows = _export(as_user(world.agent), django_capture_on_commit_callbacks)
    for who in (world.sibling_agent, world.other_tenant_admin):
        client = as_user(who)
        assert client.get(reverse("enrolments:export") + f"?job={job.pk}").status_code == 404
        assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
