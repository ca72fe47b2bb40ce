"""Factories for tenant data. Trees are built through the same treebeard calls the services use."""

from __future__ import annotations

import itertools

from mutualaid.tenancy.models import Organisation, OrganisationKind, Staff, Tenant, User

PASSWORD = "Test-pass-2026"
_seq = itertools.count(1)


def make_tenant(name: str | None = None) -> tuple[Tenant, Organisation]:
    n = next(_seq)
    tenant = Tenant.objects.create(name=name or f"测试办事处{n}", slug=f"t{n}")
    root = Organisation.objects.add_root(
        {"tenant": tenant, "name": tenant.name, "kind": OrganisationKind.OFFICE}
    )
    return tenant, root


def make_node(parent: Organisation, kind: str, name: str | None = None) -> Organisation:
    parent = Organisation.objects.get(pk=parent.pk)  # fresh numchild/path for treebeard
    return Organisation.objects.add_child(
        parent,
        {"tenant_id": parent.tenant_id, "name": name or f"{kind}-{next(_seq)}", "kind": kind},
    )


def make_staff(organisation: Organisation, *roles: str, username: str | None = None) -> User:
    user = User(username=username or f"user{next(_seq)}", display_name=username or "测试用户")
    user.set_password(PASSWORD)
    user.save()
    Staff.objects.create(
        user=user, tenant_id=organisation.tenant_id, organisation=organisation, roles=list(roles)
    )
    return user


def make_audit_event(
    organisation: Organisation,
    *,
    actor_user: User | None = None,
    action: str = "test.event",
    object_repr: str | None = None,
    before=None,
    after=None,
):
    """An audit event about ``organisation`` (as the audit service writes it, text optional)."""
    from mutualaid.audit.models import AuditEvent

    return AuditEvent.objects.create(
        tenant_id=organisation.tenant_id,
        organisation=organisation,
        actor=actor_user,
        action=action,
        object_type=organisation._meta.label_lower,
        object_id=str(organisation.pk),
        object_repr=object_repr if object_repr is not None else str(organisation),
        before=before,
        after=after,
    )


def make_token(user: User):
    """A fresh API token of ``user`` (mutualaid/api/tokens.py); ``.key`` is its secret."""
    from types import SimpleNamespace

    from mutualaid.api.tokens import token_create
    from mutualaid.tenancy.scoping import actor_for

    created = token_create(actor=actor_for(user), name=f"test-{next(_seq)}")
    return SimpleNamespace(key=created.secret, token=created.token, user=user)


def make_group(name: str | None = None):
    from django.contrib.auth.models import Group

    return Group.objects.create(name=name or f"group-{next(_seq)}")


def make_access_record(kind: str, user: User):
    """A django-axes record (``accessattempt``, ``accesslog`` or ``accessfailurelog``)
    naming ``user``."""
    from axes import models as axes_models

    common = {
        "user_agent": "pytest",
        "ip_address": "10.0.0.1",
        "username": user.username,
        "http_accept": "text/html",
        "path_info": "/accounts/login/",
    }
    if kind == "accessattempt":
        return axes_models.AccessAttempt.objects.create(
            **common, get_data="", post_data="", failures_since_start=1
        )
    if kind == "accesslog":
        return axes_models.AccessLog.objects.create(**common)
    if kind == "accessfailurelog":
        return axes_models.AccessFailureLog.objects.create(**common)
    raise ValueError(kind)


def content_type_id(obj) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


# --- Units and members (members app) ----------------------------------------------------

_id_seq = itertools.count(1)


def make_id_number(*, birth: str = "19800101", male: bool = True, region: str = "450421") -> str:
    """A valid, fresh 18-character ID number (check digit computed); odd order code = male."""
    from members.validation import complete_id_number

    n = next(_id_seq)
    order = (n * 2) % 1000 + (1 if male else 0)
    return complete_id_number(f"{region}{birth}{order:03d}")


def make_unit(organisation: Organisation, **fields):
    """The ``Unit`` row of a node of kind unit (created once; later calls return it)."""
    from members.models import Ownership, Unit

    defaults = {"tenant_id": organisation.tenant_id, "ownership": Ownership.STATE_OWNED, **fields}
    unit, created = Unit.objects.get_or_create(organisation=organisation, defaults=defaults)
    if not created and fields:
        Unit.objects.filter(pk=unit.pk).update(**fields)
    return Unit.objects.select_related("organisation").get(pk=unit.pk)


