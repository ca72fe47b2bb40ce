"""Demo claims for the demo tenants (SPEC §13): a claim in every state, so every claims
page shows something real.

Built through the services as the demo users: the hospital's agent reports and applies
(with documents), the office's reviewers decide (four-eyes above ¥10,000, one claim
reported by a reviewer on a member's behalf so the "filer cannot approve" rule shows),
finance builds and another finance user approves and pays a batch, with one failed
transfer. Dates follow today (events a few weeks back, inside the members' cover), so
the queue's deadlines and SLA colours are meaningful the day the demo is built.

Idempotent: a tenant that has any claim already is left alone. A step the rules refuse
(e.g. a demo built on a day outside the seeded cover) is skipped, never half-written: each
step is its own service call in its own transaction.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from claims.models import Claim
from claims.services import applications, daily, payouts, reports, review
from enrolment.models import Policy, PolicyStatus
from mutualaid.core import cleaning
from mutualaid.tenancy.models import Tenant, User
from mutualaid.tenancy.scoping import actor_for
from plans.models import Plan

logger = logging.getLogger(__name__)

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
ONE_DAY = dt.timedelta(days=1)


def _png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 460, 300), outline=(180, 30, 30), width=4)
    for y in range(60, 280, 24):
        draw.line((40, y, 440, y), fill=(120, 120, 120), width=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _card(body: str) -> str:
    """A UnionPay card number: ``body`` with its Luhn check digit."""
    return next(body + d for d in "0123456789" if cleaning.luhn_ok(body + d))


def _actor(username: str):
    user = User.objects.filter(username=username).first()
    return actor_for(user) if user is not None else None


@dataclass
class _Run:
    """Calls services, logging (not raising) what the rules refuse, and counts claims."""

    made: int = 0
    skipped: list[str] = field(default_factory=list)

    def step(self, label: str, fn):
        try:
            return fn()
        except (ValidationError, PermissionDenied) as exc:
            self.skipped.append(f"{label}: {exc}")
            logger.info("demo claims: %s skipped: %s", label, exc)
            return None


def _event_day(policy: Policy, days_ago: int, today: dt.date) -> dt.date:
    """``days_ago`` before today, kept inside the policy's fully covered period."""
    covered_from = max(t.waiting_end for t in policy.tranches.all())
    day = today - dt.timedelta(days=days_ago)
    return min(max(day, covered_from), policy.end, today)


def _report(
    run,
    agent,
    policy,
    *,
    days_ago,
    today,
    condition,
    bank,
    documents=("diagnosis",),
    reporter="",
    description="确诊后住院治疗",
    late_by=0,
    event_kind="illness",
    cause="",
    facts=None,
    relation="self",
):
    """Report (on time, the day after the event, unless ``late_by``) and apply."""
    event = _event_day(policy, days_ago, today)
    reported = min(today, event + (dt.timedelta(days=late_by) if late_by else ONE_DAY))
    report = run.step(
        f"report {policy.member.name}",
        lambda: reports.report_create(
            actor=agent,
            member=policy.member,
            plan=policy.plan,
            event_kind=event_kind,
            cause=cause,
            event_date=event,
            description=description,
            reporter_name=reporter,
            reporter_phone="13907740000" if reporter else "",
            reported_on=reported,
        ),
    )
    if report is None:
        return None
    run.made += 1
    claim = report.claim
    data = {
        "payee_name": policy.member.name,
        "payee_relation": relation,
        "bank_name": bank[0],
        "bank_account": bank[1],
        **(facts or {}),
    }
    if condition:
        data["condition"] = condition
    claim = run.step(
        "application", lambda: applications.claim_update(actor=agent, claim=claim, data=data)
    )
    for kind in documents or ():
        name, content = {
            "receipts": ("医疗费票据.png", _png()),
            "id_card": ("身份证.png", _png()),
            "hospital": ("出院小结.pdf", PDF),
        }.get(kind, ("诊断证明.pdf", PDF))
        ctype = "application/pdf" if name.endswith(".pdf") else "image/png"
        run.step(
            "document",
            lambda kind=kind, name=name, content=content, ctype=ctype: applications.document_add(
                actor=agent,
                claim=claim,
                kind=kind,
                upload=SimpleUploadedFile(name, content, content_type=ctype),
            ),
        )
    return Claim.objects.get(pk=report.claim.pk)


def _submit(run, actor, claim):
    if claim is None:
        return None
    return run.step(
        f"submit {claim.number}", lambda: applications.claim_submit(actor=actor, claim=claim)
    )


