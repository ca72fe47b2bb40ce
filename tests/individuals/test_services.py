"""Individual applications (issue 17.4): a person applies, the federation's cadre decides
in batches, approval brings gifted cover into force by the enrolment rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from enrolment.models import EnrolmentStatus, FundingMode, Policy, ShareTranche
from individuals import services
from individuals.models import ApplicationStatus, IndividualApplication, IndividualsUnit
from members.models import Member, MemberCategory
from mutualaid.audit.models import AuditEvent
from premiums import documents
from premiums.models import Invoice, Party
from tests import factories
from tests.premiums.pdfcheck import text_of

pytestmark = pytest.mark.django_db

PEOPLE = [
    ("韦小宝", "快递员", "顺丰"),
    ("黄飞鸿", "外卖配送员", "美团"),
    ("覃阿四", "网约车司机", "滴滴"),
]


def apply(world, version, name, occupation="快递员", platform="美团", **overrides):
    data = {
        "federation": world.city,
        "version_id": version.pk,
        "name": name,
        "id_number": factories.make_id_number(birth="19900101"),
        "phone": "13907740000",
        "occupation": occupation,
        "platform": platform,
    }
    data.update(overrides)
    return services.application_submit(**data)


def test_a_batch_of_three_is_approved_and_gifted_cover_starts_next_day(
    world, actors, open_version, today
):
    applications = [apply(world, open_version, n, o, p) for n, o, p in PEOPLE]
    assert all(a.status == ApplicationStatus.PENDING for a in applications)

    [enrolment] = services.applications_approve(
        actor=actors.city_cadre, ids=[a.pk for a in applications]
    )

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.IN_FORCE
    assert enrolment.funding_mode == FundingMode.FEDERATION_GIFT
    assert enrolment.payment_date == today
    assert enrolment.coverage_start == today + dt.timedelta(days=1)  # the day after the gift
    assert enrolment.coverage_end == dt.date(2027, 12, 5)
    assert enrolment.member_count == 3 and enrolment.premium_total == 120  # 3 × ¥40
    # The members live in the federation's unit of individual members, as new-form workers.
    holder = IndividualsUnit.objects.get(federation=world.city)
    assert holder.unit.organisation.name == "甲市总工会 新就业形态劳动者"
    node = holder.unit.organisation
    assert node.path.startswith(world.city.path) and node.depth == world.city.depth + 1
    assert enrolment.unit_id == holder.unit.pk
    members = Member.objects.filter(unit=holder.unit)
    assert sorted(members.values_list("name", flat=True)) == sorted(n for n, *_ in PEOPLE)
    assert set(members.values_list("category", flat=True)) == {MemberCategory.NEW_EMPLOYMENT}
    assert set(members.values_list("phone", flat=True)) == {"13907740000"}
    # One policy each, with the plan's 120 days' wait from the first covered day.
    policies = Policy.objects.filter(enrolment=enrolment)
    assert policies.count() == 3
    start = today + dt.timedelta(days=1)
    assert set(
        ShareTranche.objects.filter(policy__enrolment=enrolment).values_list("start", "waiting_end")
    ) == {(start, start + dt.timedelta(days=120))}
    # The invoice is the federation's gift, settled the day of the approval.
    invoice = Invoice.objects.get(enrolment=enrolment)
    share = invoice.shares.get()
    assert (share.party, share.payer_organisation_id) == (Party.FEDERATION, world.city.pk)
    assert invoice.status == "paid" and invoice.paid_on == today
    # Each application is approved, by whom, and points at its member and enrolment.
    for application in IndividualApplication.objects.filter(pk__in=[a.pk for a in applications]):
        assert application.status == ApplicationStatus.APPROVED
        assert application.decided_by_id == world.city_cadre.pk
        assert application.enrolment_id == enrolment.pk and application.member_id is not None
    assert AuditEvent.objects.filter(action="individual_application.approve").count() == 3
    assert AuditEvent.objects.filter(action="payment.gift").count() == 1
    # The certificate names the federation as the payer of gifted cover.
    text = "".join(text_of(documents.certificate_pdf(enrolment)).split())
    assert "甲市总工会（赠送保障）" in text
    assert "韦小宝" in text and "2026-12-06" in text


def test_refusal_needs_a_reason_which_is_kept_and_audited(world, actors, open_version, today):
    applications = [apply(world, open_version, n, o, p) for n, o, p in PEOPLE[:2]]
    ids = [a.pk for a in applications]
    with pytest.raises(ValidationError) as error:
        services.applications_refuse(actor=actors.city_cadre, ids=ids, reason="  ")
    assert error.value.message_dict["reason"]
    assert (
        services.applications_refuse(
            actor=actors.city_cadre, ids=ids, reason="非本市登记的骑手，请向注册地总工会申请"
        )
        == 2
    )
    for application in IndividualApplication.objects.filter(pk__in=ids):
        assert application.status == ApplicationStatus.REFUSED
        assert application.reason == "非本市登记的骑手，请向注册地总工会申请"
        assert application.decided_by_id == world.city_cadre.pk
    event = AuditEvent.objects.filter(action="individual_application.refuse").first()
    assert event.after["reason"] == "非本市登记的骑手，请向注册地总工会申请"
    # Decided once: a second decision is refused, naming the people.
    with pytest.raises(ValidationError, match="韦小宝"):
        services.applications_approve(actor=actors.city_cadre, ids=ids)


def test_who_may_decide(world, actors, open_version, today):
    application = apply(world, open_version, "韦小宝")
    # A county below the city does not reach the city's applications: as if missing.
    with pytest.raises(ValidationError, match="刷新页面"):
        services.applications_approve(actor=actors.county_cadre, ids=[application.pk])
    # An agent never decides.
    with pytest.raises((PermissionDenied, ValidationError)):
        services.applications_refuse(actor=actors.agent, ids=[application.pk], reason="x")
    # The office admin (above the city) may.
    [enrolment] = services.applications_approve(actor=actors.office_admin, ids=[application.pk])
    assert enrolment.coverage_start == today + dt.timedelta(days=1)


def test_a_second_batch_adds_a_second_enrolment_to_the_same_unit(
    world, actors, open_version, today
):
    first = apply(world, open_version, "韦小宝")
    services.applications_approve(actor=actors.city_cadre, ids=[first.pk])
    second = apply(world, open_version, "黄飞鸿", "货车司机", "顺丰")
    services.applications_approve(actor=actors.city_cadre, ids=[second.pk])
    assert IndividualsUnit.objects.count() == 1
    unit = IndividualsUnit.objects.get().unit
    assert unit.enrolments.filter(status=EnrolmentStatus.IN_FORCE).count() == 2


def test_approval_is_refused_by_the_enrolment_rules_naming_the_person(
    world, actors, open_version, units, today
):
    """Someone registered by an employer's union needs a transfer first: all or nothing."""
    member = factories.make_member(units.a1, name="陆春梅")
    ok = apply(world, open_version, "韦小宝")
    registered = apply(world, open_version, "陆春梅", id_number=member.id_number)
    with pytest.raises(ValidationError, match="陆春梅") as error:
        services.applications_approve(actor=actors.city_cadre, ids=[ok.pk, registered.pk])
    assert "transfer" in str(error.value) or "转" in str(error.value)
    assert IndividualApplication.objects.filter(status=ApplicationStatus.PENDING).count() == 2
    assert not Policy.objects.exists()