def make_member(unit_or_node, *, name: str | None = None, id_number: str | None = None, **fields):
    """A member of a unit (its ``Unit`` row made if missing), sex and birth date from the
    ID number."""
    from members.models import Member, Unit
    from members.validation import validate_id_number

    unit = unit_or_node if isinstance(unit_or_node, Unit) else make_unit(unit_or_node)
    info = validate_id_number(id_number or make_id_number())
    return Member.objects.create(
        tenant_id=unit.tenant_id,
        unit=unit,
        organisation_id=unit.pk,
        name=name or f"会员{next(_seq)}",
        id_number=info.number,
        sex=info.sex,
        birth_date=info.birth_date,
        **fields,
    )


def make_transfer(
    member, to_node: Organisation, actor_user: User, *, date=None, reason: str = "工作调动"
):
    """A recorded transfer of ``member`` to the unit of ``to_node`` (the member moves there)."""
    import datetime as dt

    from members.models import Member, MemberTransfer

    to_unit = make_unit(to_node)
    transfer = MemberTransfer.objects.create(
        tenant_id=member.tenant_id,
        member=member,
        from_unit_id=member.unit_id,
        to_unit=to_unit,
        date=date or dt.date(2026, 1, 5),
        reason=reason,
        actor=actor_user,
    )
    Member.objects.filter(pk=member.pk).update(unit=to_unit, organisation_id=to_unit.pk)
    return transfer


# --- plans (append-only section of the plans app) -----------------------------------


def plan_terms(**overrides):
    """Small valid plan-version terms (one fixed_per_share item); override any top-level key."""
    import copy

    terms = {
        "term_months": 12,
        "sale_mode": "shares",
        "premium_per_share": "40.00",
        "max_shares": 5,
        "uniform_shares": True,
        "max_shares_if_not_uniform": None,
        "renewal_keeps_previous_shares": False,
        "waiting_period": {"days": 0},
        "report_deadline_days": {"default": 10},
        "renewal": {"deadline_days_before_end": 0},
        "mid_term_addition": "prorate_monthly",
        "resignation_ends_cover": False,
        "covered_conditions": [{"code": "cancer", "name": "恶性肿瘤"}],
        "exclusions": [{"code": "suicide", "name": "自杀"}],
        "benefit_items": [
            {
                "code": "disease",
                "name": "重大疾病",
                "events": ["illness"],
                "conditions": ["cancer"],
                "formula": "fixed_per_share",
                "params": {"amount": "10000.00"},
            },
        ],
    }
    terms.update(copy.deepcopy(overrides))
    return terms


def make_version(plan, *, terms=None, status="published", valid_from=None, label=None):
    """A version of ``plan`` written straight to the tables (no validation, no audit)."""
    import datetime as dt

    from django.db.models import Max

    from plans.models import BenefitItem, PlanVersion

    terms = dict(terms if terms is not None else plan_terms())
    items = terms.pop("benefit_items", [])
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PlanVersion.objects.create(
        tenant_id=plan.tenant_id,
        plan=plan,
        number=number,
        label=label or f"{number}版",
        valid_from=valid_from or dt.date(2026, 1, 1),
        terms=terms,
        status=status,
    )
    for position, item in enumerate(items, start=1):
        BenefitItem.objects.create(
            tenant_id=plan.tenant_id,
            version=version,
            position=position,
            **BenefitItem.values_from_terms(item),
        )
    return version


def make_plan(
    owner: Organisation,
    *,
    code: str | None = None,
    name: str | None = None,
    terms=None,
    status: str = "published",
    valid_from=None,
):
    """A plan owned by ``owner`` with one version (published unless told otherwise)."""
    from plans.models import Plan

    n = next(_seq)
    plan = Plan.objects.create(
        tenant_id=owner.tenant_id,
        organisation=owner,
        code=code or f"plan{n}",
        name=name or f"测试互助保障计划{n}",
        short_name=f"测试{n}",
    )
    make_version(plan, terms=terms, status=status, valid_from=valid_from)
    return plan