def _decide(run, actor, claim, action, reason="", amount=None):
    if claim is None or actor is None:
        return None
    return run.step(
        f"{action} {claim.number}",
        lambda: review.claim_decide(
            actor=actor, claim=claim, action=action, reason=reason, amount=amount
        ),
    )


def _guangxi(tenant: Tenant, today: dt.date) -> int:
    run = _Run()
    plan = Plan.objects.filter(tenant=tenant, code="gx_designated_disease").first()
    agent = _actor("cw_hospital_agent")
    reviewer, reviewer2 = _actor("gx_reviewer"), _actor("gx_reviewer2")
    finance, finance2 = _actor("gx_finance"), _actor("gx_finance2")
    if plan is None or None in (agent, reviewer, reviewer2, finance, finance2):
        return 0
    policies = list(
        Policy.objects.filter(
            tenant=tenant,
            plan=plan,
            status=PolicyStatus.IN_FORCE,
            start__lte=today,
            end__gte=today - dt.timedelta(days=120),
        )
        .select_related("member", "plan")
        .order_by("member__name", "id")
    )
    if len(policies) < 5:
        return 0
    m = policies[:5]
    banks = [
        ("中国工商银行苍梧支行", _card("622202210000123456")),
        ("中国农业银行苍梧县支行", _card("622848661000765432")),
        ("中国建设银行梧州分行", _card("621700330000246810")),
        ("广西农村信用社苍梧联社", _card("623160010000135790")),
        ("中国邮政储蓄银行苍梧县支行", _card("621799680000112233")),
    ]

    # 1. Applications, submitted (assessed) before anything is approved.
    paid = _report(
        run,
        agent,
        m[0],
        days_ago=70,
        today=today,
        condition="malignant_tumour",
        bank=banks[0],
        documents=("diagnosis", "receipts", "id_card"),
        description="体检发现肺部结节, 经市人民医院病理确诊为肺腺癌, 已行手术。",
    )
    failed = _report(
        run,
        agent,
        m[1],
        days_ago=62,
        today=today,
        condition="end_stage_renal_disease",
        bank=banks[1],
        documents=("diagnosis",),
        description="慢性肾衰竭进入尿毒症期, 开始规律透析。",
    )
    batched = _report(
        run,
        agent,
        m[2],
        days_ago=48,
        today=today,
        condition="intracranial_tumour_removal",
        bank=banks[2],
        description="颅内肿瘤, 于梧州市红十字会医院行摘除术。",
    )
    second = _report(
        run,
        agent,
        m[3],
        days_ago=40,
        today=today,
        condition="coronary_bypass",
        bank=banks[3],
        description="急性心梗后行冠状动脉搭桥术。",
    )
    waiting = _report(
        run,
        reviewer,
        m[4],
        days_ago=12,
        today=today,
        condition="malignant_tumour",
        bank=banks[4],
        reporter="王秀英之女",
        documents=("diagnosis", "receipts"),
        description="家属来电报案: 确诊乳腺癌, 已住院化疗。",
    )
    investigated = _report(
        run,
        agent,
        m[4],
        days_ago=30,
        today=today,
        condition="coronary_stent",
        bank=banks[4],
        description="冠心病, 行冠状动脉支架植入术。",
    )
    documents_wanted = _report(
        run,
        agent,
        m[1],
        days_ago=25,
        today=today,
        condition="coronary_stent",
        bank=banks[1],
        documents=("id_card",),
        description="胸痛入院, 植入冠脉支架两枚。",
    )
    rejected = _report(
        run,
        agent,
        m[3],
        days_ago=35,
        today=today,
        condition="",
        bank=banks[3],
        description="因肺炎住院治疗 10 天。",
    )
    for claim in (paid, failed, batched, second, investigated, documents_wanted, rejected):
        _submit(run, agent, claim)
    _submit(run, reviewer, waiting)

    def fresh(claim):
        return Claim.objects.get(pk=claim.pk) if claim is not None else None

    # 2. Review: two approvers above ¥10,000; the rest asked, investigated, rejected.
    for claim in (paid, failed, batched):
        _decide(run, reviewer, fresh(claim), "approve")
        _decide(run, reviewer2, fresh(claim), "approve")
    _decide(run, reviewer2, fresh(second), "approve", amount=None)
    _decide(
        run,
        reviewer,
        fresh(investigated),
        "investigate",
        reason="支架植入日期与住院记录不一致, 请调查核实病历原件。",
    )
    _decide(
        run,
        reviewer,
        fresh(documents_wanted),
        "request_documents",
        reason="请补充诊断证明书和出院小结(加盖医院公章)。",
    )
    _decide(
        run, reviewer2, fresh(rejected), "reject", reason="肺炎不属于本计划保障的指定疾病范围。"
    )

    # 3. Payout: batch A (paid, one transfer failed), batch B (built, awaiting approval).
    ids = [c.pk for c in (paid, failed) if c is not None]
    batch_a = (
        run.step(
            "batch A",
            lambda: payouts.batch_build(actor=finance, tenant_id=tenant.pk, claim_ids=ids),
        )
        if ids
        else None
    )
    if batch_a is not None:
        run.step("approve A", lambda: payouts.batch_approve(actor=finance2, batch=batch_a))
        line = batch_a.lines.filter(claim_id=failed.pk).first() if failed is not None else None
        if line is not None:
            run.step(
                "fail",
                lambda: payouts.line_mark_failed(
                    actor=finance2, line=line, reason="收款账号与户名不符, 银行退回"
                ),
            )
        run.step(
            "pay A", lambda: payouts.lines_mark_paid(actor=finance2, batch=batch_a, paid_on=today)
        )
    if batched is not None:
        run.step(
            "batch B",
            lambda: payouts.batch_build(actor=finance, tenant_id=tenant.pk, claim_ids=[batched.pk]),
        )

    # 4. Still with the unit: an application being prepared, a late report to decide.
    _report(
        run,
        agent,
        m[0],
        days_ago=6,
        today=today,
        condition="",
        bank=banks[0],
        documents=(),
        description="因头晕呕吐入院检查, 待确诊。",
    )
    _report(
        run,
        agent,
        m[2],
        days_ago=60,
        today=today,
        condition="malignant_tumour",
        bank=banks[2],
        late_by=45,
        description="确诊胃癌后在外地治疗, 回来后才报案。",
    )
    # … and one forfeited: reported under last year's cover, never applied for in a year.
    old = (
        Policy.objects.filter(tenant=tenant, plan=plan, member=m[3].member, end__lt=today)
        .select_related("member", "plan")
        .order_by("-end")
        .first()
    )
    event = old.start + dt.timedelta(days=150) if old is not None else None
    if event is not None and event <= old.end and event + dt.timedelta(days=370) < today:
        expired = run.step(
            "expired",
            lambda: reports.report_create(
                actor=agent,
                member=old.member,
                plan=plan,
                event_kind="illness",
                event_date=event,
                description="报案后未提交申领材料。",
                reported_on=event + ONE_DAY,
            ),
        )
        if expired is not None:
            run.made += 1
            daily.claims_expire_due(today_=today)
    if run.skipped:
        logger.info("demo claims (guangxi): %d steps skipped", len(run.skipped))
    return run.made


