"""Access helpers (the object if the actor reaches its unit, else 404: missing or foreign
alike) and who may issue invoices and record money."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404

from mutualaid.tenancy.models import Organisation, Role
from mutualaid.tenancy.scoping import Actor
from premiums.models import Invoice, Payment, Renewal

_ERRORS = (ValueError, ValidationError)


def access_invoice(actor: Actor, invoice_id) -> Invoice:
    """The invoice if its unit is in the actor's subtree; else 404."""
    try:
        return (
            Invoice.objects.for_actor(actor)
            .select_related(
                "organisation", "enrolment__plan", "enrolment__plan_version", "issued_by"
            )
            .get(pk=invoice_id)
        )
    except (Invoice.DoesNotExist, *_ERRORS):
        raise Http404 from None


def access_payment(actor: Actor, payment_id) -> Payment:
    """A payment of an invoice in the actor's subtree; else 404."""
    try:
        return (
            Payment.objects.for_actor(actor)
            .select_related(
                "tenant", "invoice__organisation", "invoice__enrolment__plan", "recorded_by"
            )
            .get(pk=payment_id)
        )
    except (Payment.DoesNotExist, *_ERRORS):
        raise Http404 from None


def access_renewal(actor: Actor, renewal_id) -> Renewal:
    """A queued renewal of a unit in the actor's subtree; else 404."""
    try:
        return (
            Renewal.objects.for_actor(actor)
            .select_related("organisation", "previous__plan", "enrolment")
            .get(pk=renewal_id)
        )
    except (Renewal.DoesNotExist, *_ERRORS):
        raise Http404 from None


# --- Who may issue invoices and record money -----------------------------------------------

#: Who issues invoices and records money (SPEC §2: finance; office admins may invoice).
ISSUERS = (Role.FINANCE, Role.OFFICE_ADMIN)
CASHIERS = (Role.FINANCE,)


def can_issue(actor: Actor | None, organisation: Organisation) -> bool:
    return actor is None or (actor.has_role(*ISSUERS) and actor.reaches(organisation))


def can_record_payment(actor: Actor, organisation: Organisation) -> bool:
    return actor.has_role(*CASHIERS) and actor.reaches(organisation)
