"""Units (参保单位) and members (会员) of a tenant.

A unit IS a leaf node of the organisation tree (kind ``unit``) plus its registration
data: ``Unit``'s primary key is its organisation, so ``/units/<id>/`` and
``/org/<id>/`` name the same UUID and the tree stays the one place for names and
scoping. A member belongs to one unit; ``Member.organisation`` repeats the unit's node
(a check constraint keeps the two equal) so subtree reads filter on the node's path
with no extra join through ``Unit``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from members import validation
from mutualaid.core.cleaning import mask_id_number
from mutualaid.tenancy.base import TenantForeignKey, TenantModel, TenantOneToOneField, tenant_key
from mutualaid.tenancy.scoping import ScopedQuerySet


class Ownership(models.TextChoices):
    STATE_OWNED = "state_owned", _("State-owned")
    COLLECTIVE = "collective", _("Collective")
    NON_PUBLIC = "non_public", _("Non-public")
    PUBLIC_SECTOR = "public_sector", _("Government agency or public institution")


class Industry(models.TextChoices):
    """Sections of the national industry classification GB/T 4754-2017 (codes are its letters),
    so coverage rates by industry add up across units."""

    AGRICULTURE = "A", _("Agriculture, forestry, animal husbandry and fishery")
    MINING = "B", _("Mining")
    MANUFACTURING = "C", _("Manufacturing")
    UTILITIES = "D", _("Electricity, heat, gas and water supply")
    CONSTRUCTION = "E", _("Construction")
    TRADE = "F", _("Wholesale and retail trade")
    TRANSPORT = "G", _("Transport, storage and postal services")
    HOSPITALITY = "H", _("Accommodation and catering")
    INFORMATION = "I", _("Information transmission, software and IT services")
    FINANCE = "J", _("Financial industry")
    REAL_ESTATE = "K", _("Real estate")
    BUSINESS_SERVICES = "L", _("Leasing and business services")
    RESEARCH = "M", _("Scientific research and technical services")
    ENVIRONMENT = "N", _("Water conservancy, environment and public facilities management")
    RESIDENT_SERVICES = "O", _("Resident services, repair and other services")
    EDUCATION = "P", _("Education")
    HEALTH = "Q", _("Health and social work")
    CULTURE = "R", _("Culture, sports and entertainment")
    PUBLIC_ADMINISTRATION = (
        "S",
        _("Public administration, social security and social organisations"),
    )
    INTERNATIONAL = "T", _("International organisations")


class Sex(models.TextChoices):
    MALE = validation.Sex.MALE, _("Male")
    FEMALE = validation.Sex.FEMALE, _("Female")


class MemberCategory(models.TextChoices):
    """The codes of the engine's eligibility rules (plans.rules.vocab.MEMBER_CATEGORIES)."""

    WORKER = "worker", _("Worker")
    MIGRANT_WORKER = "migrant_worker", _("Migrant worker")
    NEW_EMPLOYMENT = "new_employment", _("New forms of employment")
    UNION_CADRE = "union_cadre", _("Union cadre")


class EmploymentStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    RETIRED = "retired", _("Retired")
    LEFT = "left", _("Left the employer")
    DIED = "died", _("Deceased")


