"""Writes of enrolments and policies: keyword-only, one transaction each, audited.

Public API for the other parts of the portal
=============================================

Roster upload (the reader hands over parsed rows, see ``lines_import``)::

    lines_import(*, actor, enrolment, rows, only_valid=False, preview=False) -> ImportReport

Premiums::

    enrolment_mark_invoiced(*, actor, enrolment) -> Enrolment
    enrolment_bring_into_force(*, actor, enrolment, payment_date) -> Enrolment
    enrolment.premium_total / line.premium, and enrolment.policies.line_premium /
    addition_premium for the maths

Pages, API and admin::

    enrolment_create, enrolment_update, line_add, line_check, line_update, line_remove,
    lines_add_members, enrolment_submit, enrolment_check, enrolment_accept,
    enrolment_send_back, enrolment_cancel, enrolment_step, policy_end,
    policies_end_on_resignation

Every rule is checked by ``enrolment.rules.check_batch`` over candidates this module
builds with set queries: one query for the roster's registered members, one for the
policies and one for the open enrolments of all of them, whatever the roster's size.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from enrolment import access
from enrolment.db import AnyOf, copy_rows
from enrolment.models import (
    FUNDING_PARTIES,
    OPEN_STATUSES,
    PARTY_FIELDS,
    Enrolment,
    EnrolmentKind,
    EnrolmentLine,
    EnrolmentStatus,
    FundingMode,
    LineStatus,
    Policy,
    PolicyStatus,
    ShareTranche,
    StatusChange,
)
from enrolment.policies import (
    ONE_DAY,
    Period,
    addition_period,
    addition_premium,
    coverage_period,
    line_premium,
    renewal_period,
    renewed_in_time,
    requested_period,
    tranches_for,
)
from enrolment.rules import (
    NON_FIELD,
    Candidate,
    CoverRow,
    EnrolmentRules,
    LineError,
    Report,
    check_batch,
    check_cover,
    keeps_previous_shares,
    participation_problems,
    renewal_leaving,
)
from members import validation as v
from members.models import EmploymentStatus, Member, MemberCategory, Unit
from mutualaid.audit.services import record
from mutualaid.tenancy.scoping import Actor
from mutualaid.tenancy.services import DomainError
from plans.models import Plan, PlanVersion
from plans.rules import MEMBER_CATEGORIES, PlanTerms
from plans.selectors import version_in_force

#: At most this many messages go into a refusal's error dict (the report keeps them all).
MAX_MESSAGES = 200


# --- Results ---------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What a roster check found, and what it wrote.

    ``errors`` are per row and column (``LineError.as_dict()`` for JSON); ``valid`` and
    ``invalid`` count rows. ``written`` is False for a preview and for a refused import."""

    total: int = 0
    valid: int = 0
    invalid: int = 0
    errors: list[LineError] = field(default_factory=list)
    members_created: int = 0
    lines_written: int = 0
    written: bool = False
    preview: bool = False

    @property
    def rows_with_errors(self) -> list[int]:
        return sorted({e.row for e in self.errors if e.row is not None})

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "valid": self.valid,
            "invalid": self.invalid,
            "members_created": self.members_created,
            "lines_written": self.lines_written,
            "written": self.written,
            "preview": self.preview,
            "errors": [e.as_dict() for e in self.errors],
        }


def _error_dict(errors: Sequence[LineError]) -> dict[str, list[ValidationError]]:
    out: dict[str, list[ValidationError]] = {}
    for error in errors[:MAX_MESSAGES]:
        out.setdefault(error.field, []).append(ValidationError(error.text, code=error.code))
    if len(errors) > MAX_MESSAGES:
        out.setdefault(NON_FIELD, []).append(
            ValidationError(
                _("… and %(n)d more problems.") % {"n": len(errors) - MAX_MESSAGES},
                code="more",
            )
        )
    return out


class RosterRejected(DomainError):
    """Lines were refused and nothing was written; ``report`` says which and why."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__(_error_dict(report.errors))


class StepRefused(DomainError):
    """A step was refused by the rules (not by the state or the role); ``errors`` are the
    problems (lines marked on the roster, participation, funding)."""

    def __init__(self, errors: Sequence[LineError]):
        self.errors = list(errors)
        super().__init__(_error_dict(self.errors))


def _refuse(message: str, *, field_name: str = NON_FIELD, code: str = "invalid") -> DomainError:
    return DomainError({field_name: [ValidationError(message, code=code)]})


# --- Terms and rules of an enrolment -----------------------------------------------------------

# Published versions never change (plans.services), so their parsed terms can be kept.
_TERMS_CACHE: dict[Any, PlanTerms] = {}


def terms_of(version: PlanVersion) -> PlanTerms:
    terms = _TERMS_CACHE.get(version.pk)
    if terms is None:
        terms = PlanTerms.from_dict(version.engine_terms())
        if version.is_published:
            if len(_TERMS_CACHE) > 256:
                _TERMS_CACHE.clear()
            _TERMS_CACHE[version.pk] = terms
    return terms


def rules_for(enrolment: Enrolment, *, period: Period | None = None) -> EnrolmentRules:
    return EnrolmentRules.build(
        terms_of(enrolment.plan_version),
        kind=enrolment.kind,
        period=period or Period(enrolment.start_date, enrolment.end_date),
        plan_id=enrolment.plan_id,
        plan_name=enrolment.plan.display_name,
    )


# --- Creating and editing enrolments -----------------------------------------------------------


def _money(raw: Any, field_name: str) -> Decimal:
    try:
        value = Decimal(str(raw if raw not in (None, "") else "0").strip())
    except (InvalidOperation, ValueError):
        raise _refuse(
            _("Enter an amount in yuan."), field_name=field_name, code="amount_invalid"
        ) from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise _refuse(
            _("Enter an amount in yuan, not negative, with at most 2 decimals."),
            field_name=field_name,
            code="amount_invalid",
        )
    return value.quantize(Decimal("0.01"))


def clean_funding(mode: Any, amounts: Mapping[str, Any]) -> dict[str, Any]:
    """The funding mode and each party's amount, checked: only the mode's parties pay.

    A mode with one payer takes the whole premium (kept equal to it as lines change); a
    mode with several needs their amounts, which must add up to the premium on submission."""
    if mode not in FundingMode.values:
        raise _refuse(_("Choose how the premium is funded."), field_name="funding_mode")
    values = {name: _money(amounts.get(name), name) for name in PARTY_FIELDS}
    parties = FUNDING_PARTIES[mode]
    for name, value in values.items():
        if name not in parties and value:
            raise _refuse(
                _("This party does not pay under the chosen funding mode; leave it at 0."),
                field_name=name,
                code="party_not_paying",
            )
    return {"funding_mode": mode, **values}


def _plan_offered_to(plan: Plan, unit: Unit) -> bool:
    """A tenant-wide plan (owned by the office), or a local plan of the unit's city line."""
    return plan.tenant_id == unit.tenant_id and unit.organisation.path.startswith(
        plan.organisation.path
    )


def _record_step(actor, enrolment: Enrolment, before: str, after: str, reason: str = "") -> None:
    StatusChange.objects.create(
        tenant_id=enrolment.tenant_id,
        enrolment=enrolment,
        from_status=before,
        to_status=after,
        actor=actor.user if actor is not None else None,
        reason=reason,
    )


