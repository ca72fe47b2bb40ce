"""The state cover is shown in (issue 16 item 1): one rule, a pure function and its SQL twin,
held to one table of cases; and the pages, the export, the API and the statistics read it.

Cover 2025-01-01 … 2025-12-31 (both days covered); a policy ended early covers up to its
``ended_on`` (2025-06-30 here).
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from python_calamine import load_workbook

from enrolment.models import Enrolment, Policy
from enrolment.states import (
    enrolment_state,
    enrolment_state_expression,
    enrolment_state_filter,
    policy_covering_on,
    policy_state,
    policy_state_expression,
)
from mutualaid.audit.models import AuditEvent
from mutualaid.jobs.models import Job
from mutualaid.jobs.tasks import run_job
from tests import factories

START, END, ENDED_ON = dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2025, 6, 30)
DAYS = {
    "before start": dt.date(2024, 12, 31),
    "first day": START,
    "last day": END,
    "after end": dt.date(2026, 1, 1),
    "last day ended early": ENDED_ON,
    "after ended early": dt.date(2025, 7, 1),
}

# (status, ended early?) → {day: state}
POLICY_CASES = {
    ("in_force", False): {
        "before start": "not_started",
        "first day": "in_force",
        "last day": "in_force",
        "after end": "expired",
        "last day ended early": "in_force",
        "after ended early": "in_force",
    },
    ("ended", True): {
        "before start": "not_started",
        "first day": "in_force",
        "last day": "ended",
        "after end": "ended",
        "last day ended early": "in_force",  # ended_on is the last covered day
        "after ended early": "ended",
    },
    ("lapsed", False): dict.fromkeys(DAYS, "lapsed"),
    ("cancelled", False): dict.fromkeys(DAYS, "cancelled"),
}
POLICY_TABLE = [
    (status, ended, day, expected)
    for (status, ended), by_day in POLICY_CASES.items()
    for day, expected in by_day.items()
]


@pytest.mark.parametrize(("status", "ended", "day", "expected"), POLICY_TABLE)
def test_policy_state_table(status, ended, day, expected):
    state = policy_state(
        status=status,
        start=START,
        end=END,
        ended_on=ENDED_ON if ended else None,
        as_of=DAYS[day],
    )
    assert state == expected


ENROLMENT_TABLE = [
    ("in_force", "before start", "not_started"),
    ("in_force", "first day", "in_force"),
    ("in_force", "last day", "in_force"),
    ("in_force", "after end", "expired"),
    *((status, "after end", status) for status in ("draft", "submitted", "invoiced", "cancelled")),
]


@pytest.mark.parametrize(("status", "day", "expected"), ENROLMENT_TABLE)
def test_enrolment_state_table(status, day, expected):
    state = enrolment_state(status=status, coverage_start=START, coverage_end=END, as_of=DAYS[day])
    assert state == expected


@pytest.fixture
def book(world):
    """One policy per (status, ended early) of the table, on one enrolment each."""
    plan = factories.make_plan(world.office, valid_from=dt.date(2024, 1, 1))
    policies = {}
    for status, ended in POLICY_CASES:
        member = factories.make_member(world.unit)
        policy = factories.make_policy(member, plan, start=START, end=END, status=status)
        if ended:
            Policy.objects.filter(pk=policy.pk).update(ended_on=ENDED_ON)
        policies[(status, ended)] = policy.pk
    return plan, policies


@pytest.mark.django_db
def test_the_sql_twin_agrees_with_the_function_on_every_case(book):
    _plan, policies = book
    for day_name, day in DAYS.items():
        annotated = dict(
            Policy.objects.filter(pk__in=policies.values())
            .annotate(state=policy_state_expression(day))
            .values_list("pk", "state")
        )
        covering = set(
            Policy.objects.filter(pk__in=policies.values())
            .filter(policy_covering_on(day))
            .values_list("pk", flat=True)
        )
        for key, pk in policies.items():
            expected = POLICY_CASES[key][day_name]
            assert annotated[pk] == expected, (key, day_name)
            assert (pk in covering) == (expected == "in_force"), (key, day_name)


@pytest.mark.django_db
def test_the_enrolment_sql_twin_and_filter_agree(world):
    plan = factories.make_plan(world.office, valid_from=dt.date(2024, 1, 1))
    rows = {}
    for status in ("in_force", "draft", "cancelled"):
        enrolment = factories.make_enrolment(world.unit, plan, status=status, start=START)
        Enrolment.objects.filter(pk=enrolment.pk).update(coverage_start=START, coverage_end=END)
        rows[status] = enrolment.pk
    for status, day_name, expected in ENROLMENT_TABLE:
        if status not in rows:
            continue
        day = DAYS[day_name]
        state = (
            Enrolment.objects.annotate(state=enrolment_state_expression(day))
            .values_list("state", flat=True)
            .get(pk=rows[status])
        )
        assert state == expected
        found = Enrolment.objects.filter(enrolment_state_filter(expected, day)).filter(
            pk__in=rows.values()
        )
        assert list(found.values_list("pk", flat=True)) == [rows[status]]


@pytest.mark.django_db
def test_last_years_cover_is_expired_on_every_page_export_and_api(
    world, as_user, django_capture_on_commit_callbacks
):
    """The demo's 2025 cover, read in December 2026: "已到期" everywhere, as the member page."""
    plan = factories.make_plan(world.office, valid_from=dt.date(2024, 1, 1))
    member = factories.make_member(world.unit, name="去年会员")
    policy = factories.make_policy(member, plan, start=START, end=END)
    Enrolment.objects.filter(pk=policy.enrolment_id).update(
        coverage_start=START, coverage_end=END, payment_date=START - dt.timedelta(days=1)
    )
    client = as_user(world.office_admin, "zh-hans")

    member_page = client.get(reverse("members:member_detail", args=[member.pk])).content.decode()
    assert 'data-state="expired"' in member_page and "已到期" in member_page
    policy_page = client.get(reverse("enrolments:policy_detail", args=[policy.pk]))
    assert 'data-state="expired"' in policy_page.content.decode()

    listing = client.get(reverse("enrolments:list")).content.decode()
    assert 'data-state="expired"' in listing and 'data-state="in_force"' not in listing
    detail = client.get(reverse("enrolments:detail", args=[policy.enrolment_id])).content.decode()
    assert 'data-state="expired"' in detail
    # The list's filter is by the state: last year's enrolment is not "in force".
    ids = lambda **q: [e.pk for e in client.get("/enrolments/", q).context["page"].rows]  # noqa: E731
    assert ids(status="in_force") == [] and ids(status="expired") == [policy.enrolment_id]

    api = as_user(world.office_admin)
    body = api.get(f"/api/v1/policies/{policy.pk}/").json()
    assert (body["status"], body["state"]) == ("in_force", "expired")
    body = api.get(f"/api/v1/enrolments/{policy.enrolment_id}/").json()
    assert (body["status"], body["state"]) == ("in_force", "expired")

    with django_capture_on_commit_callbacks():
        client.post(reverse("enrolments:export"), {})
    job = Job.objects.get(kind="roster_export")
    assert run_job.apply(args=[str(job.pk)]).get() == "succeeded"
    download = client.get(reverse("jobs:download", args=[job.pk]))
    grid = load_workbook(io.BytesIO(b"".join(download.streaming_content))).get_sheet_by_index(0)
    header, *body_rows = grid.to_python()
    assert [r[10] for r in body_rows] == ["已到期"]
    # The export's filter is the state too.
    with django_capture_on_commit_callbacks():
        client.post(reverse("enrolments:export"), {"status": "in_force"})
    job = Job.objects.filter(kind="roster_export").order_by("-created_at").first()
    assert run_job.apply(args=[str(job.pk)]).get() == "succeeded"
    job.refresh_from_db()
    assert job.result["rows"] == 0
    # Masked numbers: no audit entry for this export.
    assert not AuditEvent.objects.filter(action="enrolment.roster_export_full_ids").exists()
