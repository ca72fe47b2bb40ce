"""Demo enrolments for the demo tenants (SPEC §13): one in every state, some in force.

Built through the services as the demo users (agents draft, county cadres check, the
office accepts, finance invoices and records payment), so the demo shows real step
histories, audit events, policies and tranches. Idempotent: a tenant that has any
enrolment already is left alone, so ``seed_demo`` can run again and again.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from enrolment.models import Enrolment
from enrolment.roster_source import roster_lines
from enrolment.services import cover, drafts, lines, workflow
from members.models import EmploymentStatus, Member, Unit
from mutualaid.tenancy.models import Tenant, User
from mutualaid.tenancy.scoping import actor_for
from plans.models import Plan

D = dt.date


def _actor(username: str):
    user = User.objects.filter(username=username).first()
    return actor_for(user) if user is not None else None


def _unit(tenant: Tenant, code: str) -> Unit | None:
    return (
        Unit.objects.select_related("organisation")
        .filter(tenant=tenant, organisation__code=code)
        .first()
    )


def _members(unit: Unit, *, sex: str | None = None, category: str | None = None, limit: int = 6):
    qs = Member.objects.filter(
        organisation_id=unit.pk, employment_status=EmploymentStatus.IN_SERVICE
    ).order_by("name", "id")
    if sex:
        qs = qs.filter(sex=sex)
    if category:
        qs = qs.filter(category=category)
    return list(qs[:limit])


def _enrol(agent, unit, plan, start, members, shares, **kwargs) -> Enrolment:
    enrolment = drafts.enrolment_create(
        actor=agent, unit=unit, plan=plan, start_date=start, **kwargs
    )
    rows = [{"member": m, "shares": s} for m, s in zip(members, shares, strict=False)]
    lines.lines_import(actor=agent, enrolment=enrolment, rows=rows)
    return enrolment


def _advance(enrolment, upto: str, people: dict, *, paid: dt.date | None = None, reason=""):
    """Take the enrolment through the steps up to ``upto`` as the demo's people."""
    order = ["submitted", "checked", "accepted", "invoiced", "in_force"]
    if upto in ("returned", "cancelled"):
        workflow.enrolment_submit(actor=people["agent"], enrolment=enrolment)
        if upto == "returned":
            workflow.enrolment_send_back(actor=people["cadre"], enrolment=enrolment, reason=reason)
        else:
            workflow.enrolment_cancel(actor=people["admin"], enrolment=enrolment, reason=reason)
        return enrolment
    steps = {
        "submitted": lambda: workflow.enrolment_submit(actor=people["agent"], enrolment=enrolment),
        "checked": lambda: workflow.enrolment_check(actor=people["cadre"], enrolment=enrolment),
        "accepted": lambda: workflow.enrolment_accept(actor=people["admin"], enrolment=enrolment),
        "invoiced": lambda: workflow.enrolment_mark_invoiced(
            actor=people["finance"], enrolment=enrolment
        ),
        "in_force": lambda: cover.enrolment_bring_into_force(
            actor=people["finance"], enrolment=enrolment, payment_date=paid
        ),
    }
    for step in order[: order.index(upto) + 1] if upto != "draft" else []:
        steps[step]()
    return enrolment