def enrolment_create(
    *,
    actor: Actor,
    unit: Unit,
    plan: Plan | None = None,
    start_date: dt.date | None = None,
    kind: str = EnrolmentKind.NEW,
    previous: Enrolment | None = None,
    funding_mode: str = FundingMode.UNION,
    administration_amount: Any = 0,
    union_amount: Any = 0,
    member_amount: Any = 0,
    federation_amount: Any = 0,
    note: str = "",
    copy_previous: bool = True,
) -> Enrolment:
    """A draft enrolment of ``unit`` into ``plan``, bound to the version in force on its start.

    - ``new``: cover asked from ``start_date`` for the version's term;
    - ``renewal`` of ``previous`` (in force): continues the day after it ends, under the
      version in force then; with ``copy_previous`` its roster is prepared from the
      previous policies (same members, same shares), leaving out — with the reason, in
      ``dropped`` — members who left, died, moved or no longer qualify (SPEC §7);
    - ``addition`` to ``previous`` (in force): members joining mid-term from
      ``start_date`` to the end of the unit's common period, under its version, paying by
      the plan's mid-term rule (SPEC §3, §5).
    """
    if not access.can_draft(actor, unit.organisation):
        raise PermissionDenied(_("You may not enrol the members of this unit."))
    if kind not in EnrolmentKind.values:
        raise _refuse(_("Choose the kind of enrolment."), field_name="kind")
    funding = clean_funding(
        funding_mode,
        {
            "administration_amount": administration_amount,
            "union_amount": union_amount,
            "member_amount": member_amount,
            "federation_amount": federation_amount,
        },
    )
    if kind != EnrolmentKind.NEW:
        if previous is None or previous.unit_id != unit.pk:
            raise _refuse(_("Choose the enrolment this one follows."), field_name="previous")
        if previous.status != EnrolmentStatus.IN_FORCE:
            raise _refuse(
                _("Only an enrolment in force can be renewed or added to."),
                field_name="previous",
                code="previous_not_in_force",
            )
        plan = previous.plan
    if plan is None:
        raise _refuse(_("Choose a plan."), field_name="plan")
    if not _plan_offered_to(plan, unit):
        raise _refuse(_("This plan is not offered to this unit."), field_name="plan")

    if kind == EnrolmentKind.RENEWAL:
        start_date = previous.coverage_end + ONE_DAY
        version = version_in_force(plan=plan, on_date=start_date)
    elif kind == EnrolmentKind.ADDITION:
        version = previous.plan_version
        if start_date is None:
            raise _refuse(_("Enter the date cover should start."), field_name="start_date")
        if not previous.coverage_start <= start_date <= previous.coverage_end:
            raise _refuse(
                _("Members added mid-term join the unit's period, %(start)s to %(end)s.")
                % {"start": previous.coverage_start, "end": previous.coverage_end},
                field_name="start_date",
                code="outside_common_period",
            )
    else:
        if start_date is None:
            raise _refuse(_("Enter the date cover should start."), field_name="start_date")
        version = version_in_force(plan=plan, on_date=start_date)
    if version is None:
        raise _refuse(
            _("No published version of this plan is in force on %(date)s.")
            % {"date": start_date.isoformat()},
            field_name="start_date",
            code="no_version",
        )
    terms = terms_of(version)
    if kind == EnrolmentKind.ADDITION:
        if terms.mid_term_addition == "not_allowed":
            raise _refuse(
                _("This plan does not take members mid-term."),
                field_name="kind",
                code="addition_not_allowed",
            )
        period = addition_period(
            join_date=start_date,
            common=Period(previous.coverage_start, previous.coverage_end),
        )
    elif kind == EnrolmentKind.RENEWAL:
        period = renewal_period(previous.coverage_end, terms.term_months)
    else:
        period = requested_period(start_date, terms.term_months)

    with transaction.atomic():
        enrolment = Enrolment.objects.create(
            tenant_id=unit.tenant_id,
            unit=unit,
            organisation=unit.organisation,
            plan=plan,
            plan_version=version,
            exclusive_group=terms.exclusive_group or "",
            kind=kind,
            previous=previous,
            start_date=period.start,
            end_date=period.end,
            note=str(note or "").strip(),
            created_by=actor.user,
            **funding,
        )
        _record_step(actor, enrolment, "", EnrolmentStatus.DRAFT)
        record(
            actor=actor,
            action="enrolment.create",
            obj=enrolment,
            organisation=unit.organisation,
            after={
                "kind": kind,
                "plan": str(plan.pk),
                "plan_version": str(version.pk),
                "start": period.start,
                "end": period.end,
                "previous": str(previous.pk) if previous else None,
                **funding,
            },
        )
        if kind == EnrolmentKind.RENEWAL and copy_previous:
            _prepare_renewal_roster(actor, enrolment)
    return enrolment


def _prepare_renewal_roster(actor: Actor, enrolment: Enrolment) -> None:
    """Same members, same shares (SPEC §7), through the same checks as any line; members
    who cannot continue are left out with the reason shown to the agent."""
    policies = (
        Policy.objects.filter(enrolment_id=enrolment.previous_id)
        .exclude(status=PolicyStatus.CANCELLED)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=enrolment.previous.coverage_end))
        .select_related("member__organisation")
        .order_by("member__name", "member_id")
    )
    rows, dropped = [], []
    for policy in policies:
        member = policy.member
        leaving = renewal_leaving(
            employment_status=member.employment_status,
            moved_to=member.organisation.name
            if member.organisation_id != enrolment.organisation_id
            else None,
        )
        if leaving:
            dropped.append({"member": str(member.pk), "name": member.name, "reason": leaving[1]})
        else:
            rows.append({"member": member, "shares": policy.shares, "tier": policy.tier})
    report = _import(actor, enrolment, rows, only_valid=True, preview=False, audit=False)
    # "Dropped with a reason" (SPEC §7): the first problem the rules report, as the renewal
    # job's SQL names it (enrolment.renewals).
    reasons: dict[int, str] = {}
    for error in report.errors:
        reasons.setdefault(error.index, error.message)
    for index, reason in reasons.items():
        member = rows[index]["member"]
        dropped.append({"member": str(member.pk), "name": member.name, "reason": reason})
    dropped.sort(key=lambda d: (d["name"], d["member"]))  # as the renewal job lists them
    enrolment.dropped = dropped
    enrolment.save(update_fields=["dropped", "updated_at"])
    record(
        actor=actor,
        action="enrolment.renewal_prepared",
        obj=enrolment,
        organisation=enrolment.organisation,
        after={"lines": report.lines_written, "dropped": len(dropped)},
    )


