"""Claims (互助金申领, SPEC §8) and payout batches (给付批次, SPEC §10).

- ``IncidentReport`` (报案): member, event kind, event date, a short description; the
  report deadline is computed from the plan's terms and the tenant's work calendar
  (遇节假日顺延). A late report waits for a reviewer who accepts it only with a reason.
  A report may name the first report of the same incident (``same_incident_as``).
- ``Claim`` (申领): one per accepted report: the facts the plan's formulas read, the
  payee, the documents; assessed by the plans engine against the policy in force on the
  event date (the assessment is stored with the claim), then reviewed. Four-eyes above
  the tenant's threshold; the filer never approves. ``decisions`` keeps every step.
- ``ClaimDocument``: files checked by content (PDF/JPEG/PNG), stored under
  ``PRIVATE_MEDIA_ROOT`` (never served by the web server) and read through scoped views.
- ``PayoutBatch`` / ``PayoutLine``: approved, unpaid claims gathered by office; finance
  (not the builder) approves; lines are marked paid or failed.

Paid once (SPEC §10), in the database:
- a partial unique index lets a claim sit on at most one *live* payout line (pending or
  paid) — two builders, two workers or a double click cannot put it in two batches;
- a second partial unique index allows one *paid* line per claim, ever;
- a check constraint ties the claim's state to its money: a paid claim has its paid
  amount and date, and only a paid claim has them;
- services move states with conditional UPDATEs (``WHERE status = …``), so a retry that
  comes second changes nothing.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mutualaid.tenancy.base import TenantForeignKey, TenantModel, TenantOneToOneField, tenant_key
from mutualaid.tenancy.scoping import ScopedQuerySet

MONEY = {"max_digits": 14, "decimal_places": 2}


class ReportStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    LATE = "late", _("Late: awaiting a reviewer")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Late report refused")


class IncidentReport(TenantModel):
    """An incident reported for a covered member (报案)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    #: The member's unit node: subtree scoping.
    organisation = TenantForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    member = TenantForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("member")
    )
    plan = TenantForeignKey(
        "plans.Plan", on_delete=models.PROTECT, related_name="+", verbose_name=_("plan")
    )
    number = models.CharField(_("report number"), max_length=30)
    event_kind = models.CharField(_("event"), max_length=30)
    cause = models.CharField(_("cause"), max_length=30, blank=True)
    event_date = models.DateField(_("event date (or diagnosis)"))
    description = models.TextField(_("what happened"), max_length=2000)
    reported_on = models.DateField(_("reported on"))
    #: Last day to report (SPEC §9); ``deadline_provisional``: the calendar of that year
    #: was missing, Monday–Friday was assumed.
    deadline = models.DateField(_("report deadline"))
    deadline_provisional = models.BooleanField(default=False)
    late = models.BooleanField(_("late"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.REPORTED
    )
    #: Who reported it (报案人) when not the staff user: the member, the family …
    reporter_name = models.CharField(_("reported by (name)"), max_length=100, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=30, blank=True)
    late_reason = models.TextField(_("reason for accepting the late report"), blank=True)
    late_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: The first report of the same incident (a death after the disability of one accident):
    #: an earlier report of the same member. Always the incident's first report, so every
    #: report of one incident names the same one; the assessment deducts what was granted
    #: on them as the engine does within one report (SPEC §3 modifiers).
    same_incident_as = TenantForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("same incident as report"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: Reported by the member themselves (self-service, issue 17): shown to the agent and
    #: the reviewer, and in their inboxes.
    by_member = models.BooleanField(_("reported by the member"), default=False, db_default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "organisation"

    class Meta:
        verbose_name = _("incident report")
        verbose_name_plural = _("incident reports")
        constraints = [
            tenant_key(),
            models.UniqueConstraint(fields=["tenant", "number"], name="report_number_once"),
            models.CheckConstraint(
                condition=Q(late=False) | ~Q(status="accepted") | ~Q(late_reason=""),
                name="late_report_accepted_with_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-created_at", "-id"], name="report_org_new_idx"),
            models.Index(
                fields=["tenant", "status", "-created_at", "-id"], name="report_status_idx"
            ),
            # The inbox's member-filed reports: the few of them, newest first.
            models.Index(
                fields=["tenant", "-created_at", "-id"],
                name="report_by_member_idx",
                condition=Q(by_member=True),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    SUBMITTED = "submitted", _("Awaiting review")
    DOCUMENTS_REQUESTED = "documents", _("Documents requested")
    INVESTIGATION = "investigation", _("Under investigation")
    SECOND_APPROVAL = "second", _("Awaiting second approval")
    APPROVED = "approved", _("Approved, to be paid")
    IN_BATCH = "in_batch", _("In a payout batch")
    PAID = "paid", pgettext_lazy("claim", "Paid")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired (not applied in time)")


#: What a reviewer works on (the queue).
REVIEW_STATUSES = (ClaimStatus.SUBMITTED, ClaimStatus.INVESTIGATION, ClaimStatus.SECOND_APPROVAL)
#: What the agent may still edit and submit.
EDITABLE_STATUSES = (ClaimStatus.DRAFT, ClaimStatus.DOCUMENTS_REQUESTED)
#: Approved and not paid yet: what a payout batch gathers, and what the payout limit watches.
PAYABLE_STATUSES = (ClaimStatus.APPROVED,)
#: Finished.
CLOSED_STATUSES = (ClaimStatus.PAID, ClaimStatus.REJECTED, ClaimStatus.EXPIRED)


class PayeeRelation(models.TextChoices):
    SELF = "self", _("The member")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    OTHER = "other", _("Other next of kin")


class Claim(TenantModel):
    """An application for mutual-aid money (互助金申领) on one incident report."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    organisation = TenantForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    report = TenantOneToOneField(
        IncidentReport, on_delete=models.PROTECT, related_name="claim", verbose_name=_("report")
    )
    member = TenantForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("member")
    )
    #: The member's name, copied (kept in step by ``members.services.member_update``) so a
    #: name search walks the queue's own index and reads the name in the row, instead of
    #: probing the member of every claim (a broad prefix matched 100,000 members).
    member_name = models.CharField(
        _("member's name"), max_length=50, db_collation="C", default="", db_default=""
    )
    plan = TenantForeignKey(
        "plans.Plan", on_delete=models.PROTECT, related_name="+", verbose_name=_("plan")
    )
    #: The policy in force on the event date (found at assessment; None: there was none).
    policy = TenantForeignKey(
        "enrolment.Policy", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    number = models.CharField(_("claim number"), max_length=30)
    status = models.CharField(
        _("status"), max_length=13, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT
    )
    # Copied from the report (indexed, filtered on).
    event_kind = models.CharField(_("event"), max_length=30)
    event_date = models.DateField(_("event date"))
    condition = models.CharField(_("condition"), max_length=60, blank=True)
    cause = models.CharField(_("cause"), max_length=30, blank=True)
    #: The facts the formulas read (self_paid, hospital_days …) as strings; exclusion codes.
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    exclusions = models.JSONField(_("exclusions found"), default=list, blank=True)
    #: Last day to apply (the plan's claim expiry from the event date).
    expires_on = models.DateField(_("apply by"))
    reminded_30 = models.BooleanField(default=False)
    reminded_7 = models.BooleanField(default=False)

    # Payee (收款人) and account.
    payee_name = models.CharField(_("payee"), max_length=100, blank=True)
    payee_relation = models.CharField(
        _("relation to the member"),
        max_length=10,
        choices=PayeeRelation.choices,
        default=PayeeRelation.SELF,
    )
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("account number"), max_length=34, blank=True)

    # Assessment (the engine's output, kept as it was shown to the reviewer).
    assessment = models.JSONField(_("assessment"), null=True, blank=True)
    assessed_amount = models.DecimalField(_("assessed"), null=True, blank=True, **MONEY)
    assessed_at = models.DateTimeField(null=True, blank=True)
    needs_four_eyes = models.BooleanField(_("needs a second approver"), default=False)

    # Review.
    approved_amount = models.DecimalField(_("approved"), null=True, blank=True, **MONEY)
    adjustment_reason = models.TextField(_("reason for the adjustment"), blank=True)
    first_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    second_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    #: Last day to pay: approval + the plan's payout limit in working days (SPEC §10, D5).
    payout_due = models.DateField(pgettext_lazy("claim", "pay by"), null=True, blank=True)
    payout_due_provisional = models.BooleanField(default=False)
    #: Set by the daily job when the payout limit is near (SPEC §10).
    near_limit = models.BooleanField(_("payout limit near"), default=False)
    decision_reason = models.TextField(_("reason"), blank=True)

    # Payment.
    paid_amount = models.DecimalField(
        pgettext_lazy("claim", "paid"), null=True, blank=True, **MONEY
    )
    paid_on = models.DateField(pgettext_lazy("claim", "paid on"), null=True, blank=True)

    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "organisation"

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            tenant_key(),
            models.UniqueConstraint(fields=["tenant", "number"], name="claim_number_once"),
            # Paid ⇔ paid amount and date are there (and nothing else has them).
            models.CheckConstraint(
                condition=(
                    Q(status="paid", paid_amount__isnull=False, paid_on__isnull=False)
                    | (~Q(status="paid") & Q(paid_amount__isnull=True, paid_on__isnull=True))
                ),
                name="claim_paid_has_money",
            ),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True) | Q(approved_amount__gte=0),
                name="claim_approved_not_negative",
            ),
            # Four-eyes: the second approver is another person.
            models.CheckConstraint(
                condition=Q(second_approver__isnull=True)
                | ~Q(second_approver=models.F("first_approver")),
                name="claim_two_different_approvers",
            ),
        ]
        indexes = [
            # Reviewer queue and search, keyset-paged: (status, submitted_at, id) per tenant
            # and per node; claim number lookups.
            models.Index(fields=["tenant", "status", "submitted_at", "id"], name="claim_queue_idx"),
            models.Index(
                fields=["organisation", "status", "submitted_at", "id"], name="claim_org_queue_idx"
            ),
            models.Index(fields=["tenant", "-created_at", "-id"], name="claim_tenant_new_idx"),
            models.Index(fields=["organisation", "-created_at", "-id"], name="claim_org_new_idx"),
            models.Index(fields=["member"], name="claim_member_idx"),
            # Name search with few matches: the matches by name, then sorted.
            models.Index(fields=["tenant", "member_name"], name="claim_member_name_idx"),
            models.Index(fields=["tenant", "status", "payout_due"], name="claim_payout_due_idx"),
            # The queue over several statuses at once ("waiting for review", "approved, not
            # paid"): walked in (submitted_at, id) order with the statuses as a filter, so a
            # page never sorts the whole set (claims.selectors.claim_list).
            models.Index(
                fields=["tenant", "submitted_at", "id"],
                name="claim_submitted_queue_idx",
                condition=Q(submitted_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def amount_to_pay(self) -> Decimal | None:
        return self.approved_amount


class ClaimDecision(TenantModel):
    """One step of a claim's review, in order (append-only; also in the audit log)."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("Submitted")
        APPROVE = "approve", _("Approved")
        FIRST_APPROVAL = "first_approval", _("Approved (first of two)")
        SECOND_APPROVAL = "second_approval", _("Approved (second)")
        REQUEST_DOCUMENTS = "request_documents", _("Documents requested")
        INVESTIGATE = "investigate", _("Sent to investigation")
        REJECT = "reject", _("Rejected")
        BATCHED = "batched", _("Put in a payout batch")
        PAID = "paid", pgettext_lazy("claim", "Paid")
        PAYMENT_FAILED = "payment_failed", _("Payment failed")
        EXPIRED = "expired", pgettext_lazy("claim", "Expired")

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    claim = TenantForeignKey(Claim, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=13, blank=True)
    to_status = models.CharField(max_length=13)
    amount = models.DecimalField(_("amount"), null=True, blank=True, **MONEY)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "claim__organisation"

    class Meta:
        verbose_name = _("claim decision")
        verbose_name_plural = _("claim decisions")
        ordering = ["claim", "at", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.action}"


class DocumentKind(models.TextChoices):
    ID_CARD = "id_card", _("ID card")
    DIAGNOSIS = "diagnosis", _("Diagnosis certificate")
    HOSPITAL = "hospital", _("Hospital admission/discharge record")
    RECEIPTS = "receipts", _("Medical bills")
    DISABILITY = "disability", _("Disability assessment")
    DEATH = "death", _("Death certificate")
    BANK = "bank", _("Bank card")
    OTHER = "other", _("Other")


class ClaimDocument(TenantModel):
    """A file supporting a claim; the bytes live outside the web root."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    claim = TenantForeignKey(Claim, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("document"), max_length=12, choices=DocumentKind.choices)
    original_name = models.CharField(_("file name"), max_length=200)
    #: Path relative to PRIVATE_MEDIA_ROOT.
    path = models.CharField(max_length=300)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: Uploaded by the member themselves (self-service, issue 17).
    by_member = models.BooleanField(_("uploaded by the member"), default=False, db_default=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "claim__organisation"

    class Meta:
        verbose_name = _("claim document")
        verbose_name_plural = _("claim documents")
        ordering = ["claim", "uploaded_at", "id"]
        indexes = [
            # The inbox's member uploads: the few of them, newest first.
            models.Index(
                fields=["tenant", "-uploaded_at", "-id"],
                name="document_by_member_idx",
                condition=Q(by_member=True),
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class BatchStatus(models.TextChoices):
    BUILT = "built", _("Built, awaiting approval")
    APPROVED = "approved", _("Approved: pay out")
    CLOSED = "closed", _("Closed")


class PayoutBatch(TenantModel):
    """Approved claims of one office gathered for one bank transfer run (给付批次)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    #: The office node that pays (the tenant's root).
    organisation = TenantForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    number = models.CharField(_("batch number"), max_length=30)
    status = models.CharField(
        _("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.BUILT
    )
    line_count = models.PositiveIntegerField(_("claims"), default=0)
    total = models.DecimalField(_("total"), default=Decimal("0.00"), **MONEY)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("built by"),
    )
    built_at = models.DateTimeField(_("built"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "organisation"

    class Meta:
        verbose_name = _("payout batch")
        verbose_name_plural = _("payout batches")
        constraints = [
            tenant_key(),
            models.UniqueConstraint(fields=["tenant", "number"], name="batch_number_once"),
            # Finance approves a batch someone else built (separation of duties).
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(built_by__isnull=True)
                | ~Q(approved_by=models.F("built_by")),
                name="batch_approver_not_builder",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "-built_at", "-id"], name="batch_tenant_new_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class LineStatus(models.TextChoices):
    PENDING = "pending", _("To be paid")
    PAID = "paid", pgettext_lazy("claim", "Paid")
    FAILED = "failed", _("Failed")


class PayoutLine(TenantModel):
    """One claim in a batch, with the payee and account as sent to the bank."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    batch = TenantForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="lines")
    claim = TenantForeignKey(Claim, on_delete=models.PROTECT, related_name="payout_lines")
    amount = models.DecimalField(_("amount"), **MONEY)
    payee_name = models.CharField(_("payee"), max_length=100)
    bank_name = models.CharField(_("bank"), max_length=100)
    bank_account = models.CharField(_("account number"), max_length=34)
    status = models.CharField(
        _("status"), max_length=8, choices=LineStatus.choices, default=LineStatus.PENDING
    )
    failure_reason = models.CharField(_("reason for failure"), max_length=300, blank=True)
    paid_on = models.DateField(pgettext_lazy("claim", "paid on"), null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "batch__organisation"

    class Meta:
        verbose_name = _("payout line")
        verbose_name_plural = _("payout lines")
        ordering = ["batch", "id"]
        constraints = [
            # A claim is on at most one live line (pending or paid) …
            models.UniqueConstraint(
                fields=["claim"],
                condition=Q(status__in=["pending", "paid"]),
                name="payout_line_one_live_per_claim",
            ),
            # … and paid at most once, ever.
            models.UniqueConstraint(
                fields=["claim"], condition=Q(status="paid"), name="payout_line_paid_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_line_positive"),
            models.CheckConstraint(
                condition=Q(status="paid", paid_on__isnull=False)
                | (~Q(status="paid") & Q(paid_on__isnull=True)),
                name="payout_line_paid_has_date",
            ),
        ]
        indexes = [
            # The work inbox (claims.inbox): failed lines to correct, the day's payouts.
            models.Index(
                fields=["tenant", "marked_at"],
                condition=Q(status="failed"),
                name="payout_line_failed_idx",
            ),
            models.Index(
                fields=["tenant", "paid_on"],
                condition=Q(status="paid"),
                name="payout_line_paid_on_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.claim_id}"
