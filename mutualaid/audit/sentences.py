"""The audit log read as sentences: "财务 王五 将给付批次 GF2026000003 登记为已给付".

One renderer for every place that shows audit events (the audit log page, the home page's
recent activity): an event's action code (``claim.batch_paid``) picks a sentence; the
actor reads as their role and name; the object as its kind and the text stored with the
event; the before/after pictures as "field: before → after" with the words of the model's
own fields and choices (found through the app registry, so the kernel imports no app).

A new audit action needs its sentence here: ``tests/audit/test_sentences.py`` reads the
source for every action written and fails on one without a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from mutualaid.tenancy.models import Role

#: How a role is named before a person's name in a sentence ("财务 王五").
ROLE_WORDS = {
    Role.OFFICE_ADMIN: pgettext_lazy("role before a name", "Administrator"),
    Role.REVIEWER: pgettext_lazy("role before a name", "Reviewer"),
    Role.FINANCE: pgettext_lazy("role before a name", "Finance"),
    Role.AUDITOR: pgettext_lazy("role before a name", "Auditor"),
    Role.CADRE: pgettext_lazy("role before a name", "Cadre"),
    Role.AGENT: pgettext_lazy("role before a name", "Agent"),
}

#: Which role speaks for a person who has several, by the start of the action.
ROLE_OF_ACTION = (
    ("claim.batch", Role.FINANCE),
    ("claim.paid", Role.FINANCE),
    ("claim.payment_failed", Role.FINANCE),
    ("claim.payee_corrected", Role.FINANCE),
    ("payment.gift", Role.CADRE),
    ("payment.", Role.FINANCE),
    ("invoice.", Role.FINANCE),
    ("claim.", Role.REVIEWER),
    ("enrolment.check", Role.CADRE),
    ("enrolment.approve_individuals", Role.CADRE),
    ("individual_application.", Role.CADRE),
    ("stats.return", Role.CADRE),
    ("enrolment.", Role.AGENT),
)

#: action → sentence (lazy: read when shown, in the reader's language). %(who)s: role and
#: name; %(what)s: the object's kind and its text.
SENTENCES = {
    # claims
    "claim.reported": _("%(who)s recorded %(what)s"),
    "claim.late_report_accepted": _("%(who)s accepted the late %(what)s"),
    "claim.late_report_refused": _("%(who)s refused the late %(what)s"),
    "claim.updated": _("%(who)s changed the application of %(what)s"),
    "claim.document_added": _("%(who)s added a document to %(what)s"),
    # member self-service (issue 17): the member acted, not a staff user
    "claim.reported_by_member": _("The member reported %(what)s themselves"),
    "claim.document_added_by_member": _("The member added a document to %(what)s themselves"),
    "member.signed_in": _("%(what)s signed in to the member service"),
    "member.sign_in_locked": _("The sign-in code of %(what)s was locked after wrong tries"),
    "member.phone_changed": _("%(what)s changed their mobile number"),
    "claim.submit": _("%(who)s submitted %(what)s"),
    "claim.approve": _("%(who)s approved %(what)s"),
    "claim.first_approval": _("%(who)s gave %(what)s its first approval"),
    "claim.second_approval": _("%(who)s gave %(what)s its second approval"),
    "claim.request_documents": _("%(who)s asked for documents for %(what)s"),
    "claim.investigate": _("%(who)s sent %(what)s to investigation"),
    "claim.reject": _("%(who)s rejected %(what)s"),
    "claim.reassessed": _("%(who)s assessed %(what)s again"),
    "claim.batched": _("%(who)s put %(what)s in a payout batch"),
    "claim.paid": _("%(who)s recorded %(what)s as paid"),
    "claim.payment_failed": _("%(who)s recorded the payment of %(what)s as failed"),
    "claim.payee_corrected": _("%(who)s corrected the payee of %(what)s"),
    "claim.expired": _("%(who)s recorded %(what)s as expired"),
    "claim.batch_built": _("%(who)s built %(what)s"),
    "claim.batch_approved": _("%(who)s approved %(what)s"),
    "claim.batch_paid": _("%(who)s recorded %(what)s as paid"),
    "policy.end": _("%(who)s ended %(what)s early"),
    # enrolment and premiums
    "enrolment.create": _("%(who)s created %(what)s"),
    "enrolment.update": _("%(who)s changed the funding of %(what)s"),
    "enrolment.lines_import": _("%(who)s added members to %(what)s"),
    "enrolment.line_update": _("%(who)s changed a member's line of %(what)s"),
    "enrolment.line_remove": _("%(who)s removed a member from %(what)s"),
    "enrolment.submit": _("%(who)s submitted %(what)s"),
    "enrolment.check": _("%(who)s checked %(what)s"),
    "enrolment.accept": _("%(who)s accepted %(what)s"),
    "enrolment.send_back": _("%(who)s sent back %(what)s"),
    "enrolment.cancel": _("%(who)s cancelled %(what)s"),
    "enrolment.invoice": _("%(who)s invoiced %(what)s"),
    "enrolment.bring_into_force": _("%(who)s brought %(what)s into force"),
    "enrolment.renewal_prepared": _("%(who)s prepared the renewal %(what)s"),
    "enrolment.roster_export_full_ids": _(
        "%(who)s exported a roster with whole ID numbers (%(what)s)"
    ),
    "renewal.prepare": _("%(who)s prepared the renewal of %(what)s"),
    "invoice.issue": _("%(who)s issued %(what)s"),
    "invoice.activate": _("%(who)s brought the enrolment of %(what)s into force"),
    "payment.record": _("%(who)s recorded a payment for %(what)s"),
    "payment.refund": _("%(who)s recorded a refund for %(what)s"),
    "payment.gift": _("%(who)s settled %(what)s as the federation's gift"),
    # individual applications (issue 17.4)
    "individual_application.submit": _("%(who)s received %(what)s on the public page"),
    "individual_application.approve": _("%(who)s approved %(what)s"),
    "individual_application.refuse": _("%(who)s refused %(what)s"),
    "enrolment.approve_individuals": _("%(who)s approved the individual applications of %(what)s"),
    # members and the organisation
    "member.create": _("%(who)s registered %(what)s"),
    "member.bulk_create": _("%(who)s registered members from a roster (%(what)s)"),
    "member.update": _("%(who)s changed %(what)s"),
    "member.transfer": _("%(who)s transferred %(what)s"),
    "unit.create": _("%(who)s added %(what)s"),
    "unit.update": _("%(who)s changed %(what)s"),
    "organisation.create": _("%(who)s added %(what)s"),
    "api_token.create": _("%(who)s created the API token %(what)s"),
    "api_token.revoke": _("%(who)s revoked the API token %(what)s"),
    "service_account.create": _("%(who)s added the service account %(what)s"),
    "organisation.update": _("%(who)s changed %(what)s"),
    "staff.create": _("%(who)s added %(what)s"),
    "staff.update": _("%(who)s changed %(what)s"),
    "staff.move_out": _("%(who)s moved %(what)s out of the organisation"),
    "tenant.create": _("%(who)s created %(what)s"),
    # plans
    "plan.create": _("%(who)s created %(what)s"),
    "plan.update": _("%(who)s changed %(what)s"),
    "plan.import": _("%(who)s imported %(what)s"),
    "plan_version.create": _("%(who)s created %(what)s"),
    "plan_version.update": _("%(who)s changed %(what)s"),
    "plan_version.delete": _("%(who)s deleted %(what)s"),
    "plan_version.copy": _("%(who)s copied %(what)s to a new version"),
    "plan_version.publish": _("%(who)s published %(what)s"),
    "benefit_item.create": _("%(who)s added %(what)s"),
    "benefit_item.update": _("%(who)s changed %(what)s"),
    "benefit_item.delete": _("%(who)s deleted %(what)s"),
    # calendar and statistics
    "calendar.seed": _("%(who)s loaded the public holidays for %(what)s"),
    "calendar.day.update": _("%(who)s changed %(what)s in the work calendar"),
    "calendar.day.delete": _("%(who)s removed %(what)s from the work calendar"),
    "calendar.year.confirm": _("%(who)s confirmed the work calendar year %(what)s"),
    "calendar.year.unconfirm": _("%(who)s reopened the work calendar year %(what)s"),
    "calendar.reminder.sent": _("%(who)s sent the work calendar reminder (%(what)s)"),
    "stats.return.prepare": _("%(who)s prepared %(what)s"),
    "stats.return.refill": _("%(who)s filled %(what)s again from the data"),
    "stats.return.submit": _("%(who)s submitted %(what)s"),
    "stats.return.accept": _("%(who)s accepted %(what)s"),
    "stats.return.send_back": _("%(who)s sent back %(what)s"),
    "stats.return.overdue": _("%(who)s recorded %(what)s as overdue"),
    "stats.return_settings.update": _("%(who)s changed the due day of the returns (%(what)s)"),
}

#: Words of the keys services write in pictures that are not fields of the object's model.
KEY_WORDS = {
    "amount": pgettext_lazy("audit picture", "amount"),
    "by": pgettext_lazy("audit picture", "done by"),
    "claim": pgettext_lazy("audit picture", "claim"),
    "claims": pgettext_lazy("audit picture", "claims"),
    "days_added": pgettext_lazy("audit picture", "days added"),
    "document": pgettext_lazy("audit picture", "document"),
    "lines": pgettext_lazy("audit picture", "lines"),
    "members_created": pgettext_lazy("audit picture", "members registered"),
    "paid_on": pgettext_lazy("audit picture", "paid on"),
    "payment": pgettext_lazy("audit picture", "payment"),
    "policies": pgettext_lazy("audit picture", "policies"),
    "reason": pgettext_lazy("audit picture", "reason"),
    "rows": pgettext_lazy("audit picture", "rows"),
    "rows_refused": pgettext_lazy("audit picture", "rows refused"),
    "size": pgettext_lazy("audit picture", "size (bytes)"),
    "status": pgettext_lazy("audit picture", "status"),
    "total": pgettext_lazy("audit picture", "total"),
    "years": pgettext_lazy("audit picture", "years"),
    "years_added": pgettext_lazy("audit picture", "years added"),
    "dropped": pgettext_lazy("audit picture", "dropped"),
    "deadline": pgettext_lazy("audit picture", "deadline"),
    "premium": pgettext_lazy("audit picture", "premium"),
    "member": pgettext_lazy("audit picture", "member"),
    "bank_account": pgettext_lazy("audit picture", "bank account"),
    "bank_name": pgettext_lazy("audit picture", "bank"),
    "name": pgettext_lazy("audit picture", "name"),
    "note": pgettext_lazy("audit picture", "note"),
    "payer": pgettext_lazy("audit picture", "payer"),
}
#: Values the services write for who did a thing without a person.
BY_WORDS = {
    "job": _("the scheduled job"),
    "user": _("a user"),
    "daily job": _("the daily job"),
    "renewal job": _("the renewal job"),
}
#: Long or technical pictures (plan terms, ids) are not spelled out in the list.
HIDDEN_KEYS = {
    "terms",
    "facts",
    "organisation",
    "plan",
    "plan_version",
    "previous",
    "id",
    "member",
    "payment",
}
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

#: Words of coded values an app keeps outside its fields' choices (the claims' event
#: kinds and causes live in the benefit engine's vocabulary): key → {code: word}.
VALUE_WORDS: dict[str, dict] = {}


def register_value_words(key: str, words: dict) -> None:
    """Called by an app at start-up (``AppConfig.ready``) for the codes it writes."""
    VALUE_WORDS[key] = words


def who(event) -> str:
    """The actor as "财务 王五"; the system when no person did it."""
    user = event.actor
    if user is None:
        return gettext("the system")
    roles = list(getattr(getattr(user, "staff", None), "roles", None) or [])
    role = None
    for prefix, preferred in ROLE_OF_ACTION:
        if event.action.startswith(prefix) and preferred in roles:
            role = preferred
            break
    if role is None and roles:
        role = roles[0]
    name = str(user)
    return f"{ROLE_WORDS[role]} {name}" if role in ROLE_WORDS else name


def _model(event):
    try:
        return apps.get_model(event.object_type)
    except (LookupError, ValueError):
        return None


def what(event) -> str:
    model = _model(event)
    noun = str(model._meta.verbose_name) if model is not None else ""
    return f"{noun} {event.object_repr}".strip()


def sentence(event) -> str:
    template = SENTENCES.get(event.action)
    if template is None:
        # Never the code: a sentence-less action still reads as who did something to what.
        template = _("%(who)s worked on %(what)s")
    return str(template) % {"who": who(event), "what": what(event)}


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def _field(model, key: str):
    if model is None:
        return None
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    return field if field.concrete else None  # a reverse relation is no column of ours


def _value(field, key: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if key == "by" and str(value) in BY_WORDS:
        return str(BY_WORDS[str(value)])
    if field is not None and getattr(field, "choices", None):
        labels = {str(code): label for code, label in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if key in VALUE_WORDS and str(value) in VALUE_WORDS[key]:
        return str(VALUE_WORDS[key][str(value)])
    money = field is not None and field.get_internal_type() == "DecimalField"
    if isinstance(value, list):
        return "、".join(_value(None, key, item) for item in value[:20]) + (
            "……" if len(value) > 20 else ""
        )
    if isinstance(value, dict):
        return "…"
    if isinstance(value, str) and (money or key in {"amount", "total", "premium", "paid_total"}):
        try:
            return f"¥{Decimal(value):,.2f}"
        except InvalidOperation:
            return value
    text = str(value)
    return text if len(text) <= 120 else text[:118] + "……"


def changes(event) -> list[Change]:
    """The pictures as "field: before → after", in the fields' words; ids and long
    technical pictures left out (they are in the admin's raw view)."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    model = _model(event)
    out = []
    for key in dict.fromkeys([*before, *after]):
        if key in HIDDEN_KEYS:
            continue
        field = _field(model, key)
        if field is not None and getattr(field, "is_relation", False):
            continue  # an id: the sentence names the object
        if field is not None:
            label = str(field.verbose_name)
        elif key in KEY_WORDS:
            label = str(KEY_WORDS[key])
        else:
            continue
        old = _value(field, key, before.get(key)) if key in before else ""
        new = _value(field, key, after.get(key)) if key in after else ""
        if old == new or _UUID.match(old) or _UUID.match(new):
            continue
        out.append(Change(label=label, before=old, after=new))
    return out


def describe(events) -> list:
    """Each event with ``.sentence`` and ``.changes`` set (for templates)."""
    for event in events:
        event.sentence = sentence(event)
        event.changes = changes(event)
    return events