def enrolment_update(
    *,
    actor: Actor,
    enrolment: Enrolment,
    funding_mode: str,
    administration_amount: Any = 0,
    union_amount: Any = 0,
    member_amount: Any = 0,
    federation_amount: Any = 0,
    note: str = "",
) -> Enrolment:
    """Funding and note of a draft (or sent-back) enrolment."""
    if not access.can_draft(actor, enrolment.organisation):
        raise PermissionDenied(_("You may not change this enrolment."))
    funding = clean_funding(
        funding_mode,
        {
            "administration_amount": administration_amount,
            "union_amount": union_amount,
            "member_amount": member_amount,
            "federation_amount": federation_amount,
        },
    )
    with transaction.atomic():
        locked = _lock(enrolment)
        _require_editable(locked)
        before = {
            "funding_mode": locked.funding_mode,
            **locked.party_amounts(),
            "note": locked.note,
        }
        for name, value in funding.items():
            setattr(locked, name, value)
        locked.note = str(note or "").strip()
        _sync_single_payer(locked)
        locked.save(update_fields=[*funding, "note", "updated_at"])
        record(
            actor=actor,
            action="enrolment.update",
            obj=locked,
            organisation=locked.organisation,
            before=before,
            after={**funding, "note": locked.note},
        )
    return locked


def _lock(enrolment: Enrolment) -> Enrolment:
    """The enrolment row, locked for this transaction, with its unit, plan and version."""
    return (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("organisation", "unit", "plan", "plan_version")
        .get(pk=enrolment.pk)
    )


def _require_editable(enrolment: Enrolment) -> None:
    if not enrolment.is_editable:
        raise _refuse(
            _("The roster can only be changed while the enrolment is a draft or sent back."),
            code="not_editable",
        )


def _sync_single_payer(enrolment: Enrolment) -> None:
    parties = FUNDING_PARTIES[enrolment.funding_mode]
    if len(parties) == 1:
        for name in PARTY_FIELDS:
            setattr(enrolment, name, enrolment.premium_total if name == parties[0] else Decimal(0))


def _refresh_totals(enrolment: Enrolment) -> None:
    """Members, shares and premium of the roster, in the same transaction as its lines."""
    totals = EnrolmentLine.objects.filter(enrolment_id=enrolment.pk).aggregate(
        n=Count("id"), shares=Coalesce(Sum("shares"), 0), premium=Sum("premium")
    )
    enrolment.member_count = totals["n"]
    enrolment.share_count = totals["shares"]
    enrolment.premium_total = totals["premium"] or Decimal("0.00")
    _sync_single_payer(enrolment)
    enrolment.save(
        update_fields=["member_count", "share_count", "premium_total", *PARTY_FIELDS, "updated_at"]
    )


# --- Roster lines: the one path ----------------------------------------------------------------

_CATEGORY_WORDS: dict[str, str] = {}


def _category_words() -> dict[str, str]:
    """Category cell text → code: the codes, the Chinese names, common variants, English."""
    if not _CATEGORY_WORDS:
        from django.utils import translation

        for code, label in MEMBER_CATEGORIES.items():
            _CATEGORY_WORDS[code] = code
            _CATEGORY_WORDS[label] = code
        _CATEGORY_WORDS.update({"新就业形态": "new_employment", "在职职工": "worker"})
        with translation.override("en"):
            for choice in MemberCategory:
                _CATEGORY_WORDS["".join(str(choice.label).lower().split())] = choice.value
    return _CATEGORY_WORDS


def _clean_text(raw: Any) -> str:
    if raw is None:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(raw)).split())


def parse_category(raw: Any) -> str | None:
    """A roster's category cell: a code (``worker``) or a name (职工, 农民工 …); "" → None.
    Raises InvalidValue for anything else."""
    text = _clean_text(raw)
    if not text:
        return None
    words = _category_words()
    code = words.get(text) or words.get(text.lower())
    if code is None:
        labels = "、".join(MEMBER_CATEGORIES.values())
        raise v.InvalidValue(
            _("Unknown category “%(value)s”: use one of %(labels)s.")
            % {"value": str(raw).strip(), "labels": labels},
            code="category_invalid",
            field="category",
        )
    return code


