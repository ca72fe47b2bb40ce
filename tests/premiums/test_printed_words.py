"""What receipts and certificates say (issue 14): counts read "6 人，18 份" (not the field
names 人数/份数), a receipt states the cover actually bought and what had been received as
of its own payment, and the plan's version reads as a year ("2019年版"), however late the
paper is printed again."""

from __future__ import annotations

import datetime as dt

import pytest

from premiums import documents, services
from tests import factories
from tests.premiums.pdfcheck import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def six_of_three(accepted, actors, plans, units, people, today_is):
    """Six members with 3 shares each of 职工指定疾病(手术): 18 shares, ¥720, invoiced."""
    today_is(dt.date(2026, 5, 31))
    six = [*people, factories.make_member(units.a1, name="廖春梅")]
    enrolment = accepted(units.a1, plans["gx_designated_disease"], six, 3)
    return services.invoice_issue(actor=actors.finance, enrolment=enrolment)


def pay(actors, invoice, reference, day, amount):
    return services.payment_record(
        actor=actors.finance, invoice=invoice, bank_reference=reference, paid_on=day, amount=amount
    ).payment


def one_line(text: str) -> str:
    return "".join(text.split())


def test_receipt_and_certificate_count_people_and_shares(six_of_three, actors):
    payment = pay(actors, six_of_three, "R-720", dt.date(2026, 3, 15), "720.00")
    receipt = one_line(text_of(documents.receipt_pdf(payment)))
    assert "6人，18份" in receipt
    assert "人数" not in receipt and "份数" not in receipt
    enrolment = six_of_three.enrolment
    enrolment.refresh_from_db()
    certificate = one_line(text_of(documents.certificate_pdf(enrolment)))
    assert "6人，18份" in certificate
    assert "6人数" not in certificate and "18份数" not in certificate


def test_receipt_shows_the_cover_bought_not_the_requested_period(six_of_three, actors):
    # Requested from 2026-03-16; paid in full only on 2026-04-20: the cover starts later.
    payment = pay(actors, six_of_three, "R-LATE", dt.date(2026, 4, 20), "720.00")
    enrolment = six_of_three.enrolment
    enrolment.refresh_from_db()
    assert enrolment.coverage_start != enrolment.start_date
    text = one_line(text_of(documents.receipt_pdf(payment)))
    cover = f"{enrolment.coverage_start:%Y-%m-%d}–{enrolment.coverage_end:%Y-%m-%d}"
    assert "保障期" + cover in text
    assert f"{enrolment.start_date:%Y-%m-%d}–" not in text


def test_receipt_of_a_partial_payment_says_the_period_is_only_requested(six_of_three, actors):
    payment = pay(actors, six_of_three, "R-PART", dt.date(2026, 3, 10), "300.00")
    text = one_line(text_of(documents.receipt_pdf(payment)))
    assert "申请保障期2026-03-16–2027-03-15" in text


def test_an_old_receipt_printed_again_shows_the_total_as_of_its_payment(six_of_three, actors):
    first = pay(actors, six_of_three, "R-1", dt.date(2026, 3, 10), "300.00")
    pay(actors, six_of_three, "R-2", dt.date(2026, 3, 12), "420.00")
    six_of_three.refresh_from_db()
    assert six_of_three.paid_total == 720
    again = one_line(text_of(documents.receipt_pdf(first)))
    assert "截至本笔缴款（2026-03-10）累计已收300.00元" in again
    assert "720.00元" not in again.replace("720.00元；", "")  # the invoice's own amount only
    second = one_line(
        text_of(documents.receipt_pdf(six_of_three.payments.get(bank_reference="R-2")))
    )
    assert "截至本笔缴款（2026-03-12）累计已收720.00元" in second


def test_certificate_names_the_version_by_its_year(six_of_three, actors):
    pay(actors, six_of_three, "R-V", dt.date(2026, 3, 15), "720.00")
    enrolment = six_of_three.enrolment
    enrolment.refresh_from_db()
    text = one_line(text_of(documents.certificate_pdf(enrolment)))
    assert "（2019年版）" in text
    assert "201*" not in text


def test_enrolment_history_is_headed_with_the_workflow_word(six_of_three, world, as_user):
    from django.urls import reverse

    enrolment = six_of_three.enrolment
    page = (
        as_user(world.agent, "zh-hans")
        .get(reverse("enrolments:detail", args=[enrolment.pk]))
        .content.decode()
    )
    assert "<h2>办理过程</h2>" in page
    assert "计算步骤" not in page  # the calculator's word, not a workflow's
