"""The reviewer queue and the unit's claims: one scoped selector, keyset paging with no
COUNT(*), filters, deadlines with SLA colours, and a query count that does not grow."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
from django.utils import timezone

from claims import selectors
from claims.models import Claim, ReportStatus
from claims.selectors import QueueFilters, Sla, StatusGroup
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _at(days_ago: int):
    return timezone.now() - timedelta(days=days_ago)


@pytest.fixture
def plan(world):
    return factories.make_plan(world.office)


def _claim(member, plan, status="submitted", *, submitted_days_ago=5, **fields):
    submitted = _at(submitted_days_ago) if status != "draft" else None
    fields.setdefault("submitted_at", submitted)
    amount = "800.00" if status not in ("draft",) else None
    return factories.make_claim(member, plan, status=status, amount=amount, **fields)


def _numbers(response) -> list[str]:
    body = response.content.decode()
    return [n for n in Claim.objects.values_list("number", flat=True) if n in body]


def test_the_reviewer_queue_shows_claims_under_review_oldest_first(world, plan, login):
    a1 = factories.make_member(world.unit, name="韦一")
    a2 = factories.make_member(world.sibling_unit, name="韦二")
    old = _claim(a1, plan, submitted_days_ago=20)
    new = _claim(a2, plan, submitted_days_ago=2)
    second = _claim(a1, plan, "second", submitted_days_ago=10)
    draft = _claim(a1, plan, "draft")
    paid = _claim(a1, plan, "paid", paid_on=TODAY, submitted_days_ago=40)
    body = login(world.reviewer).get("/claims/").content.decode()
    assert body.index(old.number) < body.index(second.number) < body.index(new.number)
    assert draft.number not in body and paid.number not in body


def test_the_agent_sees_the_units_claims_drafts_included(world, plan, login):
    mine = factories.make_member(world.unit, name="陈甲")
    theirs = factories.make_member(world.sibling_unit, name="陈乙")
    draft = _claim(mine, plan, "draft")
    paid = _claim(mine, plan, "paid", paid_on=TODAY)
    sibling = _claim(theirs, plan, "draft")
    body = login(world.agent).get("/claims/").content.decode()
    assert draft.number in body and paid.number in body and sibling.number not in body
    assert 'data-testid="decision-form"' not in body
    county = login(world.county_cadre).get("/claims/").content.decode()
    assert draft.number in county and sibling.number in county


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "investigation"}, {"investigated"}),
        ({"status": StatusGroup.PAYOUT}, {"approved"}),
        ({"status": StatusGroup.ALL, "event_kind": "accident"}, {"accident"}),
        ({"status": StatusGroup.ALL, "near_limit": "1"}, {"approved"}),
        ({"status": StatusGroup.TO_DO}, {"draft"}),
    ],
)
def test_queue_filters(world, plan, login, query, expected):
    member = factories.make_member(world.unit, name="覃某")
    made = {
        "submitted": _claim(member, plan),
        "investigated": _claim(member, plan, "investigation"),
        "approved": _claim(member, plan, "approved", near_limit=True),
        "accident": _claim(member, plan, "submitted", event_kind="accident"),
        "draft": _claim(member, plan, "draft"),
    }
    shown = set(_numbers(login(world.reviewer).get("/claims/", query)))
    assert shown == {made[key].number for key in expected}


def test_filter_by_plan_dates_number_and_name(world, plan, login):
    other_plan = factories.make_plan(world.office)
    wang = factories.make_member(world.unit, name="王小明")
    li = factories.make_member(world.unit, name="李大山")
    early = _claim(wang, plan, submitted_days_ago=30)
    late = _claim(li, other_plan, submitted_days_ago=1)
    client = login(world.reviewer)
    assert _numbers(client.get("/claims/", {"plan": other_plan.pk})) == [late.number]
    since = (TODAY - timedelta(days=10)).isoformat()
    assert _numbers(client.get("/claims/", {"submitted_from": since})) == [late.number]
    assert _numbers(client.get("/claims/", {"submitted_to": since})) == [early.number]
    assert _numbers(client.get("/claims/", {"q": early.number.lower()})) == [early.number]
    assert _numbers(client.get("/claims/", {"q": late.report.number})) == [late.number]
    assert _numbers(client.get("/claims/", {"q": "王小"})) == [early.number]
    assert _numbers(client.get("/claims/", {"q": li.id_number})) == [late.number]


def test_bad_filter_values_are_ignored_not_a_500(world, plan, login):
    client = login(world.reviewer)
    for query in (
        {"status": "nonsense"},
        {"submitted_from": "yesterday"},
        {"plan": "not-a-uuid"},
        {"event_kind": "x" * 80},
    ):
        assert client.get("/claims/", query).status_code == 200
    # A damaged page link is refused with a message, not ignored (issue 12).
    assert client.get("/claims/", {"after": "%%%"}).status_code == 400
    # A plan of another tenant is not a filter anyone may use.
    foreign = factories.make_plan(world.other_office)
    assert client.get("/claims/", {"plan": foreign.pk}).status_code == 404


def test_keyset_pages_cover_every_claim_once(world, plan):
    member = factories.make_member(world.unit, name="蒙某")
    made = {_claim(member, plan, submitted_days_ago=d).pk for d in range(1, 12)}
    actor = world.actor(world.reviewer)
    seen, cursor = [], None
    while True:
        page = selectors.claim_queue(actor=actor, filters=QueueFilters(), cursor=cursor, size=4)
        seen.extend(c.pk for c in page.rows)
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == len(made) and set(seen) == made


def test_the_page_links_to_the_next_page_with_its_filters(world, plan, login, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    member = factories.make_member(world.unit, name="梁某")
    claims = [_claim(member, plan, submitted_days_ago=d) for d in (9, 8, 7, 6, 5)]
    client = login(world.reviewer)
    first = client.get("/claims/", {"status": "submitted"})
    body = first.content.decode()
    assert 'data-testid="next-page"' in body and "status=submitted&amp;after=" in body
    cursor = first.context["page"].next_cursor
    second = client.get("/claims/", {"status": "submitted", "after": cursor})
    assert _numbers(second) == [c.number for c in claims[2:4]]
    # htmx asks for the rows only.
    partial = client.get(
        "/claims/", {"status": "submitted", "after": cursor}, HTTP_HX_REQUEST="true"
    )
    assert (
        "<html" not in partial.content.decode()
        and 'data-testid="claim-list"' in partial.content.decode()
    )


def test_query_count_is_the_same_on_the_first_and_a_deep_page(
    world, plan, login, django_assert_max_num_queries
):
    member = factories.make_member(world.unit, name="庞某")
    for d in range(130):
        _claim(member, plan, "submitted" if d % 2 else "investigation", submitted_days_ago=d % 40)
    _claim(member, plan, "draft")
    client = login(world.reviewer)
    client.get("/claims/")  # warm caches (content types, translations)
    actor = world.actor(world.reviewer)
    cursor = selectors.claim_queue(actor=actor, filters=QueueFilters()).next_cursor
    deep = selectors.claim_queue(actor=actor, filters=QueueFilters(), cursor=cursor).next_cursor
    assert deep is not None
    # session, user, staff membership (actor), the header's org chain, the plans of the
    # filter, the page of claims (member, unit, plan, report joined), the tenant's calendar
    # (days, years) for the deadlines, the late-report banner.
    for after in (None, cursor, deep):
        with django_assert_max_num_queries(11):
            response = client.get("/claims/", {"after": after} if after else {})
        assert response.status_code == 200 and response.context["page"].rows
    with django_assert_max_num_queries(9):
        client.get("/claims/", {"status": "all", "q": "庞", "after": cursor})


def test_deadlines_and_sla_colours(world, plan):
    """Red past due, amber within 5 working days, green otherwise; the deadline that matters
    in each state (apply by, decide-and-pay-by from the submission, pay by)."""
    from mutualaid.calendar.selectors import work_calendar_for

    member = factories.make_member(world.unit, name="邓某")
    calendar = work_calendar_for(world.tenant)
    soon = calendar.add_working_days(TODAY, 3).date
    made = {
        "overdue": _claim(member, plan, "approved", payout_due=TODAY - timedelta(days=1)),
        "soon": _claim(member, plan, "approved", payout_due=soon),
        "later": _claim(member, plan, "in_batch", payout_due=TODAY + timedelta(days=60)),
        "old_review": _claim(member, plan, "submitted", submitted_days_ago=90),
        "new_review": _claim(member, plan, "submitted", submitted_days_ago=0),
        "expiring": _claim(member, plan, "draft", expires_on=TODAY + timedelta(days=1)),
        "paid": _claim(member, plan, "paid", paid_on=TODAY),
    }
    rows = list(Claim.objects.select_related("report").filter(pk__in=[c.pk for c in made.values()]))
    selectors.with_deadlines(rows, tenant=world.tenant, today=TODAY)
    sla = {key: next(r.due.sla for r in rows if r.pk == claim.pk) for key, claim in made.items()}
    assert sla == {
        "overdue": Sla.LATE,
        "soon": Sla.SOON,
        "later": Sla.OK,
        "old_review": Sla.LATE,
        "new_review": Sla.OK,
        "expiring": Sla.SOON,
        "paid": Sla.NONE,
    }


def test_late_reports_wait_in_their_own_list(world, plan, login):
    member = factories.make_member(world.unit, name="莫某")
    late = _claim(member, plan, "draft")
    late.report.status = ReportStatus.LATE
    late.report.late = True
    late.report.save(update_fields=["status", "late"])
    client = login(world.reviewer)
    body = client.get("/claims/").content.decode()
    assert 'data-testid="late-reports"' in body and late.number not in body
    listed = client.get("/claims/", {"status": StatusGroup.LATE}).content.decode()
    assert late.number in listed and 'data-sla="bad"' in listed


def test_selector_order_uses_the_queue_index(world, plan):
    """The queue's SQL orders by (submitted_at, id) after the tenant and status filters:
    the column order of claim_queue_idx."""
    actor = world.actor(world.reviewer)
    qs, order = selectors.claim_list(actor=actor, filters=QueueFilters(status="submitted"))
    assert order == ("submitted_at", "id")
    sql = str(qs.order_by(*order).query)
    assert '"claims_claim"."tenant_id"' in sql and '"claims_claim"."status"' in sql
    _qs, recent = selectors.claim_list(actor=actor, filters=QueueFilters(status=StatusGroup.ALL))
    assert recent == ("-created_at", "-id")


def test_event_date_shown_for_each_row(world, plan, login):
    member = factories.make_member(world.unit, name="何某")
    claim = _claim(member, plan, event_date=dt.date(2026, 9, 28), event_kind="accident")
    body = login(world.reviewer).get("/claims/").content.decode()
    assert claim.number in body and "2026-09-28" in body and "意外伤害(医疗)" in body


def _batch_of(world, plan, n):
    from claims.services import payouts

    member = factories.make_member(world.unit, name="批量某")
    for _ in range(n):
        factories.make_claim(
            member,
            plan,
            status="approved",
            amount="500.00",
            submitted_at=_at(3),
            payout_due=TODAY + timedelta(days=20),
        )
    return payouts.batch_build(actor=world.actor(world.finance), tenant_id=world.tenant.pk)


def test_batch_pages_have_a_constant_query_count(world, plan, login, django_assert_max_num_queries):
    small = _batch_of(world, plan, 2)
    client = login(world.finance2)
    client.get(f"/claims/batches/{small.pk}/")  # warm caches
    # session, user, staff (actor), header org chain, the batch (with builder and approver),
    # the page of lines (claim, member, unit joined), the lines' summary (one aggregate).
    with django_assert_max_num_queries(9):
        assert client.get(f"/claims/batches/{small.pk}/").status_code == 200
    big = _batch_of(world, plan, 130)
    with django_assert_max_num_queries(9):
        response = client.get(f"/claims/batches/{big.pk}/")
    assert len(response.context["page"].rows) == 100 and response.context["page"].has_next
    after = response.context["page"].next_cursor
    with django_assert_max_num_queries(9):
        assert (
            len(client.get(f"/claims/batches/{big.pk}/", {"after": after}).context["page"].rows)
            == 30
        )
    # The batch list: session, user, staff, org chain, the page of batches (builder and
    # approver joined), the approved claims waiting for a batch (one aggregate).
    with django_assert_max_num_queries(8):
        listing = client.get("/claims/batches/")
    assert small.number in listing.content.decode() and big.number in listing.content.decode()


def test_a_renamed_member_is_found_by_the_new_name(world, plan, login):
    """The claims keep a copy of the member's name for the search; renaming the member
    (members.services.member_update) renames it on their claims too."""
    from members import services as member_services

    member = factories.make_member(world.unit, name="黄旧名")
    claim = _claim(member, plan)
    member_services.member_update(
        actor=world.actor(world.agent),
        member=member,
        name="黄新名",
        category=member.category,
        employment_status=member.employment_status,
    )
    client = login(world.reviewer)
    assert _numbers(client.get("/claims/", {"q": "黄新"})) == [claim.number]
    assert _numbers(client.get("/claims/", {"q": "黄旧"})) == []