def parse_shares(raw: Any) -> int | None:
    """A shares cell: 3, "3", "３", "3份", 3.0 from a spreadsheet; blank → None."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise v.InvalidValue(
            _("The number of shares must be a whole number."), code="shares_invalid", field="shares"
        )
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
    else:
        text = _clean_text(raw).removesuffix("份")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite() and number == number.to_integral_value():
            return int(number)
    raise v.InvalidValue(
        _("The number of shares must be a whole number."), code="shares_invalid", field="shares"
    )


@dataclass
class _Batch:
    rules: EnrolmentRules
    cands: list[Candidate]
    report: Report
    #: index → (name, phone, IdInfo) for people not registered yet.
    new_people: dict[int, tuple[str, str, v.IdInfo]]
    premiums: dict[int, Decimal]

    def valid(self) -> list[Candidate]:
        return [c for c in self.cands if not self.report.has(c)]


def _add_invalid(report: Report, cand: Candidate, error: v.InvalidValue) -> None:
    for field_name, errors in error.error_dict.items():
        for item in errors:
            report.add(cand, field_name, item.code or "invalid", item.messages[0])


def _evaluate(
    actor: Actor | None,
    enrolment: Enrolment,
    rows: Sequence[Mapping[str, Any]],
    *,
    replacing=None,
    rules: EnrolmentRules | None = None,
) -> _Batch:
    """Clean every row, find registered members, and run every rule: the report of a batch.

    A row is a mapping with ``row`` (its number in the sheet), ``name``, ``id_number``
    (raw: spreadsheet floats and full-width text are handled), ``shares`` (or ``tier``),
    ``category`` and ``phone``; or ``member`` (a Member of the unit) and ``shares``.
    ``replacing``: the member whose line is being changed (it does not count as present)."""
    rules = rules or rules_for(enrolment)
    report = Report()
    cands: list[Candidate] = []
    new_people: dict[int, tuple[str, str, v.IdInfo]] = {}
    infos: dict[int, v.IdInfo] = {}
    texts: dict[int, tuple[str, str, str | None]] = {}

    for index, raw in enumerate(rows):
        cand = Candidate(index=index, row=raw.get("row"), id_number="")
        cands.append(cand)
        cand.tier = str(raw.get("tier") or "").strip()
        if rules.sold_in_tiers:
            cand.shares = 1  # a tier is one "share" of its level
        else:
            try:
                cand.shares = parse_shares(raw.get("shares"))
            except v.InvalidValue as error:
                _add_invalid(report, cand, error)
        member = raw.get("member")
        if member is not None:
            cand.member_id = member.pk
            cand.id_number = member.id_number
            cand.name = member.name
            cand.sex, cand.birth_date = member.sex, member.birth_date
            cand.category = member.category
            cand.employment_status = member.employment_status
            if member.organisation_id != enrolment.organisation_id:
                report.add(
                    cand,
                    "member",
                    "member_in_other_unit",
                    _("This member belongs to another unit."),
                )
            continue
        try:
            # ``id_number_raw``: the key the roster reader (enrolment.roster) hands over.
            info = v.validate_id_number(raw.get("id_number", raw.get("id_number_raw")))
        except v.InvalidValue as error:
            _add_invalid(report, cand, error)
        else:
            cand.id_number = info.number
            infos[index] = info
        name = phone = ""
        category = None
        try:
            name = v.validate_person_name(raw.get("name"))
        except v.InvalidValue as error:
            _add_invalid(report, cand, error)
        try:
            phone = v.validate_phone(raw.get("phone") or "")
        except v.InvalidValue as error:
            _add_invalid(report, cand, error)
        try:
            category = parse_category(raw.get("category"))
        except v.InvalidValue as error:
            _add_invalid(report, cand, error)
        cand.name = name
        texts[index] = (name, phone, category)

    # Registered people among the rows: one query for the whole roster.
    numbers = [c.id_number for c in cands if c.id_number and c.member_id is None]
    registered = {}
    if numbers:
        registered = {
            row["id_number"]: row
            for row in Member.objects.filter(tenant_id=enrolment.tenant_id)
            .filter(AnyOf("id_number", numbers))
            .values(
                "id",
                "id_number",
                "name",
                "organisation_id",
                "organisation__name",
                "organisation__path",
                "sex",
                "birth_date",
                "category",
                "employment_status",
            )
        }
    for cand in cands:
        if cand.member_id is not None or cand.index not in texts:
            continue
        name, phone, category = texts[cand.index]
        found = registered.get(cand.id_number) if cand.id_number else None
        if found is None:
            cand.category = category or MemberCategory.WORKER
            if cand.index in infos:
                info = infos[cand.index]
                cand.sex, cand.birth_date = info.sex, info.birth_date
                new_people[cand.index] = (name, phone, info)
            continue
        if found["organisation_id"] != enrolment.organisation_id:
            if actor is not None and found["organisation__path"].startswith(actor.path):
                message = _(
                    "This person is registered in %(unit)s: transfer the member to this unit first."
                ) % {"unit": found["organisation__name"]}
            else:
                message = _(
                    "This person is registered in another unit of this office: ask for a "
                    "transfer to this unit first."
                )
            report.add(cand, "id_number", "member_in_other_unit", message)
            continue
        cand.member_id = found["id"]
        cand.sex, cand.birth_date = found["sex"], found["birth_date"]
        cand.category = found["category"]
        cand.employment_status = found["employment_status"]
        if name and name != found["name"]:
            report.add(
                cand,
                "name",
                "name_mismatch",
                _("The registered member with this ID number is called %(name)s.")
                % {"name": found["name"]},
            )
        if category and category != found["category"]:
            report.add(
                cand,
                "category",
                "category_mismatch",
                _("The member is registered as %(category)s.")
                % {"category": MEMBER_CATEGORIES.get(found["category"], found["category"])},
            )

    member_ids = [c.member_id for c in cands if c.member_id is not None]
    on_roster: set[str] = set()
    previous_shares: dict[Any, int] = {}
    cover: dict[Any, list[CoverRow]] = {}
    if member_ids:
        present = EnrolmentLine.objects.filter(enrolment_id=enrolment.pk).filter(
            AnyOf("member_id", member_ids)
        )
        if replacing is not None:
            present = present.exclude(member_id=replacing)
        present_ids = set(present.values_list("member_id", flat=True))
        on_roster = {c.id_number for c in cands if c.member_id in present_ids}
        if rules.kind == EnrolmentKind.RENEWAL and enrolment.previous_id:
            previous_shares = dict(
                Policy.objects.filter(enrolment_id=enrolment.previous_id)
                .filter(AnyOf("member_id", member_ids))
                .values_list("member_id", "shares")
            )
            for cand in cands:
                cand.previous_shares = previous_shares.get(cand.member_id, 0)
        cover = cover_of(enrolment, rules, member_ids)

    report = check_batch(
        rules,
        cands,
        report=report,
        existing_shares=_existing_shares(enrolment, rules, replacing=replacing),
        on_roster=on_roster,
        cover=cover,
    )
    premiums = {c.index: _premium(rules, c) for c in cands if not report.has(c)}
    return _Batch(rules, cands, report, new_people, premiums)


def _premium(rules: EnrolmentRules, cand: Candidate) -> Decimal:
    if rules.sold_in_tiers:
        full = line_premium(shares=1, tier_premium=rules.tiers[cand.tier])
    else:
        full = line_premium(shares=cand.shares, premium_per_share=rules.premium_per_share)
    if rules.kind == EnrolmentKind.ADDITION:
        return addition_premium(
            rule=rules.mid_term_addition,
            full_premium=full,
            start=rules.period.start,
            end=rules.period.end,
            term_months=rules.term_months,
        )
    return full


def _existing_shares(
    enrolment: Enrolment, rules: EnrolmentRules, *, replacing=None
) -> Counter[tuple[int, bool]]:
    """(shares, keeps last year's count) → lines, for the roster as it stands (one query);
    an addition counts the common period's policies too (it joins their roster)."""
    counts: Counter[tuple[int, bool]] = Counter()
    lines = EnrolmentLine.objects.filter(enrolment_id=enrolment.pk)
    if replacing is not None:
        lines = lines.exclude(member_id=replacing)
    for shares, previous, n in (
        lines.order_by().values_list("shares", "previous_shares").annotate(n=Count("id"))
    ):
        probe = Candidate(index=-1, row=None, id_number="", shares=shares, previous_shares=previous)
        counts[(shares, keeps_previous_shares(rules, probe))] += n
    if rules.kind == EnrolmentKind.ADDITION and enrolment.previous_id:
        for shares, n in (
            Policy.objects.filter(enrolment_id=enrolment.previous_id, status=PolicyStatus.IN_FORCE)
            .order_by()
            .values_list("shares")
            .annotate(n=Count("id"))
        ):
            counts[(shares, False)] += n
    return counts


def cover_of(
    enrolment: Enrolment, rules: EnrolmentRules, member_ids: Sequence[Any]
) -> dict[Any, list[CoverRow]]:
    """What these members hold or are enrolled in over days of the rules' period, in this
    plan or its exclusive group: one query over policies, one over open enrolments."""
    period = rules.period
    same = Q(plan_id=rules.plan_id)
    if rules.exclusive_group:
        same |= Q(exclusive_group=rules.exclusive_group)
    out: dict[Any, list[CoverRow]] = defaultdict(list)
    policies = (
        Policy.objects.filter(tenant_id=enrolment.tenant_id)
        .filter(AnyOf("member_id", member_ids))
        .exclude(status=PolicyStatus.CANCELLED)
        .exclude(enrolment_id=enrolment.pk)
        .filter(same, start__lte=period.end)
        .filter(Q(ended_on__isnull=True, end__gte=period.start) | Q(ended_on__gte=period.start))
        # check_cover names the first conflict: the same one as the renewal job's SQL names.
        .order_by("start", "plan_id", Coalesce("ended_on", "end"))
        .values_list(
            "member_id",
            "plan_id",
            "plan__short_name",
            "plan__name",
            "exclusive_group",
            "start",
            Coalesce("ended_on", "end"),
        )
    )
    for member_id, plan_id, short, name, group, start, end in policies:
        out[member_id].append(CoverRow(member_id, plan_id, short or name, group, start, end, True))
    same_line = Q(enrolment__plan_id=rules.plan_id)
    if rules.exclusive_group:
        same_line |= Q(enrolment__exclusive_group=rules.exclusive_group)
    lines = (
        EnrolmentLine.objects.filter(tenant_id=enrolment.tenant_id)
        .filter(AnyOf("member_id", member_ids))
        .exclude(enrolment_id=enrolment.pk)
        .filter(
            same_line,
            enrolment__status__in=OPEN_STATUSES,
            enrolment__start_date__lte=period.end,
            enrolment__end_date__gte=period.start,
        )
        .order_by("enrolment__start_date", "enrolment__plan_id", "enrolment__end_date")
        .values_list(
            "member_id",
            "enrolment__plan_id",
            "enrolment__plan__short_name",
            "enrolment__plan__name",
            "enrolment__exclusive_group",
            "enrolment__start_date",
            "enrolment__end_date",
        )
    )
    for member_id, plan_id, short, name, group, start, end in lines:
        out[member_id].append(CoverRow(member_id, plan_id, short or name, group, start, end, False))
    return out


MEMBER_COLUMNS = (
    "id",
    "tenant_id",
    "unit_id",
    "organisation_id",
    "name",
    "id_number",
    "sex",
    "birth_date",
    "phone",
    "category",
    "employment_status",
    "is_union_member",
    "created_at",
    "updated_at",
)
LINE_COLUMNS = (
    "tenant_id",
    "enrolment_id",
    "member_id",
    "shares",
    "tier",
    "category",
    "previous_shares",
    "premium",
    "status",
    "problem",
    "row_number",
    "created_at",
)


def _write(actor: Actor | None, enrolment: Enrolment, batch: _Batch) -> tuple[int, int]:
    """Register the new people and write the valid lines (COPY): (members, lines)."""
    now = timezone.now()
    valid = batch.valid()
    people = []
    for cand in valid:
        if cand.member_id is None:
            name, phone, info = batch.new_people[cand.index]
            cand.member_id = uuid.uuid4()
            people.append(
                (
                    cand.member_id,
                    enrolment.tenant_id,
                    enrolment.unit_id,
                    enrolment.organisation_id,
                    name,
                    info.number,
                    info.sex,
                    info.birth_date,
                    phone,
                    cand.category,
                    EmploymentStatus.IN_SERVICE,
                    True,
                    now,
                    now,
                )
            )
    created = copy_rows(Member, MEMBER_COLUMNS, people) if people else 0
    written = copy_rows(
        EnrolmentLine,
        LINE_COLUMNS,
        (
            (
                enrolment.tenant_id,
                enrolment.pk,
                cand.member_id,
                cand.shares,
                cand.tier,
                cand.category,
                cand.previous_shares,
                batch.premiums[cand.index],
                LineStatus.OK,
                "",
                cand.row,
                now,
            )
            for cand in valid
        ),
    )
    if created:
        if created == 1:
            row = people[0]
            person = Member(
                pk=row[0],
                tenant_id=row[1],
                unit_id=row[2],
                organisation_id=row[3],
                name=row[4],
                id_number=row[5],
            )
            record(
                actor=actor,
                action="member.create",
                obj=person,
                organisation=enrolment.organisation,
                after={"name": row[4], "id_number": person.masked_id_number, "via": "enrolment"},
            )
        else:
            record(
                actor=actor,
                action="member.bulk_create",
                obj=enrolment,
                organisation=enrolment.organisation,
                after={"members": created, "via": "roster import"},
            )
    return created, written


def _import(
    actor: Actor | None,
    enrolment: Enrolment,
    rows: Sequence[Mapping[str, Any]],
    *,
    only_valid: bool,
    preview: bool,
    audit: bool = True,
) -> ImportReport:
    batch = _evaluate(actor, enrolment, rows)
    errors = batch.report.errors()
    invalid = len(batch.report.by_index)
    report = ImportReport(
        total=len(rows),
        valid=len(rows) - invalid,
        invalid=invalid,
        errors=errors,
        preview=preview,
    )
    if preview:
        return report
    if errors and not only_valid:
        raise RosterRejected(report)
    if report.valid:
        report.members_created, report.lines_written = _write(actor, enrolment, batch)
        _refresh_totals(enrolment)
    report.written = True
    if audit:
        record(
            actor=actor,
            action="enrolment.lines_import",
            obj=enrolment,
            organisation=enrolment.organisation,
            after={
                "rows": report.total,
                "lines": report.lines_written,
                "members_created": report.members_created,
                "rows_refused": report.invalid,
            },
        )
    return report


def lines_import(
    *,
    actor: Actor,
    enrolment: Enrolment,
    rows: Sequence[Mapping[str, Any]],
    only_valid: bool = False,
    preview: bool = False,
) -> ImportReport:
    """Check a parsed roster and add its lines: all of them or, with ``only_valid``, the rows
    that passed. One transaction; a refusal (or any failure) leaves nothing written.

    ``rows``: mappings as the roster reader produces them — ``row`` (1-based number in the
    sheet, for messages), ``name``, ``id_number`` (raw cell value), ``shares`` (or ``tier``),
    ``category`` (code or name, optional), ``phone`` (optional). People not registered yet
    become members of the enrolment's unit.

    ``preview=True`` runs the same checks and returns the same report, writing nothing.
    Otherwise returns the report (``written`` True), or raises ``RosterRejected`` (with the
    report) when rows were refused and ``only_valid`` is False.
    """
    if not access.can_draft(actor, enrolment.organisation):
        raise PermissionDenied(_("You may not change this enrolment."))
    if preview:
        _require_editable(enrolment)
        return _import(actor, enrolment, rows, only_valid=only_valid, preview=True)
    with transaction.atomic():
        locked = _lock(enrolment)
        _require_editable(locked)
        try:
            report = _import(actor, locked, rows, only_valid=only_valid, preview=False)
        except IntegrityError as error:
            if "member_id_number_unique_per_tenant" in str(error):
                raise _refuse(
                    _("Someone registered some of these people meanwhile: check the roster again."),
                    code="concurrent_change",
                ) from None
            raise
    _copy_totals(locked, enrolment)
    return report


def _copy_totals(source: Enrolment, target: Enrolment) -> None:
    for name in ("member_count", "share_count", "premium_total", "status", *PARTY_FIELDS):
        setattr(target, name, getattr(source, name))


def _single_row(
    *,
    member: Member | None,
    name: str,
    id_number: Any,
    phone: str,
    category: str,
    shares: Any,
    tier: str,
) -> dict[str, Any]:
    if member is not None:
        return {"member": member, "shares": shares, "tier": tier}
    return {
        "name": name,
        "id_number": id_number,
        "phone": phone,
        "category": category,
        "shares": shares,
        "tier": tier,
    }


def line_check(
    *,
    actor: Actor,
    enrolment: Enrolment,
    shares: Any = None,
    tier: str = "",
    member: Member | None = None,
    name: str = "",
    id_number: Any = "",
    phone: str = "",
    category: str = "",
) -> list[LineError]:
    """The problems ``line_add`` would refuse this line for, writing nothing (instant check)."""
    row = _single_row(
        member=member,
        name=name,
        id_number=id_number,
        phone=phone,
        category=category,
        shares=shares,
        tier=tier,
    )
    return lines_import(actor=actor, enrolment=enrolment, rows=[row], preview=True).errors


def line_add(
    *,
    actor: Actor,
    enrolment: Enrolment,
    shares: Any = None,
    tier: str = "",
    member: Member | None = None,
    name: str = "",
    id_number: Any = "",
    phone: str = "",
    category: str = "",
) -> EnrolmentLine:
    """Add one member (registered, or registered now from name and ID number) to the roster."""
    row = _single_row(
        member=member,
        name=name,
        id_number=id_number,
        phone=phone,
        category=category,
        shares=shares,
        tier=tier,
    )
    try:
        lines_import(actor=actor, enrolment=enrolment, rows=[row])
    except RosterRejected as refused:
        raise DomainError(_error_dict(refused.report.errors)) from None
    number = member.id_number if member is not None else v.normalise_id_number(id_number)
    return EnrolmentLine.objects.select_related("member").get(
        enrolment_id=enrolment.pk, member__id_number=number
    )


def lines_add_members(
    *,
    actor: Actor,
    enrolment: Enrolment,
    members: Sequence[Member],
    shares: Any = None,
    tier: str = "",
) -> ImportReport:
    """Add several registered members of the unit at once (the "choose members" page); all or
    nothing, errors keyed by the position in ``members``."""
    rows = [{"member": m, "shares": shares, "tier": tier} for m in members]
    return lines_import(actor=actor, enrolment=enrolment, rows=rows)


def line_update_check(
    *, actor: Actor, enrolment: Enrolment, member: Member, shares: Any = None, tier: str = ""
) -> list[LineError]:
    """The problems ``line_update`` would refuse this change for, writing nothing."""
    if not access.can_draft(actor, enrolment.organisation):
        raise PermissionDenied(_("You may not change this enrolment."))
    _require_editable(enrolment)
    row = {"member": member, "shares": shares, "tier": tier}
    return _evaluate(actor, enrolment, [row], replacing=member.pk).report.errors()


def line_update(
    *, actor: Actor, enrolment: Enrolment, member: Member, shares: Any = None, tier: str = ""
) -> EnrolmentLine:
    """Change a line's shares (or tier), through the same rules as adding it."""
    if not access.can_draft(actor, enrolment.organisation):
        raise PermissionDenied(_("You may not change this enrolment."))
    with transaction.atomic():
        locked = _lock(enrolment)
        _require_editable(locked)
        line = EnrolmentLine.objects.select_for_update().get(
            enrolment_id=locked.pk, member_id=member.pk
        )
        batch = _evaluate(
            actor, locked, [{"member": member, "shares": shares, "tier": tier}], replacing=member.pk
        )
        errors = batch.report.errors()
        if errors:
            raise DomainError(_error_dict(errors))
        cand = batch.cands[0]
        before = {"shares": line.shares, "tier": line.tier, "premium": line.premium}
        line.shares, line.tier = cand.shares, cand.tier
        line.previous_shares = cand.previous_shares
        line.premium = batch.premiums[0]
        line.status, line.problem = LineStatus.OK, ""
        line.save(
            update_fields=["shares", "tier", "previous_shares", "premium", "status", "problem"]
        )
        _refresh_totals(locked)
        record(
            actor=actor,
            action="enrolment.line_update",
            obj=locked,
            organisation=locked.organisation,
            before={"member": str(member.pk), **before},
            after={
                "member": str(member.pk),
                "shares": line.shares,
                "tier": line.tier,
                "premium": line.premium,
            },
        )
    _copy_totals(locked, enrolment)
    return line


def line_remove(*, actor: Actor, enrolment: Enrolment, member: Member) -> None:
    """Take a member off a draft roster."""
    if not access.can_draft(actor, enrolment.organisation):
        raise PermissionDenied(_("You may not change this enrolment."))
    with transaction.atomic():
        locked = _lock(enrolment)
        _require_editable(locked)
        deleted, _rows = EnrolmentLine.objects.filter(
            enrolment_id=locked.pk, member_id=member.pk
        ).delete()
        if not deleted:
            raise _refuse(_("This member is not on the roster."), code="not_on_roster")
        _refresh_totals(locked)
        record(
            actor=actor,
            action="enrolment.line_remove",
            obj=locked,
            organisation=locked.organisation,
            before={"member": str(member.pk), "name": member.name},
        )
    _copy_totals(locked, enrolment)


# --- Steps ---------------------------------------------------------------------------------

#: Step → (timestamp, user) fields it fills.
STEP_FIELDS = {
    "submit": ("submitted_at", "submitted_by"),
    "check": ("checked_at", "checked_by"),
    "accept": ("accepted_at", "accepted_by"),
    "send_back": ("returned_at", "returned_by"),
    "cancel": ("cancelled_at", "cancelled_by"),
    "invoice": ("invoiced_at", "invoiced_by"),
    "bring_into_force": ("in_force_at", "in_force_by"),
}


#: Steps a scheduled job may take without a user (the premiums side's).
SYSTEM_STEPS = ("invoice", "bring_into_force")


def _step(
    actor: Actor | None,
    enrolment: Enrolment,
    step: str,
    *,
    reason: str = "",
    gate: Callable[[Enrolment], list[LineError]] | None = None,
    then: Callable[[Enrolment], tuple[list[str], dict[str, Any]]] | None = None,
) -> Enrolment:
    """Move an enrolment one step, under a row lock: the state must allow it, the actor
    must be allowed, ``gate`` (the rules of the step) must find nothing. The step, its
    timestamp and user, the history row and the audit event are one transaction.

    When ``gate`` finds problems it may have marked lines: that is committed, the state
    does not change, and ``StepRefused`` is raised with the problems."""
    sources, target, allowed = access.TRANSITIONS[step]
    problems: list[LineError] = []
    with transaction.atomic():
        locked = _lock(enrolment)
        if (actor is None and step not in SYSTEM_STEPS) or (
            actor is not None and not allowed(actor, locked)
        ):
            raise PermissionDenied(_("You may not take this step on this enrolment."))
        if locked.status not in sources:
            raise _refuse(
                _("This enrolment is %(status)s: that step is not possible now.")
                % {"status": locked.get_status_display()},
                code="illegal_transition",
            )
        if gate is not None:
            problems = gate(locked)
        if not problems:
            before = locked.status
            at_field, by_field = STEP_FIELDS[step]
            locked.status = target
            setattr(locked, at_field, timezone.now())
            setattr(locked, by_field, actor.user if actor is not None else None)
            changed = ["status", at_field, by_field, "updated_at"]
            if step == "send_back":
                locked.return_reason = reason
                changed.append("return_reason")
            fields, extra = then(locked) if then is not None else ([], {})
            changed += fields
            locked.save(update_fields=changed)
            _record_step(actor, locked, before, target, reason)
            record(
                actor=actor,
                action=f"enrolment.{step}",
                obj=locked,
                organisation=locked.organisation,
                before={"status": before},
                after={"status": target, **({"reason": reason} if reason else {}), **extra},
            )
    if problems:
        raise StepRefused(problems)
    for name in ("status", "return_reason", "payment_date", "coverage_start", "coverage_end"):
        setattr(enrolment, name, getattr(locked, name))
    return locked


def _reason(reason: Any, *, required: bool) -> str:
    text = " ".join(str(reason or "").split())
    if required and not text:
        raise _refuse(_("Enter the reason."), field_name="reason", code="reason_required")
    if len(text) > 1000:
        raise _refuse(
            _("The reason may have at most %(max)d characters.") % {"max": 1000},
            field_name="reason",
            code="reason_length",
        )
    return text


def _submission_problems(enrolment: Enrolment) -> list[LineError]:
    """Everything submission checks (SPEC §5): a roster, every line still valid (lines are
    marked on the roster), the unit's participation rule, the funding adding up."""
    if not EnrolmentLine.objects.filter(enrolment_id=enrolment.pk).exists():
        return [
            LineError(NON_FIELD, "roster_empty", _("Add at least one member before submitting."))
        ]
    rules = rules_for(enrolment)
    lines = list(
        EnrolmentLine.objects.filter(enrolment_id=enrolment.pk)
        .order_by("id")
        .values_list(
            "id",
            "member_id",
            "member__id_number",
            "member__name",
            "member__sex",
            "member__birth_date",
            "category",
            "member__employment_status",
            "member__organisation_id",
            "shares",
            "tier",
            "previous_shares",
        )
    )
    cands = [
        Candidate(
            index=i,
            row=None,
            id_number=number,
            name=name,
            member_id=member_id,
            sex=sex,
            birth_date=birth,
            category=category,
            employment_status=status,
            shares=shares,
            tier=tier,
            previous_shares=previous,
        )
        for i, (
            _id,
            member_id,
            number,
            name,
            sex,
            birth,
            category,
            status,
            _org,
            shares,
            tier,
            previous,
        ) in enumerate(lines)
    ]
    report = check_batch(
        rules, cands, cover=cover_of(enrolment, rules, [c.member_id for c in cands])
    )
    for cand, line in zip(cands, lines, strict=True):
        if line[8] != enrolment.organisation_id:
            report.add(cand, "member", "member_moved", _("The member has moved to another unit."))
    _mark_lines(enrolment, lines, report)
    problems = []
    if report.by_index:
        problems.append(
            LineError(
                NON_FIELD,
                "lines_invalid",
                _("%(n)d lines of the roster need attention: they are marked below.")
                % {"n": len(report.by_index)},
            )
        )
        for index in sorted(report.by_index)[:20]:
            first = report.by_index[index][0]
            problems.append(
                LineError(
                    NON_FIELD, first.code, f"{cands[index].name}: {first.message}", index=index
                )
            )
    if enrolment.kind != EnrolmentKind.ADDITION:
        eligible, enrolled = _participation_counts(enrolment, rules)
        problems += participation_problems(rules, eligible=eligible, enrolled=enrolled)
    parties = FUNDING_PARTIES[enrolment.funding_mode]
    if len(parties) > 1:
        paid = sum((getattr(enrolment, name) for name in parties), Decimal(0))
        if paid != enrolment.premium_total:
            problems.append(
                LineError(
                    "funding_mode",
                    "funding_sum",
                    _("The parties' amounts add up to ¥%(paid)s, but the premium is ¥%(total)s.")
                    % {"paid": paid, "total": enrolment.premium_total},
                )
            )
    return problems


def _mark_lines(enrolment: Enrolment, lines: Sequence[tuple], report: Report) -> None:
    """Every line's check result in two statements, however long the roster."""
    EnrolmentLine.objects.filter(enrolment_id=enrolment.pk).exclude(
        status=LineStatus.OK, problem=""
    ).update(status=LineStatus.OK, problem="")
    if not report.by_index:
        return
    ids = [lines[index][0] for index in report.by_index]
    texts = ["; ".join(e.message for e in report.by_index[index]) for index in report.by_index]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {EnrolmentLine._meta.db_table} AS line
                SET status = %s, problem = marks.problem
                FROM unnest(%s::bigint[], %s::text[]) AS marks(id, problem)
                WHERE line.id = marks.id AND line.enrolment_id = %s""",
            [LineStatus.PROBLEM, ids, texts, enrolment.pk],
        )


def birth_date_bounds(rules: EnrolmentRules) -> tuple[dt.date | None, dt.date | None]:
    """(earliest, latest) birth date of members of the plan's age range on the start date."""
    return rules.eligibility.birth_dates(rules.period.start)


def _participation_counts(enrolment: Enrolment, rules: EnrolmentRules) -> tuple[int, int]:
    """(eligible members of the unit, of them on the roster): one query."""
    members = Member.objects.filter(organisation_id=enrolment.organisation_id)
    el = rules.eligibility
    if el.in_service_only:
        members = members.filter(employment_status=EmploymentStatus.IN_SERVICE)
    if el.sex:
        members = members.filter(sex=el.sex)
    if el.categories:
        members = members.filter(category__in=el.categories)
    earliest, latest = birth_date_bounds(rules)
    if earliest:
        members = members.filter(birth_date__gte=earliest)
    if latest:
        members = members.filter(birth_date__lte=latest)
    on_roster = EnrolmentLine.objects.filter(enrolment_id=enrolment.pk, member_id=OuterRef("pk"))
    totals = members.annotate(on=Exists(on_roster)).aggregate(
        eligible=Count("id"), enrolled=Count("id", filter=Q(on=True))
    )
    return totals["eligible"], totals["enrolled"]


def enrolment_submit(*, actor: Actor, enrolment: Enrolment) -> Enrolment:
    """Draft (or sent back) → submitted, once the roster, participation and funding hold."""
    return _step(actor, enrolment, "submit", gate=_submission_problems)


def enrolment_check(*, actor: Actor, enrolment: Enrolment) -> Enrolment:
    """Submitted → checked (核定) by a cadre of the county, industry union or city above."""
    return _step(actor, enrolment, "check")


def enrolment_accept(*, actor: Actor, enrolment: Enrolment) -> Enrolment:
    """Checked → accepted by the office; the premiums side invoices it next."""
    return _step(actor, enrolment, "accept")


def enrolment_send_back(*, actor: Actor, enrolment: Enrolment, reason: str) -> Enrolment:
    """Back to the unit with a reason, from any step before invoicing."""
    return _step(actor, enrolment, "send_back", reason=_reason(reason, required=True))


def enrolment_cancel(*, actor: Actor, enrolment: Enrolment, reason: str = "") -> Enrolment:
    return _step(actor, enrolment, "cancel", reason=_reason(reason, required=False))


def enrolment_step(*, actor: Actor, enrolment: Enrolment, step: str, reason: str = "") -> Enrolment:
    """One of the user steps by name (pages and API): submit, check, accept, send_back, cancel."""
    steps = {
        "submit": lambda: enrolment_submit(actor=actor, enrolment=enrolment),
        "check": lambda: enrolment_check(actor=actor, enrolment=enrolment),
        "accept": lambda: enrolment_accept(actor=actor, enrolment=enrolment),
        "send_back": lambda: enrolment_send_back(actor=actor, enrolment=enrolment, reason=reason),
        "cancel": lambda: enrolment_cancel(actor=actor, enrolment=enrolment, reason=reason),
    }
    if step not in steps:
        raise _refuse(_("Unknown step."), code="unknown_step")
    return steps[step]()


def enrolment_mark_invoiced(*, actor: Actor | None, enrolment: Enrolment) -> Enrolment:
    """Accepted → invoiced. Called by the premiums side when it issues the invoice
    (``actor`` None for a scheduled job); the amounts are ``premium_total`` and the lines'."""
    return _step(actor, enrolment, "invoice")


def enrolment_bring_into_force(
    *, actor: Actor | None, enrolment: Enrolment, payment_date: dt.date
) -> Enrolment:
    """Invoiced → in force on full payment: one policy per line, bound to the enrolment's
    plan version, with its share tranches. Set-based (COPY), one transaction.

    Coverage (SPEC §5): from the day after ``payment_date`` to the same calendar day a
    term later (C1, C2). A renewal paid by the plan's renewal deadline continues the day
    after the previous period with no new wait for the shares already held; later, it
    starts like a new enrolment and everything waits (SPEC §7). A mid-term addition
    covers from the day after payment to the end of the unit's common period.

    The cover rules are checked again over the real period first (another enrolment may
    have come into force meanwhile); the exclusion constraints are the last guard."""
    if not isinstance(payment_date, dt.date):
        raise _refuse(_("Enter the payment date."), field_name="payment_date")

    def make_policies(locked: Enrolment) -> tuple[list[str], dict[str, Any]]:
        terms = terms_of(locked.plan_version)
        previous = locked.previous
        in_time = False
        if locked.kind == EnrolmentKind.RENEWAL:
            in_time = renewed_in_time(
                payment_date=payment_date,
                previous_end=previous.coverage_end,
                renewal=terms.raw.get("renewal"),
            )
            period = (
                renewal_period(previous.coverage_end, terms.term_months)
                if in_time
                else coverage_period(payment_date, terms.term_months)
            )
        elif locked.kind == EnrolmentKind.ADDITION:
            try:
                period = addition_period(
                    join_date=payment_date + ONE_DAY,
                    common=Period(previous.coverage_start, previous.coverage_end),
                )
            except ValueError:
                raise _refuse(
                    _("The unit's period has ended: these members can no longer join it."),
                    code="common_period_over",
                ) from None
        else:
            period = coverage_period(payment_date, terms.term_months)

        rules = rules_for(locked, period=period)
        lines = list(
            EnrolmentLine.objects.filter(enrolment_id=locked.pk)
            .order_by("id")
            .values_list("member_id", "member__name", "shares", "tier", "previous_shares")
        )
        cands = [
            Candidate(index=i, row=None, id_number="", name=name, member_id=member_id)
            for i, (member_id, name, *_rest) in enumerate(lines)
        ]
        report = Report()
        cover = cover_of(locked, rules, [c.member_id for c in cands])
        check_cover(rules, cands, report, cover=cover)
        if report.by_index:
            raise StepRefused(
                [
                    LineError(NON_FIELD, e.code, f"{cands[e.index].name}: {e.message}")
                    for e in report.errors()
                ]
            )
        previous_policies = {}
        if previous is not None and locked.kind == EnrolmentKind.RENEWAL:
            previous_policies = dict(
                Policy.objects.filter(enrolment_id=previous.pk)
                .exclude(status=PolicyStatus.CANCELLED)
                .values_list("member_id", "id")
            )
        now = timezone.now()
        policy_rows, tranche_rows = [], []
        for member_id, _name, shares, tier, previous_shares in lines:
            policy_id = uuid.uuid4()
            policy_rows.append(
                (
                    policy_id,
                    locked.tenant_id,
                    locked.organisation_id,
                    locked.unit_id,
                    member_id,
                    locked.pk,
                    locked.plan_id,
                    locked.plan_version_id,
                    locked.exclusive_group,
                    previous_policies.get(member_id),
                    shares,
                    tier,
                    period.start,
                    period.end,
                    PolicyStatus.IN_FORCE,
                    "",
                    now,
                )
            )
            for tranche in tranches_for(
                start=period.start,
                shares=shares,
                waiting_days=terms.waiting_period.days,
                previous_shares=previous_shares if member_id in previous_policies else 0,
                renewed_in_time=in_time,
            ):
                tranche_rows.append(
                    (
                        locked.tenant_id,
                        policy_id,
                        tranche.shares,
                        tranche.start,
                        tranche.waiting_end,
                    )
                )
        written = copy_rows(
            Policy,
            (
                "id",
                "tenant_id",
                "organisation_id",
                "unit_id",
                "member_id",
                "enrolment_id",
                "plan_id",
                "plan_version_id",
                "exclusive_group",
                "previous_id",
                "shares",
                "tier",
                "start",
                "end",
                "status",
                "end_reason",
                "created_at",
            ),
            policy_rows,
        )
        copy_rows(
            ShareTranche, ("tenant_id", "policy_id", "shares", "start", "waiting_end"), tranche_rows
        )
        locked.payment_date = payment_date
        locked.coverage_start, locked.coverage_end = period.start, period.end
        return ["payment_date", "coverage_start", "coverage_end"], {
            "payment_date": payment_date,
            "coverage_start": period.start,
            "coverage_end": period.end,
            "policies": written,
            **({"renewed_in_time": in_time} if locked.kind == EnrolmentKind.RENEWAL else {}),
        }

    try:
        return _step(actor, enrolment, "bring_into_force", then=make_policies)
    except IntegrityError as error:
        if "policy_no_overlap" in str(error):
            raise _refuse(
                _("Some of these members already hold overlapping cover: check the roster again."),
                code="overlapping_cover",
            ) from None
        raise


# --- Policies ------------------------------------------------------------------------------------


def policy_end(*, actor: Actor, policy: Policy, on: dt.date, reason: str) -> Policy:
    """End a member's cover early (减员, resignation …): ``on`` is the last covered day.

    A policy ended before it started is cancelled instead (it never covered a day)."""
    if not access.can_end_policy(actor, policy):
        raise PermissionDenied(_("You may not end this policy."))
    reason = _reason(reason, required=True)
    if not isinstance(on, dt.date):
        raise _refuse(_("Enter the last covered day."), field_name="on")
    with transaction.atomic():
        locked = Policy.objects.select_for_update().get(pk=policy.pk)
        if locked.status != PolicyStatus.IN_FORCE:
            raise _refuse(_("This policy is not in force."), code="not_in_force")
        if on >= locked.end:
            raise _refuse(
                _("The cover ends on %(end)s anyway.") % {"end": locked.end.isoformat()},
                field_name="on",
                code="after_end",
            )
        before = {"status": locked.status, "ended_on": None}
        if on < locked.start:
            locked.status, locked.ended_on = PolicyStatus.CANCELLED, None
        else:
            locked.status, locked.ended_on = PolicyStatus.ENDED, on
        locked.end_reason = reason[:200]
        locked.save(update_fields=["status", "ended_on", "end_reason"])
        record(
            actor=actor,
            action="policy.end",
            obj=locked,
            organisation=locked.organisation,
            before=before,
            after={"status": locked.status, "ended_on": locked.ended_on, "reason": reason},
        )
    policy.status, policy.ended_on, policy.end_reason = (
        locked.status,
        locked.ended_on,
        locked.end_reason,
    )
    return locked


def policies_end_on_resignation(
    *, actor: Actor, member: Member, resigned_on: dt.date
) -> list[Policy]:
    """A member resigned: end the cover of every plan whose terms say resignation ends it
    (绍兴: 本人提出辞职), from the day of resignation. Other plans keep running (SPEC §4)."""
    affected = list(
        Policy.objects.filter(
            tenant_id=member.tenant_id,
            member_id=member.pk,
            status=PolicyStatus.IN_FORCE,
            end__gte=resigned_on,
            plan_version__terms__resignation_ends_cover=True,
        ).select_related("organisation")
    )
    ended = []
    for policy in affected:
        ended.append(
            policy_end(
                actor=actor,
                policy=policy,
                on=resigned_on - ONE_DAY,
                reason=_("Resigned on %(date)s.") % {"date": resigned_on.isoformat()},
            )
        )
    return ended
