"""Roster lines: import a parsed roster, add, change and remove a line. The one write path
of the pages, the API, the admin, the upload job and renewal preparation.

Invariants: a line is written only after ``checks.evaluate`` found nothing against it; writes
happen under the enrolment's row lock while it is editable, in one transaction with the
refreshed totals (members, shares, premium and, for a single payer, that party's amount) and
the audit event; people not registered yet become members of the enrolment's unit; members
and lines are written with COPY, so a roster of any size takes a few statements; a refused
import (``RosterRejected``) writes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from enrolment import access
from enrolment.db import NULL, TextRows, copy_rows, copy_text, ordered_uuids
from enrolment.models import FUNDING_PARTIES, PARTY_FIELDS, Enrolment, EnrolmentLine, LineStatus
from enrolment.roster_source import materialise, roster_lines
from enrolment.rules import Candidate, LineError
from enrolment.services.checks import Batch, evaluate
from enrolment.services.common import (
    ImportReport,
    RosterRejected,
    error_dict,
    lock_enrolment,
    require_editable,
)
from members import validation as v
from members.models import EmploymentStatus, Member
from mutualaid.audit.services import record
from mutualaid.core.collector import collector_paused
from mutualaid.core.errors import DomainError
from mutualaid.tenancy.scoping import Actor

# --- Totals ----------------------------------------------------------------------------------


def sync_single_payer(enrolment: Enrolment) -> None:
    """Under a mode with one payer, that party's amount is the whole premium, the others 0."""
    parties = FUNDING_PARTIES[enrolment.funding_mode]
    if len(parties) == 1:
        for name in PARTY_FIELDS:
            setattr(enrolment, name, enrolment.premium_total if name == parties[0] else Decimal(0))


def _refresh_totals(enrolment: Enrolment) -> None:
    """Members, shares and premium of the roster, in the same transaction as its lines."""
    totals = roster_lines(enrolment).aggregate(
        n=Count("id"), shares=Coalesce(Sum("shares"), 0), premium=Sum("premium")
    )
    enrolment.member_count = totals["n"]
    enrolment.share_count = totals["shares"]
    enrolment.premium_total = totals["premium"] or Decimal("0.00")
    sync_single_payer(enrolment)
    enrolment.save(
        update_fields=["member_count", "share_count", "premium_total", *PARTY_FIELDS, "updated_at"]
    )


# --- Writing a checked batch -------------------------------------------------------------------

#: The columns of a new member as the import writes them (COPY text built in ``_write``).
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


#: The columns of a roster line as the import writes it (``line_text``).
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


def line_text(head: str, member_id, cand: Candidate, category: str, premium, now: str) -> str:
    """One line of ``LINE_COLUMNS`` in COPY's text format; ``head``: tenant and enrolment."""
    row = NULL if cand.row is None else cand.row
    return (
        f"{head}{member_id}\t{cand.shares}\t{copy_text(cand.tier)}\t{category}\t"
        f"{cand.previous_shares}\t{premium}\t{LineStatus.OK}\t\t{row}\t{now}\n"
    )