def load_seed_plans(world) -> dict:
    """The six seed plans in the ``world`` tenant, as seed_demo loads them: the five Guangxi
    plans owned by the office, the Shaoxing cadres' plan local to the city. key → Plan."""
    from plans.demo import load_seed_plan
    from plans.seed_plans import PLANS

    out = {}
    for spec in PLANS:
        owner = world.office if spec["owner_level"] == "office" else world.city
        out[spec["key"]], _ = load_seed_plan(spec["key"], tenant=world.tenant, owner=owner)
    return out


def make_job(organisation, actor_user, *, with_file: bool = False, status: str = "succeeded"):
    """A background job of ``organisation``, optionally with a produced file."""
    from mutualaid.jobs.models import Job
    from mutualaid.jobs.services import job_file_path

    job = Job.objects.create(
        tenant_id=organisation.tenant_id,
        organisation=organisation,
        actor=actor_user,
        kind="test",
        title=f"测试任务 {organisation.name}",
        status=status,
        done=3,
        total=3,
    )
    if with_file:
        path = job_file_path(job, "result.csv")
        path.write_text("a,b\n1,2\n", encoding="utf-8")
        job.result_path = str(path.relative_to(path.parents[3]))
        job.result_name = "result.csv"
        job.save(update_fields=["result_path", "result_name"])
    return job


# --- enrolment (append-only section of the enrolment app) --------------------------------


def make_enrolment(
    unit_or_node,
    plan,
    *,
    members=(),
    shares: int = 1,
    status: str = "draft",
    start=None,
    kind: str = "new",
    previous=None,
    actor_user=None,
):
    """An enrolment of a unit in ``plan`` written straight to the tables (no rules, no audit),
    with one line per member of ``members``; status and dates as given."""
    import datetime as dt
    from decimal import Decimal

    from enrolment.models import Enrolment, EnrolmentLine, StatusChange
    from enrolment.policies import requested_period
    from members.models import Unit
    from plans.selectors import version_in_force

    unit = unit_or_node if isinstance(unit_or_node, Unit) else make_unit(unit_or_node)
    start = start or dt.date(2026, 3, 16)
    version = version_in_force(plan=plan, on_date=start)
    period = requested_period(start, version.terms.get("term_months", 12))
    premium = Decimal(version.terms.get("premium_per_share") or "0")
    enrolment = Enrolment.objects.create(
        tenant_id=unit.tenant_id,
        unit=unit,
        organisation_id=unit.pk,
        plan=plan,
        plan_version=version,
        exclusive_group=version.terms.get("exclusive_group") or "",
        kind=kind,
        previous=previous,
        status=status,
        start_date=period.start,
        end_date=period.end,
        created_by=actor_user,
    )
    EnrolmentLine.objects.bulk_create(
        [
            EnrolmentLine(
                tenant_id=unit.tenant_id,
                enrolment=enrolment,
                member=m,
                shares=shares,
                category=m.category,
                premium=premium * shares,
            )
            for m in members
        ]
    )
    Enrolment.objects.filter(pk=enrolment.pk).update(
        member_count=len(members),
        share_count=len(members) * shares,
        premium_total=premium * shares * len(members),
        union_amount=premium * shares * len(members),
    )
    StatusChange.objects.create(
        tenant_id=unit.tenant_id,
        enrolment=enrolment,
        from_status="",
        to_status=status,
        actor=actor_user,
    )
    return Enrolment.objects.select_related("organisation", "plan", "plan_version").get(
        pk=enrolment.pk
    )


def make_policy(
    member,
    plan,
    *,
    enrolment=None,
    shares: int = 1,
    start=None,
    end=None,
    waiting_days: int = 0,
    status: str = "in_force",
):
    """A policy of ``member`` in ``plan`` (its enrolment made in force if not given), with one
    tranche; written straight to the tables."""
    import datetime as dt

    from enrolment.models import Policy, ShareTranche

    start = start or dt.date(2026, 3, 16)
    end = end or dt.date(start.year + 1, start.month, start.day) - dt.timedelta(days=1)
    if enrolment is None:
        enrolment = make_enrolment(
            member.unit, plan, members=[member], shares=shares, status="in_force", start=start
        )
    policy = Policy.objects.create(
        tenant_id=member.tenant_id,
        organisation_id=enrolment.organisation_id,
        unit_id=enrolment.unit_id,
        member=member,
        enrolment=enrolment,
        plan=plan,
        plan_version=enrolment.plan_version,
        exclusive_group=enrolment.exclusive_group,
        shares=shares,
        start=start,
        end=end,
        status=status,
    )
    ShareTranche.objects.create(
        tenant_id=member.tenant_id,
        policy=policy,
        shares=shares,
        start=start,
        waiting_end=start + dt.timedelta(days=waiting_days),
    )
    return policy