def _guangxi(tenant: Tenant) -> int:
    plans = {p.code: p for p in Plan.objects.filter(tenant=tenant)}
    admin, finance = _actor("gx_admin"), _actor("gx_finance")
    hospital, school = _unit(tenant, "CW-001"), _unit(tenant, "CW-002")
    power, transport, couriers = (
        _unit(tenant, "CW-003"),
        _unit(tenant, "TX-001"),
        _unit(tenant, "TX-002"),
    )
    cw = {
        "agent": _actor("cw_hospital_agent"),
        "cadre": _actor("cw_cadre"),
        "admin": admin,
        "finance": finance,
    }
    cw_school = {**cw, "agent": _actor("cw_school_agent")}
    cw_power = {**cw, "agent": _actor("cw_cadre")}  # no agent: the county cadre enrols them
    tx = {
        "agent": _actor("tx_transport_agent"),
        "cadre": _actor("tx_cadre"),
        "admin": admin,
        "finance": finance,
    }
    tx_couriers = {**tx, "agent": _actor("tx_cadre")}
    made = 0

    # 苍梧县人民医院: 职工指定疾病(手术) for 2025, renewed in time for 2026 (one member adds
    # shares: the added shares wait 120 days, the kept ones do not), both in force.
    designated = plans["gx_designated_disease"]
    people = _members(hospital, limit=5)
    last_year = _enrol(cw["agent"], hospital, designated, D(2025, 1, 1), people, [2, 2, 3, 3, 3])
    _advance(last_year, "in_force", cw, paid=D(2024, 12, 31))
    renewal = drafts.enrolment_create(
        actor=cw["agent"], unit=hospital, kind="renewal", previous=last_year
    )
    first = roster_lines(renewal).order_by("id").select_related("member").first()
    if first is not None:
        lines.line_update(actor=cw["agent"], enrolment=renewal, member=first.member, shares=3)
    _advance(renewal, "in_force", cw, paid=D(2025, 12, 20))
    made += 2
    # … and a draft of the group accident plan.
    accident = plans["gx_group_accident"]
    _enrol(cw["agent"], hospital, accident, D(2027, 1, 1), people[:3], [1, 1, 1])
    made += 1

    # 苍梧县第一中学: 女职工安康 submitted; the accident plan invoiced (awaiting payment).
    female = plans["gx_female_workers"]
    women = _members(school, sex="female", limit=4)
    if women:
        _advance(
            _enrol(cw_school["agent"], school, female, D(2027, 1, 1), women, [1] * 4),
            "submitted",
            cw_school,
        )
        made += 1
    _advance(
        _enrol(cw_school["agent"], school, accident, D(2027, 1, 1), _members(school), [2] * 6),
        "invoiced",
        cw_school,
    )
    made += 1

    # 苍梧县供电公司: the accident plan checked by the county.
    _advance(
        _enrol(cw_power["agent"], power, accident, D(2027, 1, 1), _members(power), [1] * 6),
        "checked",
        cw_power,
    )
    made += 1

    # 藤县交通运输局: 职工综合 accepted, paid by the administration and the union half each;
    # an older draft cancelled.
    comprehensive = plans["gx_comprehensive"]
    combined = _enrol(
        tx["agent"],
        transport,
        comprehensive,
        D(2027, 1, 1),
        _members(transport),
        [1] * 6,
        funding_mode="administration_union",
    )
    half = (combined.premium_total / 2).quantize(combined.premium_total)
    drafts.enrolment_update(
        actor=tx["agent"],
        enrolment=combined,
        funding_mode="administration_union",
        administration_amount=half,
        union_amount=combined.premium_total - half,
    )
    _advance(combined, "accepted", tx)
    _advance(
        _enrol(tx["agent"], transport, accident, D(2027, 1, 1), _members(transport)[:2], [1, 1]),
        "cancelled",
        tx,
        reason="重复登记, 作废",
    )
    made += 2

    # 藤县快递物流行业工会: 职工指定疾病(手术) sent back by the county with a reason.
    _advance(
        _enrol(
            tx_couriers["agent"],
            couriers,
            designated,
            D(2027, 1, 1),
            _members(couriers),
            [1, 1, 2, 2, 3, 3],
        ),
        "returned",
        tx_couriers,
        reason="请补充单位行政盖章的参保登记表, 并核对第3、4名职工的联系电话。",
    )
    made += 1
    return made


def _zhejiang(tenant: Tenant) -> int:
    plan = Plan.objects.filter(tenant=tenant, code="sx_union_cadres").first()
    if plan is None:
        return 0
    people = {
        "agent": _actor("yc_agency_agent"),
        "cadre": _actor("yc_cadre"),
        "admin": _actor("zj_admin"),
        "finance": _actor("zj_finance"),
    }
    made = 0
    for code in ("YC-001", "YC-002"):
        unit = _unit(tenant, code)
        cadres = _members(unit, category="union_cadre") if unit else []
        if not cadres:
            continue
        agent = people["agent"] if code == "YC-001" else people["cadre"]
        enrolment = _enrol(
            agent,
            unit,
            plan,
            D(2026, 7, 1),
            cadres,
            [1] * len(cadres),
            funding_mode="administration",
        )
        _advance(enrolment, "in_force", {**people, "agent": agent}, paid=D(2026, 6, 30))
        made += 1
    return made


def seed_enrolments() -> int:
    """Demo enrolments in the demo tenants that have none yet; returns how many were made."""
    made = 0
    for slug, build in (("guangxi", _guangxi), ("zhejiang", _zhejiang)):
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None or Enrolment.objects.filter(tenant=tenant).exists():
            continue
        with transaction.atomic():
            made += build(tenant)
    return made
