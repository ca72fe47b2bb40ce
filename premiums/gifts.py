"""Cover gifted by a federation (赠送保障, SPEC §5, §6): the gift settles the invoice.

An invoice whose only funding party is the federation is not paid by a bank transfer from
the unit: the federation's decision is the payment. ``gift_settle`` records it as one
payment of the federation party, dated the day of the decision, so the ordinary rule
applies — the invoice is paid in full that day and the cover starts the day after (SPEC
§5) — and the certificate names the federation as the payer (the invoice's funding share).
The money between the federation and the office is booked outside the portal, as before.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from enrolment.models import EnrolmentStatus
from mutualaid.audit.services import record
from mutualaid.core.errors import DomainError
from mutualaid.tenancy.models import Role
from mutualaid.tenancy.scoping import Actor
from premiums.models import Invoice, Party, Payment, PaymentKind
from premiums.services import _bring_into_force, _copy, _lock_invoice, _settle

#: Who may give a federation's gift: its cadres and office admins.
GIVERS = (Role.CADRE, Role.OFFICE_ADMIN)


def gift_settle(*, actor: Actor, invoice: Invoice, on: dt.date) -> Invoice:
    """Settle a federation-gift invoice on ``on`` and bring its enrolment into force (cover
    from the next day). Refused unless every share of the invoice is the federation's and
    the actor is a cadre or office admin reaching that federation."""
    shares = list(invoice.shares.select_related("payer_organisation"))
    if not shares or any(s.party != Party.FEDERATION for s in shares):
        raise DomainError(
            _("Only cover gifted by a federation is settled this way."), code="not_a_gift"
        )
    payer = shares[0].payer_organisation
    if payer is None or not (actor.has_role(*GIVERS) and actor.reaches(payer)):
        raise PermissionDenied(_("You may not give this federation's gift."))
    with transaction.atomic():
        locked = _lock_invoice(invoice)
        if locked.enrolment.status != EnrolmentStatus.INVOICED:
            raise DomainError(
                _("This enrolment is not waiting for its payment."), code="not_invoiced"
            )
        if locked.amount <= 0:
            raise DomainError(_("Nothing is due on this invoice."), code="nothing_due")
        payment = Payment.objects.create(
            tenant_id=locked.tenant_id,
            organisation_id=locked.organisation_id,
            invoice=locked,
            kind=PaymentKind.PAYMENT,
            bank_reference=f"GIFT-{locked.number}",
            paid_on=on,
            amount=locked.amount - locked.paid_total,
            party=Party.FEDERATION,
            note=_("Gift of %(payer)s") % {"payer": payer.name},
            recorded_by=actor.user,
        )
        reached_on = _settle(locked)
        locked.paid_on = reached_on
        # The system takes the step (like the daily job): the gift's giver is not finance.
        problem = _bring_into_force(None, locked, reached_on) if reached_on else ""
        if problem:
            raise DomainError(problem, code="activation_refused")
        locked.save(update_fields=["paid_total", "status", "paid_on", "updated_at"])
        record(
            actor=actor,
            action="payment.gift",
            obj=locked,
            organisation=locked.organisation,
            after={
                "payment": str(payment.pk),
                "payer": payer.name,
                "paid_on": on,
                "amount": payment.amount,
                "status": locked.status,
            },
        )
    _copy(locked, invoice)
    return locked
