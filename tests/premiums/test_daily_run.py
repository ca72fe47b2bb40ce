"""An office admin runs today's daily jobs now, from a page (issue 16 item 9): a job with a
progress bar, limited to the admin's tenant; the night's run then does nothing twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.html import escape

from enrolment.models import Enrolment
from mutualaid.jobs import tasks
from mutualaid.jobs.models import Job, JobStatus
from mutualaid.notifications.models import Notification
from portal.daily import STEPS, daily_run
from premiums.models import Renewal
from premiums.tasks import prepare_renewals
from tests.premiums.support import in_force

TODAY = dt.date(2026, 2, 20)  # inside the notice window of the cover ending 2026-03-15


@pytest.fixture
def due(accepted, actors, plans, units, people, today_is):
    today_is(dt.date(2025, 3, 31))
    last_year = in_force(accepted, actors, units.a1, plans["gx_designated_disease"], people, 2)
    today_is(TODAY)
    return last_year


@pytest.fixture
def start_run(monkeypatch, django_capture_on_commit_callbacks):
    """``start_run(client)``: press the button; returns the page and the job it started
    (run as the worker would)."""

    def _start(client):
        sent = []
        # The outbox publishes with apply_async (after the commit): catch the job id there.
        monkeypatch.setattr(tasks.run_job, "apply_async", lambda args, **_: sent.append(args[0]))
        with django_capture_on_commit_callbacks(execute=True):
            page = client.post("/daily/")
        assert len(sent) == 1, page.status_code
        assert tasks.run_job(sent[0]) == "succeeded"
        return page, Job.objects.get(pk=sent[0])

    return _start


def state():
    return (
        Enrolment.objects.count(),
        Renewal.objects.count(),
        Notification.objects.count(),
    )


def test_the_office_admin_runs_today_now_and_the_night_does_nothing_twice(
    due, world, as_user, start_run
):
    client = as_user(world.office_admin)
    page = client.get("/daily/")
    assert page.status_code == 200 and 'data-testid="daily-run"' in page.content.decode()
    started, job = start_run(client)
    assert 'data-testid="job"' in started.content.decode()  # the progress bar
    assert (job.status, job.tenant_id, job.done, job.total) == (
        JobStatus.SUCCEEDED,
        world.tenant.pk,
        len(STEPS),
        len(STEPS),
    )
    assert job.result["renewals"] == 1
    draft = Renewal.objects.get(previous=due).enrolment
    assert draft.status == "draft"
    after = state()
    # The night's run (beat's tasks, every tenant) and a second click find it all done.
    assert prepare_renewals(TODAY.isoformat())["prepared"] == 0
    _again, second = start_run(client)
    assert all(count == 0 for key, count in second.result.items() if key != "statistics")
    assert state() == after
    listed = client.get("/daily/").content.decode()
    assert escape(job.message) in listed and escape(second.message) in listed


def test_only_the_office_admin_of_the_office_may_run_it(due, world, as_user):
    for user in (world.agent, world.finance, world.county_cadre):
        assert as_user(user).post("/daily/").status_code == 403
    assert not Job.objects.exists()


def test_another_tenants_admin_runs_only_their_own_tenant(due, world, as_user, start_run):
    _page, theirs = start_run(as_user(world.other_tenant_admin))
    assert theirs.tenant_id == world.other_tenant.pk
    assert theirs.result["renewals"] == 0 and not Renewal.objects.exists()
    _page, own = start_run(as_user(world.office_admin))
    assert own.result["renewals"] == 1
    client = as_user(world.other_tenant_admin)
    listed = client.get("/daily/").content.decode()
    assert str(own.pk) not in listed and str(theirs.pk) in listed
    assert client.get(f"/jobs/{own.pk}/").status_code == 404


def test_the_run_for_one_tenant_leaves_the_others_alone(due, world):
    assert daily_run(tenant_id=world.other_tenant.pk, today=TODAY)["renewals"] == 0
    assert not Renewal.objects.exists()
    assert daily_run(tenant_id=world.tenant.pk, today=TODAY)["renewals"] == 1
