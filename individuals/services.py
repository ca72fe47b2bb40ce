"""Individual applications: a person applies; the federation's cadre approves or refuses
in batches (issue 17.4). Keyword-only, one transaction each, audited.

    application_submit(*, federation, version_id, name, id_number, phone, occupation,
                       platform) -> IndividualApplication        (the public page)
    applications_approve(*, actor, ids) -> list[Enrolment]
    applications_refuse(*, actor, ids, reason) -> int
    decision_texts_send(*, ids) -> int                               (the task after either)

Approval goes through the enrolment rules, never around them: the federation's
"individual members" unit (``IndividualsUnit``, made on first use) gets one new enrolment
per approved batch and version, its roster checked like any roster (ID numbers, age,
categories, overlapping cover, exclusive groups); the cadre's approval is the check and
acceptance (``approve_individuals``); the premiums side invoices it; a federation's gift
settles the invoice the same day (``premiums.gifts``) so the cover starts the next day
with the plan's waiting period; a member-paid version waits for finance to record the
worker's payment, like a unit's invoice.

Either decision texts the applicant (``decision_texts_send``, through the outbox once the
decision commits): approved, with the cover's period and the member pages' address to
sign in with the ID number and this phone; refused, with the cadre's reason.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from enrolment.models import Enrolment, FundingMode, Policy
from enrolment.policies import ONE_DAY
from enrolment.roster_source import roster_lines
from enrolment.services.common import RosterRejected
from enrolment.services.drafts import enrolment_create
from enrolment.services.lines import lines_import
from enrolment.services.workflow import clean_reason, take_step
from enrolment.states import COVERING_STATUSES
from individuals.access import FEDERATION_KINDS, can_decide
from individuals.models import ApplicationStatus, IndividualApplication, IndividualsUnit
from members import validation as v
from members.models import Member, MemberCategory, Ownership
from members.services import unit_create
from mutualaid.audit.services import record
from mutualaid.core.errors import DomainError
from mutualaid.notifications.services import absolute_url
from mutualaid.notifications.sms import send_sms
from mutualaid.outbox import services as outbox
from mutualaid.tenancy.models import Organisation
from mutualaid.tenancy.scoping import Actor
from plans.individuals import is_open
from plans.models import PlanVersion, VersionStatus
from plans.selectors import version_in_force
from premiums.gifts import gift_settle
from premiums.services import invoice_issue

#: Most applications decided in one click.
BATCH_MAX = 200
#: The name of a federation's unit of individually enrolled members.
UNIT_SUFFIX = " 新就业形态劳动者"


# --- What a federation offers ------------------------------------------------------------


def open_versions(federation: Organisation) -> list[PlanVersion]:
    """The versions a person may apply for at ``federation`` today: published, in force,
    opened to individuals, of a plan offered there (the office's, or a local plan of the
    federation's line). One query for the candidates, one per plan to confirm the version
    in force (a handful)."""
    today = timezone.localdate()
    candidates = (
        PlanVersion.objects.filter(
            tenant_id=federation.tenant_id,
            status=VersionStatus.PUBLISHED,
            individual_offer__open=True,
            valid_from__lte=today,
        )
        .select_related("plan__organisation")
        .order_by("plan__code", "-valid_from")
    )
    out = []
    for version in candidates:
        if not federation.path.startswith(version.plan.organisation.path):
            continue
        in_force = version_in_force(plan=version.plan, on_date=today)
        if in_force is not None and in_force.pk == version.pk:
            out.append(version)
    return out


def is_federation(node: Organisation) -> bool:
    return node.kind in FEDERATION_KINDS


# --- Applying ----------------------------------------------------------------------------


def application_submit(
    *,
    federation: Organisation,
    version_id: Any,
    name: Any,
    id_number: Any,
    phone: Any,
    occupation: Any,
    platform: Any = "",
) -> IndividualApplication:
    """A person's application (the public page, no account). Every field is checked at once
    with the messages of ``members.validation``; then the offer (occupation, platform),
    a waiting application of the same person, and cover already held in that plan."""
    problems = v.Problems()
    clean_name = problems.check(v.validate_person_name, name)
    info = problems.check(v.validate_id_number, id_number)
    clean_phone = problems.check(v.validate_phone, phone)
    if clean_phone == "" and "phone" not in problems.errors:
        problems.add(
            v.InvalidValue(
                _("Enter your mobile number: the federation calls you about your application."),
                code="phone_required",
                field="phone",
            )
        )
    versions = {str(x.pk): x for x in open_versions(federation)}
    version = versions.get(str(version_id or ""))
    if version is None:
        problems.add(
            v.InvalidValue(
                _("Choose a plan open to applications here."), code="plan_not_open", field="plan"
            )
        )
    occupation = " ".join(str(occupation or "").split())
    platform = " ".join(str(platform or "").split())
    if version is not None:
        offer = version.individual_offer
        if occupation not in offer.get("occupations", []):
            problems.add(
                v.InvalidValue(
                    _("This plan takes applications from %(list)s only.")
                    % {"list": "、".join(offer.get("occupations", []))},
                    code="occupation_not_eligible",
                    field="occupation",
                )
            )
        platforms = offer.get("platforms") or []
        if platforms and platform not in platforms:
            problems.add(
                v.InvalidValue(
                    _("Choose your platform from the list: %(list)s.")
                    % {"list": "、".join(platforms)},
                    code="platform_not_eligible",
                    field="platform",
                )
            )
    problems.raise_if_any()
    number = info.number
    if IndividualApplication.objects.filter(
        tenant_id=federation.tenant_id,
        id_number=number,
        plan_version=version,
        status=ApplicationStatus.PENDING,
    ).exists():
        raise _duplicate()
    tomorrow = timezone.localdate() + ONE_DAY
    covered = (
        Policy.objects.filter(
            tenant_id=federation.tenant_id,
            member__id_number=number,
            plan_id=version.plan_id,
            status__in=COVERING_STATUSES,
            end__gte=tomorrow,
        )
        .order_by("-end")
        .values_list("end", flat=True)
        .first()
    )
    if covered is not None:
        raise DomainError(
            _(
                "This ID number is already covered by this plan until %(end)s: apply again "
                "when that cover ends."
            )
            % {"end": covered.isoformat()},
            field="id_number",
            code="already_covered",
        )
    try:
        with transaction.atomic():
            application = IndividualApplication.objects.create(
                tenant_id=federation.tenant_id,
                organisation=federation,
                plan_version=version,
                name=clean_name,
                id_number=number,
                phone=clean_phone,
                occupation=occupation,
                platform=platform,
            )
            record(
                actor=None,
                action="individual_application.submit",
                obj=application,
                organisation=federation,
                after={
                    "name": clean_name,
                    "id_number": application.masked_id_number,
                    "occupation": occupation,
                    "platform": platform,
                    "plan": version.plan.display_name,
                },
            )
    except IntegrityError as error:
        if "individual_application_one_pending" in str(error):
            raise _duplicate() from None
        raise
    return application


def _duplicate() -> DomainError:
    return DomainError(
        _(
            "An application with this ID number for this plan is already waiting for the "
            "federation's decision: there is no need to apply again."
        ),
        field="id_number",
        code="duplicate_application",
    )


# --- Deciding ----------------------------------------------------------------------------


def _lock_pending(actor: Actor, ids) -> list[IndividualApplication]:
    """The ticked applications, locked, all pending and all the actor's to decide."""
    ids = list(dict.fromkeys(str(i) for i in ids or []))
    if not ids:
        raise DomainError(_("Tick at least one application."), code="none_chosen")
    if len(ids) > BATCH_MAX:
        raise DomainError(
            _("Decide at most %(n)d applications at once.") % {"n": BATCH_MAX},
            code="batch_too_large",
        )
    try:
        rows = list(
            IndividualApplication.objects.for_actor(actor)
            .select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("plan_version__plan", "organisation")
            .order_by("created_at", "id")
        )
    except (ValueError, ValidationError):
        rows = []
    if len(rows) != len(ids):
        raise DomainError(
            _("Some of the ticked applications are not in this list any more: reload the page."),
            code="unknown_application",
        )
    decided = [a for a in rows if a.status != ApplicationStatus.PENDING]
    if decided:
        raise DomainError(
            _("%(names)s: already decided.") % {"names": "、".join(a.name for a in decided)},
            code="already_decided",
        )
    for federation in {a.organisation_id: a.organisation for a in rows}.values():
        if not can_decide(actor, federation):
            raise PermissionDenied(_("You may not decide the applications of this federation."))
    return rows


def individuals_unit(actor: Actor, federation: Organisation):
    """The federation's unit of individual members, made on first use (a member needs a
    unit; docs/decisions.md). The federation's row is locked first, so two batches approved
    at once make one unit."""
    Organisation.objects.select_for_update().filter(pk=federation.pk).first()
    found = (
        IndividualsUnit.objects.filter(federation_id=federation.pk)
        .select_related("unit__organisation")
        .first()
    )
    if found is not None:
        return found.unit
    unit = unit_create(
        actor=actor,
        parent=federation,
        name=f"{federation.name}{UNIT_SUFFIX}",
        ownership=Ownership.NON_PUBLIC,
        code=f"{federation.code}-XJY" if federation.code else "",
    )
    IndividualsUnit.objects.create(federation=federation, tenant_id=federation.tenant_id, unit=unit)
    return unit


def applications_approve(*, actor: Actor, ids) -> list[Enrolment]:
    """Approve a batch: one enrolment per federation and version, all or nothing. A refusal
    by the enrolment rules names the applicants and why (the cadre refuses them, or fixes
    the cause, and approves the others)."""
    today = timezone.localdate()
    with transaction.atomic():
        rows = _lock_pending(actor, ids)
        groups: dict[Any, list[IndividualApplication]] = defaultdict(list)
        for application in rows:
            groups[(application.organisation_id, application.plan_version_id)].append(application)
        enrolments = []
        for group in groups.values():
            federation = group[0].organisation
            unit = individuals_unit(actor, federation)
            enrolments.append(_approve_group(actor, federation, unit, group, today))
        _tell_applicants(rows)
    return enrolments


def _approve_group(actor, federation, unit, group, today) -> Enrolment:
    version = group[0].plan_version
    offer = version.individual_offer or {}
    if not is_open(offer):
        raise DomainError(
            _("%(plan)s no longer takes individual applications.")
            % {"plan": version.plan.display_name},
            code="plan_not_open",
        )
    gift = offer.get("funding", "federation_gift") == "federation_gift"
    enrolment = enrolment_create(
        actor=actor,
        unit=unit,
        plan=version.plan,
        start_date=today + ONE_DAY,
        funding_mode=FundingMode.FEDERATION_GIFT if gift else FundingMode.MEMBER,
        note=_("Individual applications approved by %(federation)s")
        % {"federation": federation.name},
    )
    if enrolment.plan_version_id != version.pk:
        raise DomainError(
            _(
                "A newer version of %(plan)s takes effect tomorrow: ask the applicants to "
                "apply again."
            )
            % {"plan": version.plan.display_name},
            code="version_changed",
        )
    rows = [
        {
            "name": a.name,
            "id_number": a.id_number,
            "phone": a.phone,
            "category": MemberCategory.NEW_EMPLOYMENT,
            "shares": offer.get("shares", 1),
        }
        for a in group
    ]
    try:
        lines_import(actor=actor, enrolment=enrolment, rows=rows)
    except RosterRejected as refused:
        messages = [
            f"{group[e.index].name}：{e.message}" if e.index is not None else e.message
            for e in refused.report.errors
        ]
        raise DomainError("；".join(messages), code="roster_refused") from None
    enrolment = take_step(actor, enrolment, "approve_individuals")
    invoice = invoice_issue(actor=None, enrolment=enrolment)
    if gift:
        gift_settle(actor=actor, invoice=invoice, on=today)
    members = dict(
        Member.objects.filter(
            tenant_id=federation.tenant_id, id_number__in=[a.id_number for a in group]
        ).values_list("id_number", "id")
    )
    now = timezone.now()
    for application in group:
        application.status = ApplicationStatus.APPROVED
        application.decided_at, application.decided_by = now, actor.user
        application.member_id = members.get(application.id_number)
        application.enrolment = enrolment
        application.save(
            update_fields=["status", "decided_at", "decided_by", "member", "enrolment"]
        )
        record(
            actor=actor,
            action="individual_application.approve",
            obj=application,
            organisation=federation,
            before={"status": ApplicationStatus.PENDING},
            after={"status": ApplicationStatus.APPROVED, "enrolment": str(enrolment.pk)},
        )
    enrolment.refresh_from_db()
    return enrolment


def applications_refuse(*, actor: Actor, ids, reason: Any) -> int:
    """Refuse a batch with one reason, shown to the cadres and kept with each application."""
    text = clean_reason(reason, required=True)
    with transaction.atomic():
        rows = _lock_pending(actor, ids)
        now = timezone.now()
        for application in rows:
            application.status = ApplicationStatus.REFUSED
            application.reason = text
            application.decided_at, application.decided_by = now, actor.user
            application.save(update_fields=["status", "reason", "decided_at", "decided_by"])
            record(
                actor=actor,
                action="individual_application.refuse",
                obj=application,
                organisation=application.organisation,
                before={"status": ApplicationStatus.PENDING},
                after={"status": ApplicationStatus.REFUSED, "reason": text},
            )
        _tell_applicants(rows)
    return len(rows)


# --- Telling the applicants ---------------------------------------------------------------------

#: The task that texts the decisions (``individuals.tasks``; named, as services import no task).
DECISION_TEXTS_TASK = "individuals.tasks.send_decision_texts"


def _tell_applicants(rows: list[IndividualApplication]) -> None:
    """Text these decided applicants once the decision commits (the outbox row commits
    with it; a rolled-back batch texts nobody)."""
    if rows:
        outbox.enqueue(DECISION_TEXTS_TASK, str(rows[0].tenant_id), [str(a.pk) for a in rows])


def decision_text(application: IndividualApplication, premium: Decimal | None = None) -> str:
    """What the applicant reads on their phone about the decision (``premium``: their line's,
    for cover the worker pays)."""
    facts = {
        "name": application.name,
        "federation": application.organisation.name,
        "plan": application.plan_version.plan.display_name,
        "url": absolute_url(reverse("me:home")),
    }
    if application.status == ApplicationStatus.REFUSED:
        return _(
            "%(name)s, %(federation)s did not approve your application for %(plan)s: "
            "%(reason)s. Questions: ask %(federation)s."
        ) % {**facts, "reason": application.reason}
    enrolment = application.enrolment
    if enrolment.funding_mode == FundingMode.MEMBER:
        # Cover starts the day after finance records the worker's payment (premiums).
        return _(
            "%(name)s, %(federation)s approved your application for %(plan)s. Pay "
            "¥%(amount)s (ask %(federation)s how): cover starts the day after your payment is "
            "recorded, in full once the waiting period is over. Sign in at %(url)s with your "
            "ID number and this phone to see your cover."
        ) % {**facts, "amount": premium}
    return _(
        "%(name)s, %(federation)s approved your application for %(plan)s: cover from "
        "%(start)s to %(end)s (in full once the waiting period is over). Sign in at %(url)s "
        "with your ID number and this phone to see your cover, report an incident and "
        "follow a claim."
    ) % {
        **facts,
        "start": enrolment.start_date.isoformat(),
        "end": enrolment.end_date.isoformat(),
    }


def decision_texts_send(*, ids) -> int:
    """Text the decision to each of these applicants not told yet: at most once each (the
    rows are claimed under a lock, SKIP LOCKED, and marked in the same transaction), so a
    task delivered twice sends nothing more. Returns how many messages went."""
    sent = 0
    with transaction.atomic():
        rows = list(
            IndividualApplication.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=[str(i) for i in ids], told_at__isnull=True)
            .exclude(status=ApplicationStatus.PENDING)
            .select_related("organisation", "plan_version__plan", "enrolment")
            .order_by("created_at", "id")
        )
        # Each worker who pays is told their line's premium: one query per such enrolment of
        # the batch (one per federation and version).
        premiums: dict[tuple[Any, Any], Decimal] = {}
        paying = {
            a.enrolment_id: a.enrolment
            for a in rows
            if a.enrolment and a.enrolment.funding_mode == FundingMode.MEMBER
        }
        for enrolment in paying.values():
            members = [a.member_id for a in rows if a.enrolment_id == enrolment.pk]
            for member_id, premium in (
                roster_lines(enrolment)
                .filter(member_id__in=members)
                .values_list("member_id", "premium")
            ):
                premiums[(enrolment.pk, member_id)] = premium
        now = timezone.now()
        # In the portal's language (Chinese), whatever the worker or caller has active.
        with translation.override(settings.LANGUAGE_CODE):
            texts = [
                (a.phone, decision_text(a, premiums.get((a.enrolment_id, a.member_id))))
                for a in rows
            ]
        for application, (phone, text) in zip(rows, texts, strict=True):
            sent += send_sms(phone, text)
            application.told_at = now
            application.save(update_fields=["told_at"])
    return sent
