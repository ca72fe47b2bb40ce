"""Writes to units and members: keyword-only, one transaction, validated, audited.

Every value goes through ``members.validation`` here, whoever calls: the pages, the
API, the admin and (part 2) the roster upload.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members import validation as v
from members.access import (
    MEMBER_MANAGERS,
    UNIT_PARENT_KINDS,
    can_manage_members,
    may_see_full_id_number,
)
from members.extensions import member_renamed
from members.models import (
    EmploymentStatus,
    Industry,
    Member,
    MemberCategory,
    MemberTransfer,
    Ownership,
    Unit,
)
from mutualaid.audit.services import record, snapshot
from mutualaid.core.cleaning import mask_bank_account
from mutualaid.core.errors import DomainError
from mutualaid.tenancy.access import can_manage_units
from mutualaid.tenancy.models import Organisation, OrganisationKind
from mutualaid.tenancy.scoping import Actor

UNIT_FIELDS = [
    "credit_code",
    "ownership",
    "industry",
    "union_member_count",
    "contact_name",
    "contact_phone",
    "bank_name",
    "bank_account",
]
MEMBER_FIELDS = [
    "unit",
    "name",
    "sex",
    "birth_date",
    "phone",
    "category",
    "employment_status",
    "is_union_member",
]


# --- Units ----------------------------------------------------------------------------------


def check_unit_fields(**data: Any) -> dict[str, Any]:
    """The registration fields of a unit (``UNIT_FIELDS``), cleaned, or one DomainError naming
    each bad field. No database access (the credit code's uniqueness is checked on save)."""
    problems = v.Problems()
    out = _clean_unit_fields(problems, data)
    problems.raise_if_any()
    return out


def _clean_unit_fields(problems: v.Problems, data: dict[str, Any]) -> dict[str, Any]:
    out = {
        "credit_code": problems.check(v.validate_credit_code, data.get("credit_code")),
        "ownership": problems.check(
            v.validate_choice, data.get("ownership"), Ownership, field="ownership"
        ),
        "industry": (
            problems.check(v.validate_choice, data.get("industry"), Industry, field="industry")
            if data.get("industry")
            else ""
        ),
        "contact_name": " ".join(str(data.get("contact_name") or "").split())[:50],
        "contact_phone": problems.check(
            v.validate_phone, data.get("contact_phone"), field="contact_phone"
        ),
        "bank_name": " ".join(str(data.get("bank_name") or "").split())[:100],
        "bank_account": problems.check(v.validate_bank_account, data.get("bank_account")),
    }
    count = data.get("union_member_count") or 0
    try:
        count = int(count)
        if count < 0:
            raise ValueError
    except (TypeError, ValueError):
        problems.add(
            v.InvalidValue(
                _("Enter a whole number of members, 0 or more."),
                code="union_member_count_invalid",
                field="union_member_count",
            )
        )
        count = 0
    out["union_member_count"] = count
    return out


def _clean_unit_input(*, name: Any, **data: Any) -> tuple[str, dict[str, Any]]:
    """The unit's name and registration fields, cleaned; every problem raised at once."""
    problems = v.Problems()
    name = " ".join(str(name or "").split())
    if not name:
        problems.add(v.InvalidValue(_("Enter a name."), code="name_required", field="name"))
    fields = _clean_unit_fields(problems, data)
    problems.raise_if_any()
    return name, fields


def _check_credit_code_free(*, tenant_id, code: str, exclude_pk=None) -> None:
    if not code:
        return
    clash = Unit.objects.filter(tenant_id=tenant_id, credit_code=code)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise _credit_code_taken()


def _credit_code_taken() -> v.InvalidValue:
    return v.InvalidValue(
        _("Another unit of this office already has this unified social credit code."),
        code="credit_code_taken",
        field="credit_code",
    )


def unit_create(
    *,
    actor: Actor,
    parent: Organisation,
    name: str,
    ownership: str,
    code: str = "",
    credit_code: str = "",
    industry: str = "",
    union_member_count: int = 0,
    contact_name: str = "",
    contact_phone: str = "",
    bank_name: str = "",
    bank_account: str = "",
) -> Unit:
    """A new unit: its node below ``parent`` and its registration data, in one transaction."""
    if not can_manage_units(actor, parent):
        raise DomainError(_("You may not add units here."))
    if parent.kind not in UNIT_PARENT_KINDS:
        raise v.InvalidValue(
            _("A %(child)s cannot be placed under a %(parent)s.")
            % {"child": OrganisationKind.UNIT.label, "parent": OrganisationKind(parent.kind).label},
            code="parent_kind",
            field="parent",
        )
    name, fields = _clean_unit_input(
        name=name,
        credit_code=credit_code,
        ownership=ownership,
        industry=industry,
        union_member_count=union_member_count,
        contact_name=contact_name,
        contact_phone=contact_phone,
        bank_name=bank_name,
        bank_account=bank_account,
    )
    _check_credit_code_free(tenant_id=parent.tenant_id, code=fields["credit_code"])
    try:
        with transaction.atomic():
            # Lock the parent so two cadres adding units at once get distinct paths.
            parent = Organisation.objects.select_for_update().get(pk=parent.pk)
            node = Organisation.objects.add_child(
                parent,
                {
                    "tenant_id": parent.tenant_id,
                    "name": name,
                    "kind": OrganisationKind.UNIT,
                    "code": str(code or "").strip()[:50],
                },
            )
            unit = Unit.objects.create(organisation=node, tenant_id=parent.tenant_id, **fields)
            record(
                actor=actor,
                action="unit.create",
                obj=unit,
                organisation=node,
                after={
                    "name": name,
                    "code": node.code,
                    "parent": str(parent.pk),
                    **_unit_snapshot(unit),
                },
            )
    except IntegrityError as error:
        if "unit_credit_code_unique_per_tenant" in str(error):
            raise _credit_code_taken() from None
        raise
    return unit


def unit_update(
    *,
    actor: Actor,
    unit: Unit,
    name: str,
    ownership: str,
    code: str = "",
    credit_code: str = "",
    industry: str = "",
    union_member_count: int = 0,
    contact_name: str = "",
    contact_phone: str = "",
    bank_name: str = "",
    bank_account: str = "",
) -> Unit:
    if not can_manage_units(actor, unit.organisation):
        raise DomainError(_("You may not change this unit."))
    name, fields = _clean_unit_input(
        name=name,
        credit_code=credit_code,
        ownership=ownership,
        industry=industry,
        union_member_count=union_member_count,
        contact_name=contact_name,
        contact_phone=contact_phone,
        bank_name=bank_name,
        bank_account=bank_account,
    )
    _check_credit_code_free(
        tenant_id=unit.tenant_id, code=fields["credit_code"], exclude_pk=unit.pk
    )
    node = unit.organisation
    try:
        with transaction.atomic():
            before = {"name": node.name, "code": node.code, **_unit_snapshot(unit)}
            node.name = name
            node.code = str(code or "").strip()[:50]
            node.save(update_fields=["name", "code"])
            for field, value in fields.items():
                setattr(unit, field, value)
            unit.save(update_fields=[*UNIT_FIELDS, "updated_at"])
            record(
                actor=actor,
                action="unit.update",
                obj=unit,
                organisation=node,
                before=before,
                after={"name": name, "code": node.code, **_unit_snapshot(unit)},
            )
    except IntegrityError as error:
        if "unit_credit_code_unique_per_tenant" in str(error):
            raise _credit_code_taken() from None
        raise
    return unit


# --- Members --------------------------------------------------------------------------------


def _id_number_taken(
    *, actor: Actor | None, tenant_id, number: str, exclude_pk=None
) -> v.InvalidValue | None:
    """The error for an ID number some member of the tenant already has, or None.

    The other unit is named only when the actor reaches it: an agent of a sibling unit
    learns that the person is registered, not where."""
    clash = Member.objects.filter(tenant_id=tenant_id, id_number=number).select_related(
        "organisation"
    )
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    other = clash.first()
    if other is None:
        return None
    if actor is not None and actor.reaches(other.organisation):
        return v.InvalidValue(
            _("A member with this ID number is already registered, in %(unit)s.")
            % {"unit": other.organisation.name},
            code="id_number_taken",
            field="id_number",
        )
    return v.InvalidValue(
        _("A member with this ID number is already registered in this office."),
        code="id_number_taken",
        field="id_number",
    )


def check_member_fields(
    *,
    name: Any,
    phone: Any = "",
    category: Any = MemberCategory.WORKER,
    employment_status: Any = EmploymentStatus.IN_SERVICE,
    id_number: Any = None,
) -> tuple[dict[str, Any], v.IdInfo | None]:
    """Every field of a member, cleaned, or one DomainError naming each bad field.

    No database access: the roster upload runs it per row and checks uniqueness in bulk."""
    problems = v.Problems()
    fields = {
        "name": problems.check(v.validate_person_name, name),
        "phone": problems.check(v.validate_phone, phone),
        "category": problems.check(
            v.validate_choice, category or MemberCategory.WORKER, MemberCategory, field="category"
        ),
        "employment_status": problems.check(
            v.validate_choice,
            employment_status or EmploymentStatus.IN_SERVICE,
            EmploymentStatus,
            field="employment_status",
        ),
    }
    info = problems.check(v.validate_id_number, id_number) if id_number is not None else None
    problems.raise_if_any()
    return fields, info


def member_create(
    *,
    actor: Actor,
    unit: Unit,
    name: str,
    id_number: str,
    phone: str = "",
    category: str = MemberCategory.WORKER,
    employment_status: str = EmploymentStatus.IN_SERVICE,
    is_union_member: bool = True,
) -> Member:
    """Register a person in a unit. Sex and birth date are derived from the ID number."""
    if not can_manage_members(actor, unit):
        raise DomainError(_("You may not manage the members of this unit."))
    fields, info = check_member_fields(
        name=name,
        phone=phone,
        category=category,
        employment_status=employment_status,
        id_number="" if id_number is None else id_number,  # required here: None is "missing"
    )
    taken = _id_number_taken(actor=actor, tenant_id=unit.tenant_id, number=info.number)
    if taken is not None:
        raise taken
    member = Member(
        tenant_id=unit.tenant_id,
        unit=unit,
        organisation_id=unit.pk,
        id_number=info.number,
        sex=info.sex,
        birth_date=info.birth_date,
        is_union_member=bool(is_union_member),
        **fields,
    )
    try:
        with transaction.atomic():
            member.save(force_insert=True)
            record(
                actor=actor,
                action="member.create",
                obj=member,
                organisation=unit.organisation,
                after=_member_snapshot(member),
            )
    except IntegrityError as error:
        # Two cadres registering the same person at once: the constraint decides.
        if "member_id_number_unique_per_tenant" in str(error):
            raise (
                _id_number_taken(actor=actor, tenant_id=unit.tenant_id, number=info.number) or error
            ) from None
        raise
    return member


def member_update(
    *,
    actor: Actor,
    member: Member,
    name: str,
    phone: str = "",
    category: str = MemberCategory.WORKER,
    employment_status: str = EmploymentStatus.IN_SERVICE,
    is_union_member: bool = True,
    id_number: str | None = None,
) -> Member:
    """Change a member's data. ``id_number=None`` keeps the number; a new one re-derives sex
    and birth date, and only actors who see whole numbers may change it (a masked number
    cannot be corrected by someone who cannot read it)."""
    if not can_manage_members(actor, member.unit):
        raise DomainError(_("You may not manage the members of this unit."))
    if id_number is not None and not may_see_full_id_number(actor, member):
        try:
            unchanged = v.normalise_id_number(id_number) == member.id_number
        except v.InvalidValue:
            unchanged = False
        if not unchanged:
            raise v.InvalidValue(
                _("You may not change the ID number; ask the unit's agent or the office."),
                code="id_number_forbidden",
                field="id_number",
            )
        id_number = None
    fields, info = check_member_fields(
        name=name,
        phone=phone,
        category=category,
        employment_status=employment_status,
        id_number=id_number,
    )
    if info is not None and info.number != member.id_number:
        taken = _id_number_taken(
            actor=actor, tenant_id=member.tenant_id, number=info.number, exclude_pk=member.pk
        )
        if taken is not None:
            raise taken
    update_fields = [*fields, "is_union_member", "updated_at"]
    try:
        with transaction.atomic():
            before = _member_snapshot(member)
            for field, value in fields.items():
                setattr(member, field, value)
            member.is_union_member = bool(is_union_member)
            if info is not None:
                member.id_number, member.sex, member.birth_date = (
                    info.number,
                    info.sex,
                    info.birth_date,
                )
                update_fields += ["id_number", "sex", "birth_date"]
            member.save(update_fields=update_fields)
            if "name" in fields:
                member_renamed.send(sender=Member, member=member)
            record(
                actor=actor,
                action="member.update",
                obj=member,
                organisation=member.organisation,
                before=before,
                after=_member_snapshot(member),
            )
    except IntegrityError as error:
        if "member_id_number_unique_per_tenant" in str(error):
            raise (
                _id_number_taken(
                    actor=actor,
                    tenant_id=member.tenant_id,
                    number=info.number,
                    exclude_pk=member.pk,
                )
                or error
            ) from None
        raise
    return member


def _unit_snapshot(unit: Unit) -> dict[str, Any]:
    # The account is masked for the same reason as ID numbers below: auditors read the log.
    return {**snapshot(unit, UNIT_FIELDS), "bank_account": mask_bank_account(unit.bank_account)}


def _member_snapshot(member: Member) -> dict[str, Any]:
    # The audit log keeps the masked number: it is read in places (the admin, exports of
    # the log) that do not check who may see whole numbers.
    return {**snapshot(member, MEMBER_FIELDS), "id_number": member.masked_id_number}


def member_transfer(
    *, actor: Actor, member: Member, to_unit: Unit, date: dt.date, reason: str
) -> MemberTransfer:
    """Move a member to another unit of the same tenant (转会), keeping the history.

    The actor must reach both units: an agent office above both, or a cadre or office
    admin at a common ancestor. From now on the member is scoped by the new unit: the
    old unit's agent no longer sees them, the new unit's agent does, and (part 2)
    claims go through the new unit.

    Cover is not touched: policies the member holds through the old unit keep running
    until their period ends (SPEC §4); renewal happens with the new unit. Part 2 must
    read a policy's unit from the policy, not from ``member.unit``.
    """
    if not actor.has_role(*MEMBER_MANAGERS) or not actor.reaches(member.organisation):
        raise DomainError(_("You may not transfer this member."))
    if to_unit.tenant_id != member.tenant_id or not actor.reaches(to_unit.organisation):
        raise v.InvalidValue(
            _("You may only transfer a member to a unit you manage."),
            code="to_unit_forbidden",
            field="to_unit",
        )
    problems = v.Problems()
    if to_unit.pk == member.unit_id:
        problems.add(
            v.InvalidValue(
                _("The member is already in this unit."), code="to_unit_same", field="to_unit"
            )
        )
    reason = " ".join(str(reason or "").split())
    if not reason:
        problems.add(
            v.InvalidValue(
                _("Enter the reason for the transfer."), code="reason_required", field="reason"
            )
        )
    elif len(reason) > 200:
        problems.add(
            v.InvalidValue(
                _("The reason may have at most %(max)d characters.") % {"max": 200},
                code="reason_length",
                field="reason",
            )
        )
    if not isinstance(date, dt.date):
        problems.add(v.InvalidValue(_("Enter a valid date."), code="date_invalid", field="date"))
    elif date > timezone.localdate():
        problems.add(
            v.InvalidValue(
                _("The transfer date cannot be in the future."), code="date_future", field="date"
            )
        )
    problems.raise_if_any()
    with transaction.atomic():
        # Lock the member: two transfers at once would both read the same "from" unit.
        member = (
            Member.objects.select_for_update()
            .select_related("unit__organisation")
            .get(pk=member.pk)
        )
        if member.unit_id == to_unit.pk:
            raise v.InvalidValue(
                _("The member is already in this unit."), code="to_unit_same", field="to_unit"
            )
        last = MemberTransfer.objects.filter(member=member).order_by("-date", "-created_at").first()
        if last is not None and date < last.date:
            raise v.InvalidValue(
                _(
                    "The transfer date cannot be earlier than the member's previous transfer "
                    "(%(date)s)."
                )
                % {"date": last.date.isoformat()},
                code="date_before_previous",
                field="date",
            )
        from_unit = member.unit
        transfer = MemberTransfer.objects.create(
            tenant_id=member.tenant_id,
            member=member,
            from_unit=from_unit,
            to_unit=to_unit,
            date=date,
            reason=reason,
            actor=actor.user,
        )
        member.unit = to_unit
        member.organisation_id = to_unit.pk
        member.save(update_fields=["unit", "organisation", "updated_at"])
        record(
            actor=actor,
            action="member.transfer",
            obj=member,
            organisation=to_unit.organisation,
            before={"unit": str(from_unit.pk), "unit_name": from_unit.organisation.name},
            after={
                "unit": str(to_unit.pk),
                "unit_name": to_unit.organisation.name,
                "date": date.isoformat(),
                "reason": reason,
            },
        )
    return transfer