def _write(actor: Actor | None, enrolment: Enrolment, batch: Batch) -> tuple[int, int]:
    """Register the new people and write the valid lines (COPY): (members, lines).

    The rows go to COPY as text built here (``TextRows``): every value is known to be of
    its column's type (checked by ``evaluate``), and only names, phones and tiers are free
    text; new members' keys come in increasing order (``ordered_uuids``)."""
    materialise(enrolment)  # new lines come after the held ones (roster_source)
    now = timezone.now().isoformat()
    valid = batch.valid()
    new = [cand for cand in valid if cand.member_id is None]
    tenant, unit = str(enrolment.tenant_id), str(enrolment.unit_id)
    # Member.organisation = unit (check constraint), so the unit's id serves for both.
    member_head = f"{tenant}\t{unit}\t{unit}\t"
    member_tail = f"\t{EmploymentStatus.IN_SERVICE}\tt\t{now}\t{now}\n"
    people = []
    for cand, member_id in zip(new, ordered_uuids(len(new)), strict=True):
        name, phone, info = batch.new_people[cand.index]
        cand.member_id = member_id
        people.append(
            f"{member_id}\t{member_head}{copy_text(name)}\t{info.number}\t{info.sex}\t"
            f"{info.birth_date.isoformat()}\t{copy_text(phone)}\t{cand.category}{member_tail}"
        )
    created = copy_rows(Member, MEMBER_COLUMNS, TextRows(people)) if people else 0
    head = f"{tenant}\t{enrolment.pk}\t"
    premiums = batch.premiums
    written = copy_rows(
        EnrolmentLine,
        LINE_COLUMNS,
        TextRows(
            line_text(head, cand.member_id, cand, cand.category, premiums[cand.index], now)
            for cand in valid
        ),
    )
    if created:
        if created == 1:
            cand = next(c for c in valid if c.index in batch.new_people)
            name, _phone, info = batch.new_people[cand.index]
            person = Member(
                pk=uuid.UUID(str(cand.member_id)),
                tenant_id=enrolment.tenant_id,
                unit_id=enrolment.unit_id,
                organisation_id=enrolment.organisation_id,
                name=name,
                id_number=info.number,
            )
            record(
                actor=actor,
                action="member.create",
                obj=person,
                organisation=enrolment.organisation,
                after={"name": name, "id_number": person.masked_id_number, "via": "enrolment"},
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


def import_rows(
    actor: Actor | None,
    enrolment: Enrolment,
    rows: Sequence[Mapping[str, Any]],
    *,
    only_valid: bool,
    preview: bool,
    audit: bool = True,
) -> ImportReport:
    """``lines_import`` inside the caller's transaction, with its permission and state checked
    and the row locked by the caller (renewal preparation calls it too, with ``audit`` off)."""
    batch = evaluate(actor, enrolment, rows)
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


# --- The services ------------------------------------------------------------------------------


#: From this many rows, ``lines_import`` pauses the cyclic garbage collector.
BULK_ROWS = 1000


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
    # A roster's rows become objects that live until it is written (mutualaid.core.collector).
    with collector_paused() if len(rows) >= BULK_ROWS else nullcontext():
        if preview:
            require_editable(enrolment)
            return import_rows(actor, enrolment, rows, only_valid=only_valid, preview=True)
        with transaction.atomic():
            locked = lock_enrolment(enrolment)
            require_editable(locked)
            try:
                report = import_rows(actor, locked, rows, only_valid=only_valid, preview=False)
            except IntegrityError as error:
                if "member_id_number_unique_per_tenant" in str(error):
                    raise DomainError(
                        _(
                            "Someone registered some of these people meanwhile: check the "
                            "roster again."
                        ),
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
        raise DomainError(error_dict(refused.report.errors)) from None
    number = member.id_number if member is not None else v.normalise_id_number(id_number)
    return roster_lines(enrolment).select_related("member").get(member__id_number=number)


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
    require_editable(enrolment)
    row = {"member": member, "shares": shares, "tier": tier}
    return evaluate(actor, enrolment, [row], replacing=member.pk).report.errors()


def line_update(
    *, actor: Actor, enrolment: Enrolment, member: Member, shares: Any = None, tier: str = ""
) -> EnrolmentLine:
    """Change a line's shares (or tier), through the same rules as adding it."""
    if not access.can_draft(actor, enrolment.organisation):
        raise PermissionDenied(_("You may not change this enrolment."))
    with transaction.atomic():
        locked = lock_enrolment(enrolment)
        require_editable(locked)
        line = roster_lines(locked).select_for_update().get(member_id=member.pk)
        batch = evaluate(
            actor, locked, [{"member": member, "shares": shares, "tier": tier}], replacing=member.pk
        )
        errors = batch.report.errors()
        if errors:
            raise DomainError(error_dict(errors))
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
        locked = lock_enrolment(enrolment)
        require_editable(locked)
        deleted, _rows = roster_lines(locked).filter(member_id=member.pk).delete()
        if not deleted:
            raise DomainError(_("This member is not on the roster."), code="not_on_roster")
        _refresh_totals(locked)
        record(
            actor=actor,
            action="enrolment.line_remove",
            obj=locked,
            organisation=locked.organisation,
            before={"member": str(member.pk), "name": member.name},
        )
    _copy_totals(locked, enrolment)