def _zhejiang(tenant: Tenant, today: dt.date) -> int:
    run = _Run()
    plan = Plan.objects.filter(tenant=tenant, code="sx_union_cadres").first()
    agent = _actor("yc_agency_agent")
    if plan is None or agent is None:
        return 0
    policy = (
        Policy.objects.filter(
            tenant=tenant, plan=plan, status=PolicyStatus.IN_FORCE, organisation__code="YC-001"
        )
        .select_related("member", "plan")
        .first()
    )
    if policy is None:
        return 0
    claim = _report(
        run,
        agent,
        policy,
        days_ago=20,
        today=today,
        condition="",
        event_kind="hospital_stay",
        cause="illness",
        bank=("中国工商银行绍兴越城支行", _card("622202120500987654")),
        facts={"self_paid": "6800.00"},
        documents=("hospital", "receipts"),
        description="因肺部感染住院 12 天, 个人自付医疗费用 6,800 元。",
    )
    _submit(run, agent, claim)
    _report(
        run,
        agent,
        policy,
        days_ago=4,
        today=today,
        condition="",
        event_kind="disaster",
        bank=("中国工商银行绍兴越城支行", _card("622202120500987654")),
        documents=(),
        description="家中房屋因火灾受损严重。",
    )
    return run.made


def seed_claims(today: dt.date | None = None) -> int:
    """Demo claims in the demo tenants that have none yet; returns how many were reported."""
    today = today or timezone.localdate()
    made = 0
    for slug, build in (("guangxi", _guangxi), ("zhejiang", _zhejiang)):
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None or Claim.objects.filter(tenant=tenant).exists():
            continue
        made += build(tenant, today)
    return made


def demo_member_sign_in(slug: str = "guangxi") -> tuple[str, str, str] | None:
    """(name, ID number, phone) of a demo member with a claim and a phone on file, for the
    member's door (/me/login/); None before the demo claims exist."""
    claim = (
        Claim.objects.filter(tenant__slug=slug)
        .exclude(member__phone="")
        .select_related("member")
        .order_by("member__name", "member__id")
        .first()
    )
    if claim is None:
        return None
    return claim.member.name, claim.member.id_number, claim.member.phone