# --- premiums and notifications (append-only section of the premiums app) ---------------


def make_invoice(unit_or_node, *, members: int = 1, status: str = "invoiced", amount=None):
    """An invoice of a fresh enrolment of the unit (one member a line), written straight to
    the tables: the enrolment in ``status`` (invoiced, or in_force with cover dates)."""
    import datetime as dt
    from decimal import Decimal

    from enrolment.models import Enrolment
    from premiums.models import Invoice, InvoiceItem, InvoiceShare

    unit = unit_or_node if not isinstance(unit_or_node, Organisation) else make_unit(unit_or_node)
    plan = make_plan(Organisation.objects.get(tenant_id=unit.tenant_id, depth=1))
    people = [make_member(unit) for _ in range(members)]
    enrolment = make_enrolment(unit, plan, members=people, status=status)
    if status == "in_force":
        Enrolment.objects.filter(pk=enrolment.pk).update(
            payment_date=dt.date(2026, 3, 15),
            coverage_start=dt.date(2026, 3, 16),
            coverage_end=dt.date(2027, 3, 15),
        )
    total = amount if amount is not None else enrolment.premium_total
    invoice = Invoice.objects.create(
        tenant_id=unit.tenant_id,
        organisation_id=unit.pk,
        enrolment=enrolment,
        number=f"JF2026{next(_seq):06d}",
        amount=total,
        status="unpaid",
    )
    InvoiceItem.objects.create(
        tenant_id=unit.tenant_id,
        invoice=invoice,
        shares=1,
        members=members,
        unit_amount=total / members if members else Decimal("0"),
        amount=total,
    )
    InvoiceShare.objects.create(
        tenant_id=unit.tenant_id,
        invoice=invoice,
        party="union",
        payer_name=unit.organisation.name,
        amount=total,
    )
    return invoice


def make_payment(invoice, *, amount=None, reference: str | None = None):
    """A payment row of ``invoice`` (no status change: the services do that)."""
    import datetime as dt

    from premiums.models import Payment

    return Payment.objects.create(
        tenant_id=invoice.tenant_id,
        organisation_id=invoice.organisation_id,
        invoice=invoice,
        bank_reference=reference or f"REF{next(_seq):08d}",
        paid_on=dt.date(2026, 3, 15),
        amount=amount if amount is not None else invoice.amount,
        receipt_number=f"SJ2026{next(_seq):06d}",
    )


def make_renewal(unit_or_node):
    """A queued renewal: an enrolment in force and its renewal draft, of the unit."""
    import datetime as dt

    from premiums.models import Renewal

    previous = make_invoice(unit_or_node, status="in_force").enrolment
    draft = make_enrolment(
        previous.unit,
        previous.plan,
        members=[],
        kind="renewal",
        previous=previous,
        start=dt.date(2027, 3, 16),
    )
    return Renewal.objects.create(
        tenant_id=previous.tenant_id,
        organisation_id=previous.organisation_id,
        previous=previous,
        enrolment=draft,
        due_on=dt.date(2027, 3, 15),
        deadline=dt.date(2027, 3, 15),
    )


def make_notification(
    user, organisation, *, kind: str = "premiums.invoice_issued", params=None, link: str = ""
):
    from mutualaid.notifications.models import Notification

    return Notification.objects.create(
        tenant_id=organisation.tenant_id,
        organisation=organisation,
        recipient=user,
        kind=kind,
        params=params
        if params is not None
        else {
            "number": "JF1",
            "unit": organisation.name,
            "amount": "1.00",
            "plan": "测试",
            "members": 1,
        },
        link=link,
    )


# --- claims (append-only section of the claims app) --------------------------------------


