"""One rule per role for ID numbers on every surface (issue 16 item 10; SPEC §4):
the member list, the incident-report search, the claim pages, the API and the roster
export show a member's number whole or masked alike; a roster export with whole numbers is
recorded in the audit log (who, what, how many rows)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from python_calamine import load_workbook

from mutualaid.audit.models import AuditEvent
from mutualaid.core.cleaning import mask_id_number
from mutualaid.jobs.models import Job
from mutualaid.jobs.tasks import run_job
from tests import factories

#: persona → whole numbers of a member of unit A1?
WHOLE = {
    "office_admin": True,
    "reviewer": True,
    "auditor": True,
    "agent": True,  # the member's own unit
    "sibling_agent": None,  # does not reach the member at all
    "county_cadre": False,
    "city_cadre": False,
    "finance": False,
}


@pytest.fixture
def member(world):
    return factories.make_member(world.unit, name="林晓")


def _shown(member, whole):
    return member.id_number if whole else mask_id_number(member.id_number)


@pytest.mark.parametrize(("persona", "whole"), [(p, w) for p, w in WHOLE.items() if w is not None])
def test_every_page_and_the_api_show_the_number_alike(world, member, as_user, persona, whole):
    client = as_user(getattr(world, persona))
    expected = _shown(member, whole)
    other = _shown(member, not whole)

    pages = [
        client.get(reverse("members:member_search"), {"q": "林"}),
        client.get(reverse("members:member_detail", args=[member.pk])),
    ]
    search = client.get(reverse("claims:report_create"), {"q": "林"}, HTTP_HX_REQUEST="true")
    if search.status_code != 403:  # finance, auditors do not report incidents
        pages.append(search)
        pages.append(client.get(reverse("claims:report_create"), {"member": member.pk}))
    for response in pages:
        body = response.content.decode()
        assert response.status_code == 200, response.request
        assert expected in body and other not in body, response.request["PATH_INFO"]

    api = client.get("/api/v1/members/", {"full_id_number": "1"}).json()["results"]
    assert [m["id_number"] for m in api] == [expected]


@pytest.fixture
def covered(world, member):
    plan = factories.make_plan(world.office, valid_from=dt.date(2024, 1, 1))
    return factories.make_policy(member, plan)


def _export(client, capture, **data):
    with capture():
        assert client.post(reverse("enrolments:export"), data).status_code == 302
    job = Job.objects.filter(kind="roster_export").order_by("-created_at").first()
    assert run_job.apply(args=[str(job.pk)]).get() == "succeeded"
    download = client.get(reverse("jobs:download", args=[job.pk]))
    grid = load_workbook(io.BytesIO(b"".join(download.streaming_content))).get_sheet_by_index(0)
    return job, [row[2] for row in grid.to_python()[1:]]


@pytest.mark.parametrize("persona", ["office_admin", "agent", "county_cadre"])
def test_the_export_follows_the_same_rule_and_whole_numbers_are_audited(
    world, member, covered, as_user, django_capture_on_commit_callbacks, persona
):
    client = as_user(getattr(world, persona))
    job, numbers = _export(client, django_capture_on_commit_callbacks, full_id_numbers="on")
    assert numbers == [_shown(member, WHOLE[persona])]
    events = AuditEvent.objects.filter(action="enrolment.roster_export_full_ids")
    if WHOLE[persona]:
        event = events.get()
        assert (event.actor_id, event.object_id) == (getattr(world, persona).pk, str(job.pk))
        assert (event.after["rows"], event.after["full_id_numbers"]) == (1, 1)
    else:
        assert not events.exists()
    # Masked by default: nothing to record.
    _job, numbers = _export(client, django_capture_on_commit_callbacks)
    assert numbers == [mask_id_number(member.id_number)]
    assert events.count() == (1 if WHOLE[persona] else 0)
