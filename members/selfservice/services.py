"""Sign-in with a one-time code, and the phone change.

Which tenants: a person may be a member of several offices (the ID number is unique per
tenant). Before any tenant is known, row-level security shows no member, so the tenants
holding an ID number come from ``mutualaid_member_tenants(id_number)`` — a SECURITY
DEFINER function answering tenant ids only (``register_lookup``, members/apps.py). Each
tenant is then read in its own scope: the member there, their phone on file compared
with the number typed. One code goes to the number for every tenant that matched; the
member picks the office after the code is right when more than one did.

Same answer, same work: whether the ID number is known, the phone right, a code too
soon or the member locked, ``request_code`` answers nothing the caller shows — it sends
or not — and hashes a code either way.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member
from members.selfservice import codes
from members.selfservice.models import CodePurpose, OneTimeCode
from members.validation import validate_id_number
from mutualaid.audit.services import record
from mutualaid.core.errors import DomainError
from mutualaid.notifications.sms import clean_mobile, send_sms
from mutualaid.tenancy.context import tenant_scope

LOOKUP = "mutualaid_member_tenants"
#: The function's body: one probe of the unique (tenant, id_number) index per tenant.
LOOKUP_SQL = (
    "SELECT t.id FROM tenancy_tenant t WHERE EXISTS (SELECT 1 FROM members_member m "
    "WHERE m.tenant_id = t.id AND m.id_number = p_key) ORDER BY t.id"
)


def register_lookup() -> None:
    from mutualaid.tenancy.rls import register_tenant_set_lookup

    register_tenant_set_lookup(LOOKUP, "text", LOOKUP_SQL)


def clean_id_number(raw) -> str:
    """The ID number as stored ("x" → "X", spaces dropped); "" when it is not one (the
    caller answers as for an unknown one: its shape says nothing about who exists)."""
    text = str(raw or "").strip().upper().replace(" ", "")
    try:
        return validate_id_number(text).number
    except Exception:  # noqa: BLE001 - any invalid number is simply unknown
        return ""


def member_tenants(id_number: str) -> list[uuid.UUID]:
    if not id_number:
        return []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT t FROM {LOOKUP}(%s) t", [id_number])
        return [row[0] for row in cursor.fetchall()]


@dataclass(frozen=True)
class Match:
    tenant_id: uuid.UUID
    member_id: uuid.UUID

    def as_json(self) -> list[str]:
        return [str(self.tenant_id), str(self.member_id)]

    @classmethod
    def from_json(cls, value) -> Match:
        return cls(uuid.UUID(value[0]), uuid.UUID(value[1]))


def find_members(id_number: str, phone: str) -> list[Match]:
    """The members with this ID number whose phone on file is ``phone``, one per tenant."""
    id_number, phone = clean_id_number(id_number), clean_mobile(phone)
    found = []
    for tenant_id in member_tenants(id_number):
        with tenant_scope(tenant_id, origin="member sign-in"):
            row = (
                Member.objects.filter(tenant_id=tenant_id, id_number=id_number)
                .values_list("pk", "phone")
                .first()
            )
        if row is not None and phone and clean_mobile(row[1]) == phone:
            found.append(Match(tenant_id, row[0]))
    return found


def _may_send(member_id, purpose: str, now: dt.datetime) -> bool:
    """No code in the last minute, and none locked in the lock period."""
    latest = (
        OneTimeCode.objects.filter(member_id=member_id, purpose=purpose)
        .order_by("-created_at")
        .values_list("created_at", "locked_at")
        .first()
    )
    if latest is None:
        return True
    created_at, locked_at = latest
    if (now - created_at).total_seconds() < codes.RESEND_AFTER:
        return False
    return locked_at is None or (now - locked_at).total_seconds() >= codes.LOCK_SECONDS


def _store(match: Match, purpose: str, code: str, phone: str, now) -> None:
    OneTimeCode.objects.create(
        tenant_id=match.tenant_id,
        member_id=match.member_id,
        purpose=purpose,
        phone=phone,
        digest=codes.digest(
            code, tenant_id=match.tenant_id, member_id=match.member_id, purpose=purpose
        ),
        created_at=now,
    )


def _text(code: str) -> str:
    return _(
        "Your mutual-aid verification code is %(code)s, valid for 5 minutes. Do not tell anyone."
    ) % {"code": code}


def send_sign_in_code(matches: list[Match], phone: str) -> int:
    """A new code for each match that may have one now, to ``phone``; how many messages
    went. With no match, the same hashing and nothing sent."""
    code = codes.new_code()
    now = timezone.now()
    stored = 0
    for match in matches:
        with tenant_scope(match.tenant_id, origin="member sign-in"):
            with transaction.atomic():
                if _may_send(match.member_id, CodePurpose.SIGN_IN, now):
                    _store(match, CodePurpose.SIGN_IN, code, phone, now)
                    stored += 1
    if not matches:
        codes.dummy_work(code)
    if stored:
        return send_sms(phone, _text(code))
    return 0


class CodeResult:
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


def _check(match: Match, purpose: str, code: str, now, *, consume: bool = True) -> str:
    """Check ``code`` against the member's latest code of ``purpose`` (in the member's
    tenant scope, which the caller opened); a right code is marked used unless
    ``consume`` is False (the caller marks it once every code it needs is right)."""
    row = (
        OneTimeCode.objects.select_for_update()
        .filter(member_id=match.member_id, tenant_id=match.tenant_id, purpose=purpose)
        .order_by("-created_at")
        .first()
    )
    if row is None:
        codes.dummy_work(code)
        return CodeResult.WRONG
    if row.locked_at is not None:
        codes.dummy_work(code)
        return CodeResult.LOCKED
    right = codes.matches(
        code, row.digest, tenant_id=match.tenant_id, member_id=match.member_id, purpose=purpose
    )
    expired = (now - row.created_at).total_seconds() > codes.CODE_TTL
    if right and row.used_at is None and not expired:
        if consume:
            row.used_at = now
            row.save(update_fields=["used_at"])
        return CodeResult.OK
    if row.used_at is not None or expired:
        return CodeResult.WRONG  # a used or expired code is refused, and counts for nothing
    row.attempts += 1
    fields = ["attempts"]
    if row.attempts >= codes.MAX_TRIES:
        row.locked_at = now
        fields.append("locked_at")
    row.save(update_fields=fields)
    return CodeResult.LOCKED if row.locked_at else CodeResult.WRONG


def verify_sign_in(matches: list[Match], code: str) -> tuple[str, list[Match]]:
    """(result, the matches the code opens). A wrong code counts against every match."""
    code = str(code or "").strip()
    now = timezone.now()
    opened, locked = [], False
    for match in matches:
        with tenant_scope(match.tenant_id, origin="member sign-in"):
            with transaction.atomic():
                result = _check(match, CodePurpose.SIGN_IN, code, now)
                if result == CodeResult.LOCKED:
                    locked = True
                    member = Member.objects.select_related("organisation").get(pk=match.member_id)
                    record(
                        actor=None,
                        action="member.sign_in_locked",
                        obj=member,
                        organisation=member.organisation,
                    )
        if result == CodeResult.OK:
            opened.append(match)
    if not matches:
        codes.dummy_work(code)
    if opened:
        return CodeResult.OK, opened
    return (CodeResult.LOCKED if locked else CodeResult.WRONG), []


def record_sign_in(member: Member) -> None:
    record(actor=None, action="member.signed_in", obj=member, organisation=member.organisation)


# --- Changing the phone number: a code to the old number and one to the new ----------


def phone_change_start(member: Member, new_phone) -> None:
    """Send a code to the number on file and one to ``new_phone`` (both needed)."""
    new = clean_mobile(new_phone)
    if not new:
        raise DomainError(
            _("Enter a mainland mobile number of 11 digits, e.g. 13912345678."), field="phone"
        )
    old = clean_mobile(member.phone)
    if new == old:
        raise DomainError(_("This is already your number on file."), field="phone")
    now = timezone.now()
    match = Match(member.tenant_id, member.pk)
    with transaction.atomic():
        if not (
            _may_send(member.pk, CodePurpose.PHONE_OLD, now)
            and _may_send(member.pk, CodePurpose.PHONE_NEW, now)
        ):
            raise DomainError(
                _("A code was sent less than a minute ago: wait a minute and try again."),
                field="phone",
            )
        old_code, new_code = codes.new_code(), codes.new_code()
        _store(match, CodePurpose.PHONE_OLD, old_code, old, now)
        _store(match, CodePurpose.PHONE_NEW, new_code, new, now)
    send_sms(old, _text(old_code))
    send_sms(new, _text(new_code))


def phone_change_confirm(member: Member, old_code, new_code) -> Member:
    """Both codes right: the new number goes on file (audited)."""
    now = timezone.now()
    match = Match(member.tenant_id, member.pk)
    with transaction.atomic():
        new_row = (
            OneTimeCode.objects.filter(member_id=member.pk, purpose=CodePurpose.PHONE_NEW)
            .order_by("-created_at")
            .first()
        )
        results = [
            _check(match, purpose, str(value or "").strip(), now, consume=False)
            for purpose, value in (
                (CodePurpose.PHONE_OLD, old_code),
                (CodePurpose.PHONE_NEW, new_code),
            )
        ]
        if results == [CodeResult.OK, CodeResult.OK]:
            OneTimeCode.objects.filter(
                member_id=member.pk,
                purpose__in=(CodePurpose.PHONE_OLD, CodePurpose.PHONE_NEW),
                used_at__isnull=True,
            ).update(used_at=now)
    if CodeResult.LOCKED in results:
        raise DomainError(
            _("Too many wrong codes: ask for new codes in 15 minutes."), field="old_code"
        )
    if results != [CodeResult.OK, CodeResult.OK] or new_row is None:
        raise DomainError(
            _("A code is wrong or has expired: check both messages, or ask for new codes."),
            field="old_code",
        )
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        before = member.phone
        member.phone = new_row.phone
        member.save(update_fields=["phone", "updated_at"])
        record(
            actor=None,
            action="member.phone_changed",
            obj=member,
            organisation=member.organisation,
            before={"phone": before},
            after={"phone": member.phone},
        )
    return member