def make_claim(
    member,
    plan,
    *,
    status: str = "draft",
    event_date=None,
    amount=None,
    event_kind: str = "illness",
    filed_by=None,
    policy=None,
    **fields,
):
    """An incident report and its claim written straight to the tables (no rules, no audit):
    ``status`` as given; approved/paid claims carry ``amount`` as approved (and paid)."""
    import datetime as dt
    import uuid
    from decimal import Decimal

    from claims.models import Claim, IncidentReport

    event_date = event_date or dt.date(2026, 8, 1)
    number = uuid.uuid4().hex[:12].upper()
    report = IncidentReport.objects.create(
        tenant_id=member.tenant_id,
        organisation_id=member.organisation_id,
        member=member,
        plan=plan,
        number=f"BA{number}",
        event_kind=event_kind,
        event_date=event_date,
        description="测试",
        reported_on=event_date,
        deadline=event_date + dt.timedelta(days=10),
        status="accepted",
        created_by=filed_by,
    )
    amount = Decimal(amount) if amount is not None else None
    paid = status == "paid"
    approved = status in ("approved", "in_batch", "paid")
    values = dict(
        tenant_id=member.tenant_id,
        organisation_id=member.organisation_id,
        report=report,
        member=member,
        member_name=member.name,
        plan=plan,
        policy=policy,
        number=f"LP{number}",
        status=status,
        event_kind=event_kind,
        event_date=event_date,
        expires_on=event_date + dt.timedelta(days=365),
        payee_name=member.name,
        bank_name="中国工商银行",
        bank_account="6222020200112345678"[:-1] + "0",
        assessed_amount=amount,
        approved_amount=amount if approved else None,
        approved_on=event_date + dt.timedelta(days=20) if approved else None,
        payout_due=event_date + dt.timedelta(days=60) if approved else None,
        paid_amount=amount if paid else None,
        paid_on=event_date + dt.timedelta(days=30) if paid else None,
        filed_by=filed_by,
    )
    values.update(fields)
    return Claim.objects.create(**values)


# --- statistics (append-only section of the stats app) -------------------------------------


def make_stats_return(
    organisation,
    *,
    year: int = 2026,
    month: int = 10,
    status: str = "draft",
    remarks: str = "",
    due_on=None,
    **fields,
):
    """A monthly statistical return of ``organisation`` written straight to the table."""
    import datetime as dt

    from stats.models import StatisticalReturn

    return StatisticalReturn.objects.create(
        tenant_id=organisation.tenant_id,
        organisation=organisation,
        year=year,
        month=month,
        status=status,
        remarks=remarks,
        due_on=due_on or dt.date(2026, 11, 13),
        figures={"as_of": None, "month": {}, "ytd": {}, "coverage": {}},
        return_reason="退回原因" if status == "returned" else "",
        **fields,
    )


def make_fund_year(plan, *, year: int = 2026, unearned="0.00", outstanding="0.00"):
    """Reserves rows of ``plan`` for ``year`` and the year before (so its statement exists)."""
    import datetime as dt
    from decimal import Decimal

    from stats.models import PlanYearReserve

    for y in (year - 1, year):
        PlanYearReserve.objects.update_or_create(
            plan=plan,
            year=y,
            defaults={
                "tenant_id": plan.tenant_id,
                "measured_on": dt.date(y, 12, 31),
                "unearned_premium": Decimal(unearned) if y == year else Decimal("0.00"),
                "outstanding_payouts": Decimal(outstanding) if y == year else Decimal("0.00"),
            },
        )
    return plan


def make_individual_application(federation: Organisation, *, name: str | None = None, **fields):
    """A pending individual application (issue 17.4) at ``federation`` for an office plan
    opened to individuals."""
    from individuals.models import IndividualApplication
    from plans.models import PlanVersion

    office = Organisation.objects.get(tenant_id=federation.tenant_id, depth=1)
    plan = make_plan(office)
    version = plan.versions.get()
    PlanVersion.objects.filter(pk=version.pk).update(
        individual_offer={
            "open": True,
            "occupations": ["快递员"],
            "platforms": [],
            "funding": "federation_gift",
            "shares": 1,
        }
    )
    return IndividualApplication.objects.create(
        tenant_id=federation.tenant_id,
        organisation=federation,
        plan_version=version,
        name=name or f"申请人{next(_seq)}",
        id_number=fields.pop("id_number", None) or make_id_number(),
        phone=fields.pop("phone", "13800138000"),
        occupation=fields.pop("occupation", "快递员"),
        **fields,
    )
