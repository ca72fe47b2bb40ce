"""Every hand-over tells exactly the next people, and moves the work from one inbox to the
next (issue 15, "Done when"): one enrolment from draft to in force, one claim from report
to paid, through the services as the pages call them.

At each step, for every persona: who got a new notification (exactly one each, nobody
else), whose inbox gained an item in which source, and whose lost one — the previous
actor's item leaves their inbox once they have done it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from claims.services import applications, payouts, reports, review
from enrolment.services.lines import lines_import
from enrolment.services.workflow import enrolment_accept, enrolment_check, enrolment_submit
from mutualaid.home.inbox import inbox_counts
from mutualaid.notifications.models import Notification
from premiums import services as premiums
from tests import factories
from tests.enrolment.support import new_enrolment

PEOPLE = (
    "agent",
    "sibling_agent",
    "county_cadre",
    "city_cadre",
    "office_admin",
    "reviewer",
    "reviewer2",
    "finance",
    "finance2",
    "auditor",
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Walk:
    """Takes a snapshot of everyone's notifications and inbox, and checks a step's changes."""

    def __init__(self, world):
        self.world = world
        self.before = self.snapshot()

    def snapshot(self):
        out = {}
        for name in PEOPLE:
            user = getattr(self.world, name)
            out[name] = (
                Notification.objects.filter(recipient=user).count(),
                inbox_counts(self.world.actor(user)),
            )
        return out

    def step(self, label, *, told=(), gained=(), lost=()):
        """``told``: the personas with one new notification; ``gained``/``lost``: (persona,
        source key) whose count went up/down by one. Everything else stays as it was."""
        after = self.snapshot()
        new = {
            name: after[name][0] - self.before[name][0]
            for name in PEOPLE
            if after[name][0] != self.before[name][0]
        }
        assert new == dict.fromkeys(told, 1), label
        expected = {name: dict(self.before[name][1]) for name in PEOPLE}
        for name, key in gained:
            expected[name][key] = expected[name].get(key, 0) + 1
        for name, key in lost:
            expected[name][key] -= 1
        actual = {name: after[name][1] for name in PEOPLE}
        assert actual == expected, label
        self.before = after


@pytest.mark.django_db
def test_an_enrolment_from_draft_to_in_force_tells_each_next_person(world, plans, units):
    walk = Walk(world)
    agent = world.actor(world.agent)
    members = [factories.make_member(units.a1, name=n) for n in ("韦国庆", "黄秀兰")]
    enrolment = new_enrolment(agent, units.a1, plans["gx_designated_disease"])
    lines_import(
        actor=agent, enrolment=enrolment, rows=[{"member": m, "shares": 2} for m in members]
    )
    walk.step("drafted", gained=[("agent", "enrolment.drafts")])

    enrolment_submit(actor=agent, enrolment=enrolment)
    # The county's cadre checks it; the city's cadre above is not bothered.
    walk.step(
        "submitted",
        told=["county_cadre"],
        gained=[("county_cadre", "enrolment.to_check")],
        lost=[("agent", "enrolment.drafts")],
    )
    note = Notification.objects.get(recipient=world.county_cadre)
    assert note.link == f"/enrolments/{enrolment.pk}/"
    assert "甲县医院工会" in note.text

    enrolment_check(actor=world.actor(world.county_cadre), enrolment=enrolment)
    walk.step(
        "checked",
        told=["office_admin", "agent"],
        gained=[("office_admin", "enrolment.to_accept")],
        lost=[("county_cadre", "enrolment.to_check")],
    )

    enrolment_accept(actor=world.actor(world.office_admin), enrolment=enrolment)
    # Finance invoices it next; the agent who submitted it waits for it.
    walk.step(
        "accepted",
        told=["finance", "finance2", "agent"],
        gained=[("finance", "premiums.to_invoice"), ("finance2", "premiums.to_invoice")],
        lost=[("office_admin", "enrolment.to_accept")],
    )

    enrolment.refresh_from_db()
    invoice = premiums.invoice_issue(actor=world.actor(world.finance), enrolment=enrolment)
    walk.step(
        "invoiced",
        told=["agent"],
        gained=[
            ("agent", "premiums.unpaid"),
            ("finance", "premiums.payments"),
            ("finance2", "premiums.payments"),
        ],
        lost=[("finance", "premiums.to_invoice"), ("finance2", "premiums.to_invoice")],
    )

    premiums.payment_record(
        actor=world.actor(world.finance),
        invoice=invoice,
        bank_reference="HX2026001",
        paid_on=dt.date.today(),
        amount=invoice.amount,
    )
    enrolment.refresh_from_db()
    assert enrolment.status == "in_force"
    walk.step(
        "in force",
        told=["agent"],
        gained=[("auditor", "premiums.payments_today")],
        lost=[
            ("agent", "premiums.unpaid"),
            ("finance", "premiums.payments"),
            ("finance2", "premiums.payments"),
        ],
    )


@pytest.mark.django_db
def test_a_sent_back_enrolment_tells_the_agent_with_the_reason(world, plans, units):
    agent = world.actor(world.agent)
    member = factories.make_member(units.a1, name="覃建军")
    enrolment = new_enrolment(agent, units.a1, plans["gx_designated_disease"])
    lines_import(actor=agent, enrolment=enrolment, rows=[{"member": member, "shares": 1}])
    enrolment_submit(actor=agent, enrolment=enrolment)
    walk = Walk(world)
    from enrolment.services.workflow import enrolment_send_back

    enrolment_send_back(
        actor=world.actor(world.county_cadre), enrolment=enrolment, reason="缺少单位盖章"
    )
    walk.step(
        "sent back",
        told=["agent"],
        gained=[("agent", "enrolment.sent_back")],
        lost=[("county_cadre", "enrolment.to_check")],
    )
    note = Notification.objects.filter(recipient=world.agent).latest("created_at")
    assert "缺少单位盖章" in note.text
    # Submitted again: the cadre is told again (a new step, a new key) …
    enrolment_submit(actor=agent, enrolment=enrolment)
    walk.step(
        "resubmitted",
        told=["county_cadre"],
        gained=[("county_cadre", "enrolment.to_check")],
        lost=[("agent", "enrolment.sent_back")],
    )


@pytest.mark.django_db
def test_a_claim_from_report_to_paid_tells_each_next_person(world, covered):
    member, plan, _policy = covered
    walk = Walk(world)
    agent = world.actor(world.agent)
    report = reports.report_create(
        actor=agent,
        member=member,
        plan=plan,
        event_kind="illness",
        event_date="2026-08-01",
        description="确诊肺癌",
        reported_on=dt.date(2026, 8, 5),
    )
    walk.step("reported", gained=[("agent", "claims.to_apply")])

    claim = applications.claim_update(
        actor=agent,
        claim=report.claim,
        data={
            "condition": "malignant_tumour",
            "bank_name": "工商银行",
            "bank_account": "1234567890123",
        },
    )
    applications.document_add(
        actor=agent,
        claim=claim,
        kind="diagnosis",
        upload=SimpleUploadedFile("诊断证明.pdf", PDF, content_type="application/pdf"),
    )
    claim = applications.claim_submit(actor=agent, claim=claim)
    walk.step(
        "submitted",
        told=["reviewer", "reviewer2"],
        gained=[("reviewer", "claims.first_decision"), ("reviewer2", "claims.first_decision")],
        lost=[("agent", "claims.to_apply")],
    )

    # ¥45,000 is above the four-eyes threshold: a second reviewer must approve.
    claim = review.claim_decide(actor=world.actor(world.reviewer), claim=claim, action="approve")
    walk.step(
        "first approval",
        told=["reviewer2"],
        gained=[("reviewer2", "claims.second_approval")],
        lost=[("reviewer", "claims.first_decision"), ("reviewer2", "claims.first_decision")],
    )

    claim = review.claim_decide(actor=world.actor(world.reviewer2), claim=claim, action="approve")
    walk.step(
        "approved",
        told=["agent"],
        gained=[("finance", "claims.to_batch"), ("finance2", "claims.to_batch")],
        lost=[("reviewer2", "claims.second_approval")],
    )

    batch = payouts.batch_build(actor=world.actor(world.finance), tenant_id=world.tenant.pk)
    # Another finance user approves it (never its builder).
    walk.step(
        "batch built",
        told=["finance2"],
        gained=[("finance2", "claims.batches_to_approve")],
        lost=[("finance", "claims.to_batch"), ("finance2", "claims.to_batch")],
    )

    batch = payouts.batch_approve(actor=world.actor(world.finance2), batch=batch)
    walk.step(
        "batch approved",
        told=["finance"],
        gained=[("finance", "claims.batches_to_pay"), ("finance2", "claims.batches_to_pay")],
        lost=[("finance2", "claims.batches_to_approve")],
    )

    payouts.lines_mark_paid(actor=world.actor(world.finance), batch=batch, paid_on=dt.date.today())
    walk.step(
        "paid",
        told=["agent"],
        gained=[("auditor", "claims.payouts_today")],
        lost=[("finance", "claims.batches_to_pay"), ("finance2", "claims.batches_to_pay")],
    )


@pytest.mark.django_db
def test_a_step_taken_again_does_not_notify_twice(world, plans, units):
    """Idempotent per step: the key names the step's occurrence; a retry (the same key)
    adds nothing."""
    from enrolment.notices import notify_step

    agent = world.actor(world.agent)
    member = factories.make_member(units.a1, name="陆春梅")
    enrolment = new_enrolment(agent, units.a1, plans["gx_designated_disease"])
    lines_import(actor=agent, enrolment=enrolment, rows=[{"member": member, "shares": 1}])
    enrolment = enrolment_submit(actor=agent, enrolment=enrolment)
    assert Notification.objects.filter(recipient=world.county_cadre).count() == 1
    notify_step(enrolment, "submit", by=world.agent, at=enrolment.submitted_at)
    assert Notification.objects.filter(recipient=world.county_cadre).count() == 1


@pytest.mark.django_db
def test_a_published_plan_version_tells_the_agents_and_cadres_below_its_node(world):
    from plans.services import version_publish

    plan = factories.make_plan(world.office, status="draft")
    version = plan.versions.get()
    walk = Walk(world)
    version_publish(actor=world.actor(world.office_admin), version=version)
    walk.step("published", told=["agent", "sibling_agent", "county_cadre", "city_cadre"])
    assert Notification.objects.filter(recipient=world.other_county_agent).count() == 1
    assert not Notification.objects.filter(recipient=world.other_tenant_agent).exists()
    note = Notification.objects.get(recipient=world.agent)
    assert note.link == f"/plans/{plan.pk}/versions/{version.pk}/"
    assert plan.short_name in note.text or plan.name in note.text
