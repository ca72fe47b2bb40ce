"""Helpers of the claims service tests: cover bought through the real enrolment and
premiums services, a claim taken through report → application → submission, files as
people upload them, and a frozen "today".

Nothing here stands in for our own code: every step calls the service the pages and the
API call.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from claims import services
from claims.models import Claim
from enrolment.models import Policy
from enrolment.services.drafts import enrolment_create
from enrolment.services.lines import lines_import
from enrolment.services.workflow import enrolment_accept, enrolment_check, enrolment_submit
from mutualaid.calendar.services import seed_years_from_package
from premiums import services as premiums_services

#: /work/shared/acceptance (tests/claims/ → repo → ..).
ACCEPTANCE_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "acceptance"

ONE_DAY = dt.timedelta(days=1)
_refs = itertools.count(1)

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def read_acceptance(name: str) -> list[dict[str, str]]:
    with (ACCEPTANCE_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def seed_calendar(world) -> None:
    """Tenant A's work calendar from the package, as ``tenant_create`` seeds it."""
    seed_years_from_package(tenant=world.tenant, organisation=world.office)


# --- money and accounts ----------------------------------------------------------------


def card_number(body: str = "622202020011234567") -> str:
    """A UnionPay card number: ``body`` plus its Luhn check digit."""
    for digit in "0123456789":
        if services.luhn_ok(body + digit):
            return body + digit
    raise AssertionError("unreachable")


# --- files -----------------------------------------------------------------------------


def pdf_upload(name: str = "诊断证明.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def image_bytes(fmt: str = "PNG") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


# --- "today" ---------------------------------------------------------------------------


def freeze_today(monkeypatch, day: dt.date) -> None:
    """The claims services' "today" (``claims.services.today``) is ``day``."""
    monkeypatch.setattr(services, "today", lambda: day)


# --- cover through enrolment and premiums -------------------------------------------------


def enrol_and_pay(world, plan, members, *, shares: int, paid_on: dt.date, unit=None) -> list:
    """The unit's agent enrols ``members`` with ``shares`` each; the county checks, the
    office accepts, finance invoices and records the full payment on ``paid_on``: the
    enrolment comes into force the day after. Returns the members' policies."""
    from tests import factories

    unit = unit or factories.make_unit(world.unit)
    agent = world.actor(world.agent)
    enrolment = enrolment_create(actor=agent, unit=unit, plan=plan, start_date=paid_on + ONE_DAY)
    lines_import(
        actor=agent,
        enrolment=enrolment,
        rows=[{"member": m, "shares": shares} for m in members],
    )
    enrolment_submit(actor=agent, enrolment=enrolment)
    enrolment_check(actor=world.actor(world.county_cadre), enrolment=enrolment)
    enrolment_accept(actor=world.actor(world.office_admin), enrolment=enrolment)
    finance = world.actor(world.finance)
    invoice = premiums_services.invoice_issue(actor=finance, enrolment=enrolment)
    result = premiums_services.payment_record(
        actor=finance,
        invoice=invoice,
        bank_reference=f"CLM-{next(_refs):06d}-{enrolment.pk.hex[:8]}",
        paid_on=paid_on,
        amount=invoice.amount,
    )
    assert result.brought_into_force, result.activation_problem
    return list(Policy.objects.filter(enrolment=enrolment, member__in=members).order_by("id"))


# --- a claim up to the reviewer ------------------------------------------------------------


def report(
    world,
    member,
    plan,
    *,
    event_kind="illness",
    event_date,
    reported_on=None,
    actor=None,
    cause="",
    description="确诊住院",
):
    """An incident report by the unit's agent (or ``actor``), reported the day after."""
    event_date = dt.date.fromisoformat(str(event_date))
    return services.report_create(
        actor=actor or world.actor(world.agent),
        member=member,
        plan=plan,
        event_kind=event_kind,
        cause=cause,
        event_date=event_date,
        description=description,
        reported_on=reported_on or event_date + ONE_DAY,
    )


def apply(
    world,
    claim: Claim,
    *,
    actor=None,
    condition="",
    facts=None,
    payee_relation="self",
    payee_name=None,
) -> Claim:
    """The application: condition, facts, payee with a valid card, one diagnosis PDF."""
    actor = actor or world.actor(world.agent)
    data = {
        "condition": condition,
        "payee_relation": payee_relation,
        "bank_name": "中国工商银行梧州分行",
        "bank_account": card_number(),
        **{k: str(v) for k, v in (facts or {}).items()},
    }
    if payee_name is not None:
        data["payee_name"] = payee_name
    claim = services.claim_update(actor=actor, claim=claim, data=data)
    services.document_add(actor=actor, claim=claim, kind="diagnosis", upload=pdf_upload())
    return claim


def submitted(
    world,
    member,
    plan,
    *,
    event_kind="illness",
    event_date,
    condition="",
    cause="",
    facts=None,
    payee_relation="self",
    actor=None,
    reported_on=None,
) -> Claim:
    """Report, apply and submit; returns the submitted (assessed) claim."""
    actor = actor or world.actor(world.agent)
    rep = report(
        world,
        member,
        plan,
        event_kind=event_kind,
        event_date=event_date,
        cause=cause,
        actor=actor,
        reported_on=reported_on,
    )
    claim = apply(
        world,
        rep.claim,
        actor=actor,
        condition=condition,
        facts=facts,
        payee_relation=payee_relation,
        payee_name=None if payee_relation == "self" else "家属" + member.name,
    )
    return services.claim_submit(actor=actor, claim=claim)
