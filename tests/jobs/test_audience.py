"""A job and its file reach their audience only (issue 12, item 4): the user who asked for
it, while they hold a role allowed to see what it contains. Everyone else, whatever their
roles, gets what a missing job gets: 404.

The same for every persona and both job URLs: ``tests/test_tenant_isolation.py``
(``test_a_job_reaches_its_requester_alone``); for the roster errors file:
``tests/enrolment/test_upload.py``.
"""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from members.access import FULL_ID_READER_ROLES
from mutualaid.jobs.models import Job, JobStatus
from mutualaid.jobs.tasks import run_job
from mutualaid.tenancy.models import Role, Staff
from tests import factories


def _urls(job) -> list[str]:
    return [
        reverse("jobs:status", args=[job.pk]),
        reverse("jobs:download", args=[job.pk]),
        reverse("enrolments:export") + f"?job={job.pk}",
    ]


def _full_id_export(world, login, capture) -> Job:
    client = login(world.office_admin)
    with capture() as callbacks:
        response = client.post(reverse("enrolments:export"), {"full_id_numbers": "on"})
    assert response.status_code == 302 and len(callbacks) == 1
    job = Job.objects.get(kind="roster_export")
    assert run_job.apply(args=[str(job.pk)]).get() == "succeeded"
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["full_id_numbers"] is True
    return job


def _statuses(client, urls) -> list[int]:
    return [client.get(url).status_code for url in urls]


@pytest.mark.django_db
def test_an_office_admins_whole_id_export_reaches_nobody_else(
    world, login, django_capture_on_commit_callbacks
):
    job = _full_id_export(world, login, django_capture_on_commit_callbacks)
    assert job.audience_roles == sorted(FULL_ID_READER_ROLES)
    assert _statuses(login(world.office_admin), _urls(job)) == [200, 200, 200]
    missing_urls = [url.replace(str(job.pk), str(uuid.uuid4())) for url in _urls(job)]
    colleague = factories.make_staff(world.office, Role.OFFICE_ADMIN, username="office_admin2")
    # Same node, other roles (finance never sees whole numbers; the auditor and the
    # reviewer may, yet did not ask for this file); another office admin; a cadre below;
    # another tenant. (The export page itself is for exporters: 403 for the others.)
    for user in (
        world.finance,
        world.auditor,
        world.reviewer,
        colleague,
        world.city_cadre,
        world.other_tenant_admin,
    ):
        client = login(user)
        seen = _statuses(client, _urls(job))
        assert seen == _statuses(client, missing_urls), user.username
        assert seen[:2] == [404, 404] and seen[2] in (403, 404), user.username


@pytest.mark.django_db
def test_a_whole_id_export_closes_when_its_requester_may_no_longer_see_whole_numbers(
    world, login, django_capture_on_commit_callbacks
):
    job = _full_id_export(world, login, django_capture_on_commit_callbacks)
    staff = Staff.objects.filter(user=world.office_admin)
    staff.update(roles=[Role.FINANCE])
    assert _statuses(login(world.office_admin), _urls(job)[:2]) == [404, 404]
    staff.update(roles=[Role.AUDITOR])  # auditors see whole ID numbers
    assert _statuses(login(world.office_admin), _urls(job)[:2]) == [200, 200]


@pytest.mark.django_db
def test_todays_runs_link_only_their_own_runs_to_their_job_page(world, login):
    """The daily page lists the tenant's recent runs (counts, no personal data); a run's
    job page is its requester's, so only their own runs are links."""
    from mutualaid.jobs.services import job_create
    from portal.jobs import DAILY_RUN

    colleague = factories.make_staff(world.office, Role.OFFICE_ADMIN, username="office_admin2")
    run = job_create(actor=world.actor(colleague), kind=DAILY_RUN, title="今日任务（同事）")
    Job.objects.filter(pk=run.pk).update(status=JobStatus.SUCCEEDED, message="完成")
    link = f'href="{reverse("jobs:status", args=[run.pk])}"'
    mine = login(colleague).get(reverse("daily_run")).content.decode()
    assert link in mine
    theirs = login(world.office_admin).get(reverse("daily_run")).content.decode()
    assert "今日任务（同事）" in theirs and link not in theirs
    assert login(world.office_admin).get(reverse("jobs:status", args=[run.pk])).status_code == 404