class Unit(TenantModel):
    """A unit union's registration data; its name and place in the tree are its organisation's."""

    organisation = TenantOneToOneField(
        "tenancy.Organisation",
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="unit",
        verbose_name=_("organisation"),
    )
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.PROTECT, related_name="+")
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    ownership = models.CharField(_("ownership"), max_length=20, choices=Ownership.choices)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices, blank=True)
    union_member_count = models.PositiveIntegerField(
        _("union members"),
        default=0,
        help_text=_("Headcount of union members, for coverage rates."),
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "organisation"

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            tenant_key("organisation"),
            models.UniqueConstraint(
                fields=["tenant", "credit_code"],
                condition=~models.Q(credit_code=""),
                name="unit_credit_code_unique_per_tenant",
            ),
            models.CheckConstraint(
                condition=models.Q(credit_code="") | models.Q(credit_code__regex=r"^[0-9A-Z]{18}$"),
                name="unit_credit_code_shape",
            ),
            models.CheckConstraint(
                condition=models.Q(bank_account="")
                | models.Q(bank_account__regex=r"^[0-9]{8,30}$"),
                name="unit_bank_account_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def name(self) -> str:
        return self.organisation.name


class Member(TenantModel):
    """A person, once per tenant (unique ID number). Sex and birth date come from the ID number."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The tenant and organisation columns lead the composite indexes below; single-column
    # indexes on them would only slow down bulk loads of 5M rows.
    # No key of its own: the composite keys (…, tenant_id) → parent (id, tenant_id) already
    # prove the tenant exists, and one deferred check fewer per row counts on bulk writes
    # (roster import, renewals; docs/benchmarks.md "Tenancy in the database").
    tenant = models.ForeignKey(
        "tenancy.Tenant",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    unit = TenantForeignKey(
        Unit, on_delete=models.PROTECT, related_name="members", verbose_name=_("unit")
    )
    # Always the unit's node (see the check constraint): subtree scoping on the node's path.
    # No composite key of its own: = unit (check constraint), whose key → the unit, whose
    # own key is its organisation's; one deferred check fewer per member written (issue 19).
    organisation = TenantForeignKey(
        "tenancy.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        implied_by="unit",
    )
    # Byte ("C") collation: one index serves ORDER BY name and LIKE 'prefix%' alike, under
    # any database locale; Chinese names then sort by code point (radical and stroke).
    name = models.CharField(_("full name"), max_length=validation.NAME_MAX_LENGTH, db_collation="C")
    id_number = models.CharField(_("ID number"), max_length=18)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=MemberCategory.choices, default=MemberCategory.WORKER
    )
    employment_status = models.CharField(
        _("employment status"),
        max_length=12,
        choices=EmploymentStatus.choices,
        default=EmploymentStatus.IN_SERVICE,
    )
    is_union_member = models.BooleanField(_("union member"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "organisation"

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            tenant_key(),
            # A person exists once per tenant; also the index for exact ID look-ups.
            models.UniqueConstraint(
                fields=["tenant", "id_number"], name="member_id_number_unique_per_tenant"
            ),
            models.CheckConstraint(
                condition=models.Q(unit=models.F("organisation")),
                name="member_organisation_is_its_unit",
            ),
            models.CheckConstraint(
                condition=models.Q(id_number__regex=r"^[0-9]{17}[0-9X]$"),
                name="member_id_number_shape",
            ),
            models.CheckConstraint(condition=models.Q(name__gt=""), name="member_has_a_name"),
        ]
        indexes = [
            # A unit's members by name (keyset: name, id).
            models.Index(fields=["organisation", "name", "id"], name="member_org_name_idx"),
            # Search across a subtree by name prefix, and the subtree list by name.
            models.Index(fields=["tenant", "name", "id"], name="member_tenant_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class MemberTransfer(TenantModel):
    """One move of a member from a unit to another (转会). Append-only history.

    Visible to whoever reaches the member now: the old unit's agent loses sight of the
    member and their history together."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.PROTECT, related_name="+")
    member = TenantForeignKey(
        Member, on_delete=models.PROTECT, related_name="transfers", db_index=False
    )
    from_unit = TenantForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("from unit")
    )
    to_unit = TenantForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("to unit")
    )
    date = models.DateField(_("transfer date"))
    reason = models.CharField(_("reason"), max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "member__organisation"

    class Meta:
        verbose_name = _("member transfer")
        verbose_name_plural = _("member transfers")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_unit=models.F("to_unit")), name="member_transfer_moves"
            ),
        ]
        indexes = [
            models.Index(fields=["member", "date", "created_at"], name="member_transfer_member_idx")
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.date}"


# The member self-service's codes live in their own module (members/selfservice/).
from members.selfservice.models import CodePurpose, OneTimeCode  # noqa: E402, F401
