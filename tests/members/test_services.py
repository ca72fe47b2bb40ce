"""Unit and member services: who may write, what they check, what they record (SPEC §4)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from members import services
from members.access import display_id_number, may_see_full_id_number
from members.models import EmploymentStatus, Member, MemberCategory, MemberTransfer, Ownership, Unit
from members.selectors import member_list, unit_list
from members.validation import InvalidValue
from mutualaid.audit.models import AuditEvent
from mutualaid.core.errors import DomainError
from mutualaid.tenancy.models import Organisation, OrganisationKind
from plans.rules.vocab import MEMBER_CATEGORIES
from tests import factories

E8 = "11010519491231002X"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _unit_data(**overrides):
    return {
        "name": "甲县供电公司工会",
        "ownership": Ownership.STATE_OWNED,
        "credit_code": "91110000600037341L",
        "union_member_count": 120,
        "contact_name": "梁主席",
        "contact_phone": "0774-2681234",
        "bank_name": "工商银行",
        "bank_account": "6222 0202 0001 2345 678",
        **overrides,
    }


# --- Units ------------------------------------------------------------------------------------


def test_unit_create_adds_the_tree_node_and_the_registration_together(world):
    actor = world.actor(world.county_cadre)
    unit = services.unit_create(actor=actor, parent=world.county, code="JX-003", **_unit_data())

    node = Organisation.objects.get(pk=unit.pk)
    assert (node.kind, node.name, node.code, node.tenant_id) == (
        OrganisationKind.UNIT,
        "甲县供电公司工会",
        "JX-003",
        world.tenant.pk,
    )
    assert Organisation.objects.get_parent(node).pk == world.county.pk
    assert (unit.credit_code, unit.bank_account, unit.contact_phone) == (
        "91110000600037341L",
        "6222020200012345678",
        "0774-2681234",
    )
    event = AuditEvent.objects.get(action="unit.create", object_id=str(unit.pk))
    assert event.organisation_id == node.pk and event.after["credit_code"] == "91110000600037341L"


def test_a_bad_unit_is_refused_whole_and_nothing_is_written(world):
    actor = world.actor(world.office_admin)
    before = Organisation.objects.count()
    with pytest.raises(DomainError) as caught:
        services.unit_create(
            actor=actor,
            parent=world.county,
            **_unit_data(
                name=" ",
                credit_code="91110000600037341M",
                bank_account="12",
                contact_phone="5",
                ownership="x",
            ),
        )
    assert set(caught.value.message_dict) == {
        "name",
        "credit_code",
        "bank_account",
        "contact_phone",
        "ownership",
    }
    assert Organisation.objects.count() == before
    assert not Unit.objects.exists()


@pytest.mark.parametrize("who", ["agent", "reviewer", "finance", "auditor"])
def test_only_office_admins_and_cadres_add_units(world, who):
    with pytest.raises(DomainError):
        services.unit_create(
            actor=world.actor(getattr(world, who)), parent=world.county, **_unit_data()
        )


def test_a_cadre_adds_units_only_in_their_subtree(world):
    cadre = world.actor(world.county_cadre)
    with pytest.raises(DomainError):
        services.unit_create(actor=cadre, parent=world.other_county, **_unit_data())


def test_units_hang_below_cities_counties_industries_and_agents_only(world):
    with pytest.raises(InvalidValue) as caught:
        services.unit_create(
            actor=world.actor(world.office_admin), parent=world.unit, **_unit_data()
        )
    assert caught.value.field == "parent"
    with pytest.raises(InvalidValue):
        services.unit_create(
            actor=world.actor(world.office_admin), parent=world.office, **_unit_data()
        )


def test_credit_code_is_unique_per_tenant_only(world):
    services.unit_create(actor=world.actor(world.office_admin), parent=world.county, **_unit_data())
    with pytest.raises(InvalidValue) as caught:
        services.unit_create(
            actor=world.actor(world.office_admin),
            parent=world.other_county,
            **_unit_data(name="另一单位", credit_code="9111 0000 6000 3734 1l"),
        )
    assert caught.value.code == "credit_code_taken"
    # Another province office may register the same employer.
    other_city = Organisation.objects.get_parent(Organisation.objects.get(pk=world.other_unit.pk))
    unit = services.unit_create(
        actor=world.actor(world.other_tenant_admin), parent=other_city, **_unit_data()
    )
    assert unit.tenant_id == world.other_tenant.pk
    # Units without a code do not clash with each other.
    for n in range(2):
        services.unit_create(
            actor=world.actor(world.office_admin),
            parent=world.county,
            **_unit_data(name=f"无代码{n}", credit_code=""),
        )


def test_unit_update_changes_node_and_registration_and_is_audited(world, units):
    actor = world.actor(world.county_cadre)
    services.unit_update(
        actor=actor, unit=units.a1, **_unit_data(name="甲县人民医院工会", industry="Q")
    )
    units.a1.refresh_from_db()
    assert Organisation.objects.get(pk=units.a1.pk).name == "甲县人民医院工会"
    assert (units.a1.industry, units.a1.credit_code) == ("Q", "91110000600037341L")
    event = AuditEvent.objects.get(action="unit.update")
    assert event.before["name"] == "甲县医院工会" and event.after["name"] == "甲县人民医院工会"


def test_agents_do_not_edit_their_unit(world, units):
    with pytest.raises(DomainError):
        services.unit_update(actor=world.actor(world.agent), unit=units.a1, **_unit_data())


def test_unit_list_is_scoped(world, units):
    assert list(unit_list(actor=world.actor(world.agent))) == [units.a1]
    assert set(unit_list(actor=world.actor(world.county_cadre))) == {units.a1, units.a2}
    assert units.other_tenant not in set(unit_list(actor=world.actor(world.office_admin)))


# --- Members ----------------------------------------------------------------------------------


def test_member_categories_are_the_engines_codes():
    assert set(MemberCategory.values) == set(MEMBER_CATEGORIES)


def test_member_create_derives_sex_and_birth_date(world, units):
    member = services.member_create(
        actor=world.actor(world.agent),
        unit=units.a1,
        name=" 王 秀英 ",
        id_number="１１０１０５１９４９１２３１００２ｘ",
        phone="138 0774 1234",
    )
    member.refresh_from_db()
    assert (member.name, member.id_number, member.sex, member.birth_date, member.phone) == (
        "王秀英",  # a Han name loses the padding spaces typed between its characters
        E8,
        "female",
        dt.date(1949, 12, 31),
        "13807741234",
    )
    assert (member.unit_id, member.organisation_id, member.tenant_id) == (
        units.a1.pk,
        world.unit.pk,
        world.tenant.pk,
    )
    assert (member.category, member.employment_status, member.is_union_member) == (
        MemberCategory.WORKER,
        EmploymentStatus.IN_SERVICE,
        True,
    )
    event = AuditEvent.objects.get(action="member.create")
    # The log keeps the masked number: it is read where nobody checks who may see whole numbers.
    assert event.after["id_number"] == "1101**********002X" and E8 not in str(event.after)


def test_every_bad_member_field_is_named_at_once(world, units):
    with pytest.raises(DomainError) as caught:
        services.member_create(
            actor=world.actor(world.agent),
            unit=units.a1,
            name="",
            id_number="110105194912310021",
            phone="12",
            category="astronaut",
            employment_status="x",
        )
    assert set(caught.value.message_dict) == {
        "name",
        "id_number",
        "phone",
        "category",
        "employment_status",
    }
    assert not Member.objects.exists()


def test_a_person_exists_once_per_tenant(world, units):
    services.member_create(
        actor=world.actor(world.agent), unit=units.a1, name="王秀英", id_number=E8
    )
    # The sibling unit's agent learns the person is registered, not where.
    with pytest.raises(InvalidValue) as sibling:
        services.member_create(
            actor=world.actor(world.sibling_agent),
            unit=units.a2,
            name="王秀英",
            id_number="11010519491231002x",
        )
    assert sibling.value.code == "id_number_taken"
    assert (
        sibling.value.text == "A member with this ID number is already registered in this office."
    )
    # The county cadre above both units is told which unit has them.
    with pytest.raises(InvalidValue) as cadre:
        services.member_create(
            actor=world.actor(world.county_cadre), unit=units.a2, name="王秀英", id_number=E8
        )
    assert (
        cadre.value.text == "A member with this ID number is already registered, in 甲县医院工会."
    )
    # Another tenant is another world.
    other = services.member_create(
        actor=world.actor(world.other_tenant_agent),
        unit=units.other_tenant,
        name="王秀英",
        id_number=E8,
    )
    assert other.tenant_id == world.other_tenant.pk
    assert Member.objects.filter(id_number=E8).count() == 2


def test_the_database_refuses_a_second_person_with_the_same_number(world, units):
    from django.db import IntegrityError, transaction

    factories.make_member(units.a1, id_number=E8)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_member(units.a2, id_number=E8)


def test_member_rows_keep_organisation_equal_to_unit(world, units):
    from django.db import IntegrityError, transaction

    member = factories.make_member(units.a1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=member.pk).update(organisation_id=world.sibling_unit.pk)


@pytest.mark.parametrize("who", ["reviewer", "finance", "auditor", "sibling_agent"])
def test_who_may_not_register_members_of_unit_a1(world, units, who):
    with pytest.raises(DomainError):
        services.member_create(
            actor=world.actor(getattr(world, who)), unit=units.a1, name="张三", id_number=E8
        )


def test_member_update_rederives_from_a_new_number(world, units):
    member = factories.make_member(units.a1, name="张三")
    new_number = factories.make_id_number(birth="19851120", male=False)
    services.member_update(
        actor=world.actor(world.agent),
        member=member,
        name="张三",
        id_number=new_number,
        category=MemberCategory.MIGRANT_WORKER,
        employment_status=EmploymentStatus.RETIRED,
        is_union_member=False,
    )
    member.refresh_from_db()
    assert (member.id_number, member.sex, member.birth_date) == (
        new_number,
        "female",
        dt.date(1985, 11, 20),
    )
    assert (member.category, member.employment_status, member.is_union_member) == (
        "migrant_worker",
        "retired",
        False,
    )


def test_member_update_cannot_take_anothers_number(world, units):
    factories.make_member(units.a1, id_number=E8)
    member = factories.make_member(units.a1)
    with pytest.raises(InvalidValue) as caught:
        services.member_update(
            actor=world.actor(world.agent), member=member, name="张三", id_number=E8
        )
    assert caught.value.code == "id_number_taken"


def test_roles_that_see_masked_numbers_cannot_change_them(world, units):
    member = factories.make_member(units.a1)
    cadre = world.actor(world.county_cadre)
    with pytest.raises(InvalidValue) as caught:
        services.member_update(actor=cadre, member=member, name="张三", id_number=E8)
    assert caught.value.code == "id_number_forbidden"
    # Other fields they may change; sending the number unchanged is fine.
    services.member_update(actor=cadre, member=member, name="张三丰", id_number=member.id_number)
    member.refresh_from_db()
    assert member.name == "张三丰"


# --- Masking ----------------------------------------------------------------------------------

FULL = {"office_admin", "reviewer", "auditor", "agent"}


@pytest.mark.parametrize(
    "who", ["office_admin", "reviewer", "auditor", "agent", "finance", "city_cadre", "county_cadre"]
)
def test_who_sees_whole_id_numbers(world, units, who):
    member = factories.make_member(units.a1, id_number=E8)
    actor = world.actor(getattr(world, who))
    assert may_see_full_id_number(actor, member) is (who in FULL)
    assert display_id_number(member, actor) == (E8 if who in FULL else "1101**********002X")
    assert display_id_number(member, actor, reveal=False) == "1101**********002X"


# --- Transfers --------------------------------------------------------------------------------


def test_transfer_moves_the_member_and_keeps_history(world, units):
    member = factories.make_member(units.a1, name="调动者")
    cadre = world.actor(world.county_cadre)
    agent, sibling = world.actor(world.agent), world.actor(world.sibling_agent)
    assert member in member_list(actor=agent) and member not in member_list(actor=sibling)

    transfer = services.member_transfer(
        actor=cadre, member=member, to_unit=units.a2, date=dt.date(2026, 3, 1), reason="工作调动"
    )

    member.refresh_from_db()
    assert (member.unit_id, member.organisation_id) == (units.a2.pk, world.sibling_unit.pk)
    assert (transfer.from_unit_id, transfer.to_unit_id, transfer.date, transfer.actor_id) == (
        units.a1.pk,
        units.a2.pk,
        dt.date(2026, 3, 1),
        world.county_cadre.pk,
    )
    # Scoping moves with the member: the old unit's agent loses sight, the new one's gains it.
    assert member not in member_list(actor=agent) and member in member_list(actor=sibling)
    assert not MemberTransfer.objects.for_actor(agent).exists()
    assert list(MemberTransfer.objects.for_actor(sibling)) == [transfer]
    event = AuditEvent.objects.get(action="member.transfer")
    assert (event.before["unit"], event.after["unit"]) == (str(units.a1.pk), str(units.a2.pk))


def test_an_agent_cannot_transfer_to_a_unit_they_do_not_reach(world, units):
    member = factories.make_member(units.a1)
    with pytest.raises(InvalidValue) as caught:
        services.member_transfer(
            actor=world.actor(world.agent),
            member=member,
            to_unit=units.a2,
            date=dt.date(2026, 3, 1),
            reason="调动",
        )
    assert caught.value.field == "to_unit"
    # Across counties only someone above both (the city cadre) may move them.
    with pytest.raises(InvalidValue):
        services.member_transfer(
            actor=world.actor(world.county_cadre),
            member=member,
            to_unit=units.other_county,
            date=dt.date(2026, 3, 1),
            reason="调动",
        )
    services.member_transfer(
        actor=world.actor(world.city_cadre),
        member=member,
        to_unit=units.other_county,
        date=dt.date(2026, 3, 1),
        reason="调动",
    )


def test_transfer_stays_in_the_tenant(world, units):
    member = factories.make_member(units.a1)
    with pytest.raises(DomainError):
        services.member_transfer(
            actor=world.actor(world.office_admin),
            member=member,
            to_unit=units.other_tenant,
            date=dt.date(2026, 3, 1),
            reason="调动",
        )
    member.refresh_from_db()
    assert member.unit_id == units.a1.pk


def test_transfer_checks_its_inputs(world, units):
    member = factories.make_member(units.a1)
    admin = world.actor(world.office_admin)
    with pytest.raises(DomainError) as caught:
        services.member_transfer(
            actor=admin, member=member, to_unit=units.a1, date=dt.date(2999, 1, 1), reason=" "
        )
    assert set(caught.value.message_dict) == {"to_unit", "date", "reason"}
    services.member_transfer(
        actor=admin, member=member, to_unit=units.a2, date=dt.date(2026, 3, 1), reason="调动"
    )
    member.refresh_from_db()
    with pytest.raises(InvalidValue) as earlier:
        services.member_transfer(
            actor=admin, member=member, to_unit=units.a1, date=dt.date(2026, 2, 1), reason="回调"
        )
    assert earlier.value.code == "date_before_previous"
    assert MemberTransfer.objects.count() == 1


@pytest.mark.parametrize("who", ["reviewer", "finance", "auditor"])
def test_read_only_roles_do_not_transfer(world, units, who):
    member = factories.make_member(units.a1)
    with pytest.raises(DomainError):
        services.member_transfer(
            actor=world.actor(getattr(world, who)),
            member=member,
            to_unit=units.a2,
            date=dt.date(2026, 3, 1),
            reason="调动",
        )
