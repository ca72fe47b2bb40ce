"""Writes to the plan catalogue: keyword-only, atomic, validated by the engine, audited.

One validation path: every save composes the version's terms with its benefit items
and runs ``plans.rules.validate_version_terms`` on the result; pages and the API show
its Chinese messages as they are. A draft may be incomplete in exactly one way — its
list of items (none yet, or one item of an exclusive pair still alone); publishing
checks everything.

Published versions are immutable: a change of terms is a new version (``version_copy``)
with a later ``valid_from``, so a policy keeps the terms it was sold under.
"""

from __future__ import annotations

import copy
import re
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from mutualaid.audit.services import record, snapshot
from mutualaid.core.errors import NON_FIELD, DomainError
from mutualaid.tenancy.models import Organisation, OrganisationKind, Role, Tenant
from mutualaid.tenancy.scoping import Actor
from plans import notices
from plans.individuals import clean_offer
from plans.models import BenefitItem, Plan, PlanVersion, VersionStatus
from plans.rules import validate_version_terms

PLAN_FIELDS = ["code", "name", "short_name", "source", "notes", "organisation"]
VERSION_FIELDS = ["number", "label", "valid_from", "valid_to", "status", "individual_offer"]
_PLAN_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: Problems a draft may still have: the list of items as a whole (none yet, or one of an
#: exclusive pair added before the other). Publishing refuses them like everything else.
DRAFT_TOLERATED = frozenset({"benefit_items"})


class TermsInvalid(DomainError):
    """The engine refused the terms; ``errors`` maps field path → Chinese messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = {path: list(messages) for path, messages in errors.items()}
        super().__init__(self.errors)


# --- permissions -------------------------------------------------------------------


def can_create_plans(actor: Actor) -> bool:
    return actor.has_role(Role.OFFICE_ADMIN) and actor.organisation.kind in (
        OrganisationKind.OFFICE,
        OrganisationKind.CITY,
    )


def can_change_plan(actor: Actor, plan: Plan) -> bool:
    """Office admins at the owning node or above it: the office for every plan, a city's
    own admins for that city's local plans."""
    return actor.has_role(Role.OFFICE_ADMIN) and actor.reaches(plan.organisation)


def _require_change(actor: Actor, plan: Plan) -> None:
    if not can_change_plan(actor, plan):
        raise PermissionDenied(_("You may not change this plan."))


# --- plans -------------------------------------------------------------------------


def _check_owner(actor: Actor | None, organisation: Organisation) -> None:
    if organisation.kind not in (OrganisationKind.OFFICE, OrganisationKind.CITY):
        raise DomainError(
            {"organisation": [_("A plan belongs to the office or to a city federation.")]}
        )
    if actor is not None and (
        not actor.has_role(Role.OFFICE_ADMIN) or not actor.reaches(organisation)
    ):
        raise PermissionDenied(_("You may not add plans for this organisation."))


def _clean_plan_text(*, name: str, short_name: str, source: str, notes: str) -> dict[str, str]:
    name = name.strip()
    if not name:
        raise DomainError({"name": [_("Enter the plan's name.")]})
    return {
        "name": name,
        "short_name": short_name.strip(),
        "source": source.strip(),
        "notes": notes.strip(),
    }


def plan_create(
    *,
    actor: Actor,
    organisation: Organisation,
    code: str,
    name: str,
    short_name: str = "",
    source: str = "",
    notes: str = "",
) -> Plan:
    _check_owner(actor, organisation)
    text = _clean_plan_text(name=name, short_name=short_name, source=source, notes=notes)
    code = code.strip()
    if not _PLAN_CODE_RE.match(code):
        raise DomainError(
            {
                "code": [
                    _(
                        "Use letters, digits, '-', '_' or '.' for the code, "
                        "starting with a letter or digit."
                    )
                ]
            }
        )
    with transaction.atomic():
        if Plan.objects.filter(tenant_id=organisation.tenant_id, code=code).exists():
            raise DomainError({"code": [_("Another plan already has this code.")]})
        plan = Plan.objects.create(
            tenant_id=organisation.tenant_id, organisation=organisation, code=code, **text
        )
        record(
            actor=actor,
            action="plan.create",
            obj=plan,
            organisation=organisation,
            after=snapshot(plan, PLAN_FIELDS),
        )
    return plan


def plan_update(
    *, actor: Actor, plan: Plan, name: str, short_name: str = "", source: str = "", notes: str = ""
) -> Plan:
    """Names and notes only: the code stays (other records refer to it), terms live in versions."""
    _require_change(actor, plan)
    text = _clean_plan_text(name=name, short_name=short_name, source=source, notes=notes)
    with transaction.atomic():
        before = snapshot(plan, PLAN_FIELDS)
        for key, value in text.items():
            setattr(plan, key, value)
        plan.save(update_fields=list(text))
        record(
            actor=actor,
            action="plan.update",
            obj=plan,
            organisation=plan.organisation,
            before=before,
            after=snapshot(plan, PLAN_FIELDS),
        )
    return plan


# --- versions ----------------------------------------------------------------------


def _check_version_fields(*, label: str, valid_from: date | None, valid_to: date | None) -> str:
    errors: dict[str, list[str]] = {}
    label = (label or "").strip()
    if not label:
        errors["label"] = [_("Enter a label, e.g. the year of the terms.")]
    if valid_from is None:
        errors["valid_from"] = [_("Enter the date the terms take effect.")]
    elif valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = [_("The end date cannot be before the start date.")]
    if errors:
        raise DomainError(errors)
    return label


def _split_terms(terms: Any, items: list[dict] | None) -> tuple[dict, list]:
    if not isinstance(terms, dict):
        raise TermsInvalid({"terms": ["条款格式不正确: 应为键值对象"]})
    terms = copy.deepcopy(terms)
    embedded = terms.pop("benefit_items", None)
    if items is None:
        items = embedded if embedded is not None else []
    return terms, copy.deepcopy(items)


def _validate(composed: dict[str, Any], *, draft: bool) -> dict[str, list[str]]:
    errors = validate_version_terms(composed)
    if draft:
        errors = {k: v for k, v in errors.items() if k not in DRAFT_TOLERATED}
    return errors


def _lock_draft(version: PlanVersion) -> PlanVersion:
    """The version row, locked for this transaction; refuses anything but a draft."""
    locked = (
        PlanVersion.objects.select_for_update(of=("self",))
        .select_related("plan__organisation")
        .get(pk=version.pk)
    )
    if not locked.is_editable or locked.is_in_use():
        raise DomainError(
            {
                NON_FIELD: [
                    _(
                        "This version is published and cannot be changed. "
                        "Copy it to a new version to change the terms."
                    )
                ]
            },
        )
    return locked


def _create_items(version: PlanVersion, items: list[dict]) -> None:
    BenefitItem.objects.bulk_create(
        BenefitItem(
            tenant_id=version.tenant_id,
            version=version,
            position=index,
            **BenefitItem.values_from_terms(data),
        )
        for index, data in enumerate(items, start=1)
    )


def _next_number(plan: Plan) -> int:
    return (PlanVersion.objects.filter(plan=plan).aggregate(n=Max("number"))["n"] or 0) + 1


def version_create(
    *,
    actor: Actor,
    plan: Plan,
    label: str,
    valid_from: date,
    valid_to: date | None = None,
    terms: dict[str, Any],
    items: list[dict] | None = None,
    individual_offer: dict[str, Any] | None = None,
) -> PlanVersion:
    """A new draft. ``terms`` may carry ``benefit_items`` (the API sends them that way);
    ``individual_offer``: open to individual applications (``plans.individuals``)."""
    _require_change(actor, plan)
    label = _check_version_fields(label=label, valid_from=valid_from, valid_to=valid_to)
    offer = clean_offer(individual_offer)
    terms, items = _split_terms(terms, items)
    errors = _validate({**terms, "benefit_items": items}, draft=True)
    if errors:
        raise TermsInvalid(errors)
    with transaction.atomic():
        Plan.objects.select_for_update().filter(pk=plan.pk).first()  # serialise numbering
        version = PlanVersion.objects.create(
            tenant_id=plan.tenant_id,
            plan=plan,
            number=_next_number(plan),
            label=label,
            valid_from=valid_from,
            valid_to=valid_to,
            terms=terms,
            individual_offer=offer,
            created_by=actor.user,
        )
        _create_items(version, items)
        record(
            actor=actor,
            action="plan_version.create",
            obj=version,
            organisation=plan.organisation,
            after={**snapshot(version, VERSION_FIELDS), "terms": version.engine_terms()},
        )
    return version


def version_update(
    *,
    actor: Actor,
    version: PlanVersion,
    label: str,
    valid_from: date,
    valid_to: date | None = None,
    terms: dict[str, Any],
    items: list[dict] | None = None,
    individual_offer: dict[str, Any] | None = None,
) -> PlanVersion:
    """Change a draft's dates and terms; ``items`` (or ``terms["benefit_items"]``) replaces
    all its items, otherwise they stay. ``individual_offer`` None leaves it as it is."""
    _require_change(actor, version.plan)
    label = _check_version_fields(label=label, valid_from=valid_from, valid_to=valid_to)
    offer = None if individual_offer is None else clean_offer(individual_offer)
    replace = items is not None or (isinstance(terms, dict) and "benefit_items" in terms)
    terms, items = _split_terms(terms, items)
    with transaction.atomic():
        locked = _lock_draft(version)
        before = {**snapshot(locked, VERSION_FIELDS), "terms": locked.engine_terms()}
        if not replace:
            items = [item.to_terms() for item in locked.items.all()]
        errors = _validate({**terms, "benefit_items": items}, draft=True)
        if errors:
            raise TermsInvalid(errors)
        locked.label, locked.valid_from, locked.valid_to, locked.terms = (
            label,
            valid_from,
            valid_to,
            terms,
        )
        changed = ["label", "valid_from", "valid_to", "terms"]
        if offer is not None:
            locked.individual_offer = offer
            changed.append("individual_offer")
        locked.save(update_fields=changed)
        if replace:
            locked.items.all().delete()
            _create_items(locked, items)
        record(
            actor=actor,
            action="plan_version.update",
            obj=locked,
            organisation=locked.plan.organisation,
            before=before,
            after={**snapshot(locked, VERSION_FIELDS), "terms": locked.engine_terms()},
        )
    return locked


def version_copy(
    *, actor: Actor, version: PlanVersion, valid_from: date, label: str = ""
) -> PlanVersion:
    """A new draft with the same terms and items, taking effect later than its source."""
    _require_change(actor, version.plan)
    if valid_from is None or valid_from <= version.valid_from:
        raise DomainError(
            {
                "valid_from": [
                    _("The new version must take effect after %(date)s, when this one does.")
                    % {"date": version.valid_from.isoformat()}
                ]
            }
        )
    label = _check_version_fields(
        label=label or version.label, valid_from=valid_from, valid_to=None
    )
    plan = version.plan
    with transaction.atomic():
        Plan.objects.select_for_update().filter(pk=plan.pk).first()
        new = PlanVersion.objects.create(
            tenant_id=plan.tenant_id,
            plan=plan,
            number=_next_number(plan),
            label=label,
            valid_from=valid_from,
            valid_to=None,
            terms=copy.deepcopy(version.terms),
            individual_offer=copy.deepcopy(version.individual_offer),
            copied_from=version,
            created_by=actor.user,
        )
        _create_items(new, [item.to_terms() for item in version.items.all()])
        record(
            actor=actor,
            action="plan_version.copy",
            obj=new,
            organisation=plan.organisation,
            after={**snapshot(new, VERSION_FIELDS), "copied_from": str(version.pk)},
        )
    return new


def publication_problems(version: PlanVersion) -> dict[str, list[str]]:
    """What stops a draft from being published (empty when nothing does)."""
    errors = _validate(version.engine_terms(), draft=False)
    clash = (
        PlanVersion.objects.published()
        .filter(plan_id=version.plan_id, valid_from=version.valid_from)
        .exclude(pk=version.pk)
        .first()
    )
    if clash is not None:
        errors.setdefault("valid_from", []).append(
            _("Version %(number)s already takes effect on %(date)s; choose another date.")
            % {"number": clash.number, "date": version.valid_from.isoformat()}
        )
    return errors


def version_publish(*, actor: Actor, version: PlanVersion) -> PlanVersion:
    """Freeze a draft: from now on enrolments may bind to it and nobody can change it."""
    _require_change(actor, version.plan)
    with transaction.atomic():
        locked = _lock_draft(version)
        errors = publication_problems(locked)
        if errors:
            raise TermsInvalid(errors)
        locked.status = VersionStatus.PUBLISHED
        locked.published_by = actor.user
        locked.published_at = timezone.now()
        locked.save(update_fields=["status", "published_by", "published_at"])
        record(
            actor=actor,
            action="plan_version.publish",
            obj=locked,
            organisation=locked.plan.organisation,
            before={"status": VersionStatus.DRAFT},
            after=snapshot(locked, VERSION_FIELDS),
        )
        notices.notify_published(locked, by_user_id=actor.user.pk)
    return locked


def version_delete(*, actor: Actor, version: PlanVersion) -> None:
    """Discard a draft (published versions stay for ever)."""
    _require_change(actor, version.plan)
    with transaction.atomic():
        locked = _lock_draft(version)
        record(
            actor=actor,
            action="plan_version.delete",
            obj=locked,
            organisation=locked.plan.organisation,
            before={**snapshot(locked, VERSION_FIELDS), "terms": locked.engine_terms()},
        )
        locked.items.all().delete()
        locked.delete()


# --- benefit items -----------------------------------------------------------------


def _item_errors(errors: dict[str, list[str]], index: int) -> dict[str, list[str]]:
    """Engine paths of the item being saved become the item's own field names."""
    prefix = f"benefit_items[{index}]"
    out: dict[str, list[str]] = {}
    for path, messages in errors.items():
        if path == prefix:
            key = NON_FIELD
        elif path.startswith(prefix + "."):
            key = path[len(prefix) + 1 :]
        else:
            key = path
        out.setdefault(key, []).extend(messages)
    return out


def _save_items(*, actor: Actor, version: PlanVersion, action: str, change) -> BenefitItem | None:
    """Apply ``change(items) -> (items, index)`` to a locked draft's items and validate."""
    _require_change(actor, version.plan)
    with transaction.atomic():
        locked = _lock_draft(version)
        rows = list(locked.items.all().order_by("position", "code"))
        before = [row.to_terms() for row in rows]
        after, index = change([copy.deepcopy(t) for t in before], rows)
        errors = _validate({**locked.terms, "benefit_items": after}, draft=True)
        if errors:
            raise TermsInvalid(_item_errors(errors, index) if index is not None else errors)
        saved = None
        if action == "create":
            saved = BenefitItem.objects.create(
                tenant_id=locked.tenant_id,
                version=locked,
                position=(max((r.position for r in rows), default=0) + 1),
                **BenefitItem.values_from_terms(after[index]),
            )
            record(
                actor=actor,
                action="benefit_item.create",
                obj=saved,
                organisation=locked.plan.organisation,
                after=after[index],
            )
        elif action == "update":
            saved = rows[index]
            values = BenefitItem.values_from_terms(after[index])
            for key, value in values.items():
                setattr(saved, key, value)
            saved.save(update_fields=list(values))
            record(
                actor=actor,
                action="benefit_item.update",
                obj=saved,
                organisation=locked.plan.organisation,
                before=before[index],
                after=after[index],
            )
        return saved


def item_create(*, actor: Actor, version: PlanVersion, data: dict[str, Any]) -> BenefitItem:
    """Add a benefit item (in the engine's item form) at the end of a draft's list."""

    def change(items, rows):
        return [*items, copy.deepcopy(data)], len(items)

    return _save_items(actor=actor, version=version, action="create", change=change)


def item_update(*, actor: Actor, item: BenefitItem, data: dict[str, Any]) -> BenefitItem:
    def change(items, rows):
        index = next(i for i, row in enumerate(rows) if row.pk == item.pk)
        items[index] = copy.deepcopy(data)
        return items, index

    return _save_items(actor=actor, version=item.version, action="update", change=change)


def item_delete(*, actor: Actor, item: BenefitItem) -> None:
    def change(items, rows):
        return [t for t, row in zip(items, rows, strict=True) if row.pk != item.pk], None

    with transaction.atomic():
        _save_items(actor=actor, version=item.version, action="delete", change=change)
        record(
            actor=actor,
            action="benefit_item.delete",
            obj=item,
            organisation=item.version.plan.organisation,
            before=item.to_terms(),
        )
        BenefitItem.objects.filter(pk=item.pk).delete()


# --- loading whole plans (demo data, imports) -------------------------------------


def plan_import(
    *,
    tenant: Tenant,
    organisation: Organisation,
    code: str,
    name: str,
    short_name: str = "",
    source: str = "",
    notes: str = "",
    label: str,
    valid_from: date,
    terms: dict[str, Any],
    actor: Actor | None = None,
) -> Plan:
    """A plan with one published version, as the office prints it (seed documents).

    Run by operators (``actor`` None, recorded as the system) or an office admin. The
    terms must be complete: the version is published at once.
    """
    if organisation.tenant_id != tenant.pk:
        raise DomainError({"organisation": [_("The owner belongs to another tenant.")]})
    _check_owner(actor, organisation)
    terms, items = _split_terms(terms, None)
    errors = _validate({**terms, "benefit_items": items}, draft=False)
    if errors:
        raise TermsInvalid(errors)
    text = _clean_plan_text(name=name, short_name=short_name, source=source, notes=notes)
    user = actor.user if actor is not None else None
    with transaction.atomic():
        plan = Plan.objects.create(tenant=tenant, organisation=organisation, code=code, **text)
        version = PlanVersion.objects.create(
            tenant=tenant,
            plan=plan,
            number=1,
            label=label,
            valid_from=valid_from,
            terms=terms,
            status=VersionStatus.PUBLISHED,
            created_by=user,
            published_by=user,
            published_at=timezone.now(),
        )
        _create_items(version, items)
        record(
            actor=actor,
            action="plan.import",
            obj=plan,
            organisation=organisation,
            after={
                **snapshot(plan, PLAN_FIELDS),
                "version": snapshot(version, VERSION_FIELDS),
                "terms": version.engine_terms(),
            },
        )
    return plan