def test_member_paid_versions_wait_for_the_workers_payment(world, actors, open_version, today):
    from plans.models import PlanVersion

    PlanVersion.objects.filter(pk=open_version.pk).update(
        individual_offer={**open_version.individual_offer, "funding": "member"}
    )
    application = apply(world, open_version, "韦小宝")
    [enrolment] = services.applications_approve(actor=actors.city_cadre, ids=[application.pk])
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.INVOICED
    assert Invoice.objects.get(enrolment=enrolment).shares.get().party == Party.MEMBER


# --- What a person is told ----------------------------------------------------------------


def _bad_id() -> str:
    good = factories.make_id_number()
    return good[:-1] + ("0" if good[-1] != "0" else "1")


NO_PLAN = "00000000-0000-0000-0000-000000000000"
CASES = [
    # (case, overrides, field, code)
    ("occupation not eligible", {"occupation": "保安"}, "occupation", "occupation_not_eligible"),
    ("platform not listed", {"platform": "闪送"}, "platform", "platform_not_eligible"),
    ("bad check digit", {"id_number": _bad_id()}, "id_number", "id_number_checksum"),
    ("first-generation number", {"id_number": "450421800101001"}, "id_number", "id_number_length"),
    ("no phone", {"phone": ""}, "phone", "phone_required"),
    ("bad phone", {"phone": "12345"}, "phone", "phone_invalid"),
    ("no name", {"name": ""}, "name", None),
    (
        "plan not open",
        {"version_id": "00000000-0000-0000-0000-000000000000"},
        "plan",
        "plan_not_open",
    ),
]


@pytest.mark.parametrize("case,overrides,field,code", CASES, ids=[c[0] for c in CASES])
def test_validation_table(world, open_version, today, case, overrides, field, code):
    name = overrides.pop("name", "韦小宝")
    with pytest.raises(ValidationError) as error:
        apply(world, open_version, name, **overrides)
    errors = error.value.error_dict
    assert field in errors, errors
    if code is not None:
        assert code in [e.code for e in errors[field]], errors[field]
    assert not IndividualApplication.objects.exists()


def test_a_second_application_while_one_waits_is_refused(world, open_version, today):
    number = factories.make_id_number(birth="19900101")
    apply(world, open_version, "韦小宝", id_number=number)
    with pytest.raises(ValidationError) as error:
        apply(world, open_version, "韦小宝", id_number=number)
    assert error.value.error_dict["id_number"][0].code == "duplicate_application"


def test_a_person_covered_by_the_plan_is_told_until_when(world, actors, open_version, today):
    number = factories.make_id_number(birth="19900101")
    first = apply(world, open_version, "韦小宝", id_number=number)
    services.applications_approve(actor=actors.city_cadre, ids=[first.pk])
    with pytest.raises(ValidationError) as error:
        apply(world, open_version, "韦小宝", id_number=number)
    [problem] = error.value.error_dict["id_number"]
    assert problem.code == "already_covered" and "2027-12-05" in problem.message


def test_a_refused_person_may_apply_again(world, actors, open_version, today):
    number = factories.make_id_number(birth="19900101")
    first = apply(world, open_version, "韦小宝", id_number=number)
    services.applications_refuse(actor=actors.city_cadre, ids=[first.pk], reason="资料不全")
    again = apply(world, open_version, "韦小宝", id_number=number)
    assert again.status == ApplicationStatus.PENDING
