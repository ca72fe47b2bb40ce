"""The roster rules and the renewal job agree, case by case (``eligibility_cases.CASES``).

``check_batch`` is run on each case as on a new enrolment starting on the case's day; the
renewal job's SQL (``enrolment.renewals``) and the agent's renewal (``enrolment_create(
kind="renewal")``) on an enrolment of the same member, in force until the day before,
under a plan whose new version has the case's terms. The same members continue, and
those left out read the same reason: the first problem ``check_batch`` reports, or SPEC
§7's own (died, left, moved).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.db import transaction
from django.utils import translation

from enrolment.models import Enrolment, EnrolmentKind
from enrolment.policies import add_months, requested_period
from enrolment.renewals import renewals_prepare_due
from enrolment.roster_source import roster_lines
from enrolment.rules import (
    TEXTS,
    Candidate,
    CoverRow,
    Eligibility,
    EnrolmentRules,
    age_on,
    check_batch,
    renewal_leaving,
)
from enrolment.services.drafts import enrolment_create
from enrolment.services.lines import lines_import
from members.models import Member
from plans.rules import PlanTerms
from plans.terms import terms_of
from tests import factories
from tests.enrolment.eligibility_cases import BASE_TERMS, CASES, GROUP, Case
from tests.enrolment.support import new_enrolment

ONE_DAY = dt.timedelta(days=1)
#: The plans of the pure cases: this one (id, name) and the cover's (id, name, exclusive group).
THIS_PLAN = ("this-plan", "本计划")
COVER_PLANS = {
    "group": ("group-plan", "职工指定疾病(手术)", GROUP),
    "other": ("other-plan", "团体意外", ""),
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def check(case: Case, *, rules: EnrolmentRules, cand: Candidate, cover_plan=None):
    """``check_batch`` on the case's one line, with its cover as ``cover_plan`` (id, name,
    group) holds or enrols it."""
    cover = {}
    if case.cover is not None:
        plan_id, name, group = cover_plan
        cover = {
            cand.member_id: [
                CoverRow(
                    cand.member_id,
                    plan_id,
                    name,
                    group,
                    case.cover.start,
                    case.cover.end,
                    case.cover.policy,
                )
            ]
        }
    return check_batch(rules, [cand], cover=cover)


# --- check_batch alone: the table as written ----------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_check_batch_on_a_new_enrolment(case):
    rules = EnrolmentRules.build(
        PlanTerms.from_dict(factories.plan_terms(**case.plan_terms())),
        kind=EnrolmentKind.NEW,
        period=requested_period(case.start, 12),
        plan_id=THIS_PLAN[0],
        plan_name=THIS_PLAN[1],
    )
    cand = Candidate(
        index=0,
        row=None,
        id_number="450421198001010011",
        member_id="member",
        sex=case.sex,
        birth_date=case.birth,
        category=case.category,
        employment_status=case.status,
        shares=1 if rules.sold_in_tiers else case.shares,
        tier=case.tier,
    )
    cover_plan = None
    if case.cover is not None:
        cover_plan = (
            (*THIS_PLAN, rules.exclusive_group)
            if case.cover.plan == "same"
            else COVER_PLANS[case.cover.plan]
        )
    report = check(case, rules=rules, cand=cand, cover_plan=cover_plan)
    assert [e.code for e in report.errors()] == list(case.refused)
    leaving = renewal_leaving(
        employment_status=case.status, moved_to="甲县中学工会" if case.moved else None
    )
    assert (leaving[0] if leaving else None) == case.renewal


@pytest.mark.parametrize("start", [dt.date(2026, 2, 28), dt.date(2026, 3, 1), dt.date(2028, 2, 29)])
def test_the_age_range_as_birth_dates_is_the_age_in_full_years(start):
    """What the renewal SQL compares (``Eligibility.birth_dates``) is ``age_on`` against the
    band, for every birth day around both edges (以上 / 以下 include the number)."""
    el = Eligibility(min_age=18, max_age=60)
    earliest, latest = el.birth_dates(start)
    for edge in (add_months(start, -12 * 18), add_months(start, -12 * 61)):
        for offset in range(-3, 4):
            birth = edge + dt.timedelta(days=offset)
            age = age_on(birth, start)
            assert (birth > latest) == (age < 18), birth
            assert (birth < earliest) == (age > 60), birth


# --- Both paths on the same facts in the database -------------------------------------------------


def _last_year_terms(cases: list[Case]) -> dict:
    """The version in force last year: the same sale, no eligibility rule, no group, room
    for every count and tier held — so last year's roster took every case's member."""
    terms = {**cases[0].plan_terms(), "eligibility": {}, "exclusive_group": None}
    if terms.get("sale_mode") == "tiers":
        sold = {t["code"] for t in terms["tiers"]}
        extra = [
            {"code": c.tier, "name": c.tier, "premium": "74.00"}
            for c in cases
            if c.tier not in sold
        ]
        terms["tiers"] = [*terms["tiers"], *extra]
    else:
        terms["max_shares"] = 10
    return terms


def _roster_row(member, case: Case) -> dict:
    return {"member": member, "shares": case.shares, "tier": case.tier}


def _outcome(previous: Enrolment) -> tuple[list, list]:
    """(lines, dropped) of the renewal draft of ``previous``."""
    draft = Enrolment.objects.get(previous=previous, kind=EnrolmentKind.RENEWAL)
    lines = list(
        roster_lines(draft)
        .order_by("member__name")
        .values_list("member__name", "shares", "tier", "previous_shares", "premium")
    )
    return lines, draft.dropped


def test_the_renewal_job_and_the_agents_renewal_agree_with_check_batch(world, actors, units, flow):
    office = world.office
    group_plan = factories.make_plan(
        office,
        name="职工指定疾病(手术)",
        terms=factories.plan_terms(**BASE_TERMS, exclusive_group=GROUP),
        valid_from=dt.date(2025, 1, 1),
    )
    other_plan = factories.make_plan(
        office, terms=factories.plan_terms(**BASE_TERMS), valid_from=dt.date(2025, 1, 1)
    )
    groups: dict[tuple, list[Case]] = defaultdict(list)
    for case in CASES:
        groups[(repr(case.plan_terms()), case.start)].append(case)

    built = []  # (case, member, plan, last year's enrolment)
    for (_terms, start), cases in groups.items():
        plan = factories.make_plan(
            office,
            terms=factories.plan_terms(**_last_year_terms(cases)),
            valid_from=dt.date(2025, 1, 1),
        )
        factories.make_version(
            plan, terms=factories.plan_terms(**cases[0].plan_terms()), valid_from=start
        )
        members = [
            factories.make_member(
                units.a1,
                name=case.id,
                id_number=factories.make_id_number(
                    male=case.sex == "male", birth=case.birth.strftime("%Y%m%d")
                ),
                category=case.category,
            )
            for case in cases
        ]
        paid = add_months(start - ONE_DAY, -12)  # last year's cover ends the day before
        last_year = new_enrolment(actors.agent, units.a1, plan, start=paid + ONE_DAY)
        lines_import(
            actor=actors.agent,
            enrolment=last_year,
            rows=[_roster_row(m, c) for m, c in zip(members, cases, strict=True)],
        )
        flow(last_year, paid=paid)
        assert last_year.coverage_end == start - ONE_DAY
        for case, member in zip(cases, members, strict=True):
            if case.cover is not None:
                other = {"same": plan, "group": group_plan, "other": other_plan}
                cover = new_enrolment(
                    actors.agent, units.a1, other[case.cover.plan], start=case.cover.start
                )
                lines_import(actor=actors.agent, enrolment=cover, rows=[_roster_row(member, case)])
                if case.cover.policy:
                    flow(cover, paid=case.cover.start - ONE_DAY)
            if case.status != "in_service":
                Member.objects.filter(pk=member.pk).update(employment_status=case.status)
            if case.moved:
                factories.make_transfer(member, world.sibling_unit, world.office_admin)
            built.append((case, member, plan, last_year))
    previous = {last_year.pk: last_year for *_, last_year in built}
    for _case, member, *_rest in built:
        member.refresh_from_db()

    for language in ("en", "zh-hans"):  # the reasons are written in the run's language
        with translation.override(language):
            # The job, once per day a period starts (each run prepares what is due by then).
            with transaction.atomic():
                for start in sorted({case.start for case in CASES}):
                    renewals_prepare_due(today=start - ONE_DAY, tenant_id=world.tenant.pk)
                by_job = {pk: _outcome(e) for pk, e in previous.items()}
                transaction.set_rollback(True)
            # The agent's renewal on the enrolment page, on the same facts.
            with transaction.atomic():
                for last_year in previous.values():
                    enrolment_create(
                        actor=actors.agent,
                        unit=units.a1,
                        kind=EnrolmentKind.RENEWAL,
                        previous=last_year,
                    )
                by_agent = {pk: _outcome(e) for pk, e in previous.items()}
                transaction.set_rollback(True)
            assert by_job == by_agent  # same rosters, same members left out, same words
            disagree = []
            for case, member, plan, last_year in built:
                expected = _expected(case, member, plan, world, group_plan, other_plan)
                got = _reason(member, *by_job[last_year.pk])
                if got != expected:
                    disagree.append(f"{case.id}: check_batch {expected!r}, renewal {got!r}")
            assert not disagree, "\n".join(disagree)


def _reason(member, lines, dropped) -> str | None:
    """Why the renewal left ``member`` out (None: the member is on its roster)."""
    if member.name in {name for name, *_ in lines}:
        return None
    reasons = {d["name"]: d["reason"] for d in dropped}
    return reasons.get(member.name, "(neither kept nor dropped)")


def _expected(case: Case, member, plan, world, group_plan, other_plan) -> str | None:
    """What ``check_batch`` says of the member as the database holds it (its codes are the
    case's: the facts were built right), or SPEC §7's own reason."""
    version = plan.versions.get(valid_from=case.start)
    rules = EnrolmentRules.build(
        terms_of(version),
        kind=EnrolmentKind.NEW,
        period=requested_period(case.start, 12),
        plan_id=plan.pk,
        plan_name=plan.display_name,
    )
    cand = Candidate(
        index=0,
        row=None,
        id_number=member.id_number,
        member_id=member.pk,
        sex=member.sex,
        birth_date=member.birth_date,
        category=member.category,
        employment_status=member.employment_status,
        shares=1 if rules.sold_in_tiers else case.shares,
        tier=case.tier,
    )
    cover_plan = None
    if case.cover is not None:
        held = {"same": plan, "group": group_plan, "other": other_plan}[case.cover.plan]
        group = {"same": rules.exclusive_group, "group": GROUP, "other": ""}[case.cover.plan]
        cover_plan = (held.pk, held.display_name, group)
    errors = check(case, rules=rules, cand=cand, cover_plan=cover_plan).errors()
    assert [e.code for e in errors] == list(case.refused), case.id
    if case.renewal == "moved":
        return TEXTS["moved"] % {"unit": world.sibling_unit.name}
    if case.renewal:
        return str(TEXTS[case.renewal])
    return errors[0].message if errors else None
