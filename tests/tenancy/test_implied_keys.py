"""A tenant key declared ``implied_by`` another (issue 19): no composite key of its own in
the database, yet a wrong row is still refused — and the system check proves the chain."""

from __future__ import annotations

import copy

import pytest
from django.db import IntegrityError, connection, transaction

from enrolment.models import Policy
from members.models import Member, MemberTransfer
from mutualaid.tenancy import rls
from tests import factories


def constraint_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass", [table])
        return {row[0] for row in cursor.fetchall()}


def test_the_members_organisation_key_is_implied_and_not_made(db):
    names = {key[0] for key in rls.composite_keys()}
    assert "members_member_unit_id_tfk" in names
    assert "members_member_organisation_id_tfk" not in names
    assert "members_member_unit_id_tfk" in constraint_names("members_member")
    assert "members_member_organisation_id_tfk" not in constraint_names("members_member")
    assert rls.check_tenant_keys() == []


def insert_member(tenant, unit, organisation) -> None:
    """A member row written by hand (as COPY would), its keys checked at once."""
    info = factories.make_id_number()
    with connection.cursor() as cursor, transaction.atomic():
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "INSERT INTO members_member (id, tenant_id, unit_id, organisation_id, name, "
            "id_number, sex, birth_date, phone, category, employment_status, "
            "is_union_member, created_at, updated_at) VALUES (gen_random_uuid(), %s, %s, %s, "
            "'张三', %s, 'male', '1980-01-01', '', 'worker', 'in_service', true, now(), now())",
            [tenant.pk, unit.pk, organisation.pk, info],
        )


@pytest.mark.parametrize(
    ("case", "refused_by"),
    [
        ("own unit, its node", None),
        ("own unit, another node of the tenant", "member_organisation_is_its_unit"),
        ("own unit, another tenant's node", "member_organisation_is_its_unit"),
        ("another tenant's unit and node", "members_member_unit_id_tfk"),
        ("a node of the tenant that is no unit, as both", "members_member_unit_id_tfk"),
    ],
)
def test_a_member_row_is_refused_unless_its_unit_and_node_are_one_of_its_tenant(
    world, case, refused_by
):
    own = factories.make_unit(world.unit)
    other_tenant = factories.make_unit(world.other_unit)
    sibling = factories.make_unit(world.sibling_unit)
    unit, node = {
        "own unit, its node": (own, own.organisation),
        "own unit, another node of the tenant": (own, sibling.organisation),
        "own unit, another tenant's node": (own, other_tenant.organisation),
        "another tenant's unit and node": (other_tenant, other_tenant.organisation),
        "a node of the tenant that is no unit, as both": (world.city, world.city),
    }[case]
    if refused_by is None:
        insert_member(world.tenant, unit, node)
        assert Member.objects.filter(unit=unit, name="张三").exists()
        return
    with pytest.raises(IntegrityError) as refused:
        insert_member(world.tenant, unit, node)
    assert refused_by in str(refused.value)


def with_implied(model, field_name: str, implied_by: str):
    field = copy.copy(model._meta.get_field(field_name))
    field.implied_by = implied_by
    return field


@pytest.mark.parametrize(
    ("model", "field_name", "implied_by", "problem"),
    [
        (Member, "organisation", "unit", None),
        (Member, "organisation", "nowhere", "has no field 'nowhere'"),
        (Member, "organisation", "tenant", "tenant has no composite key of its own"),
        (Member, "unit", "organisation", "organisation has no composite key of its own"),
        (MemberTransfer, "from_unit", "to_unit", "no check constraint says from_unit = to_unit"),
        (Policy, "organisation", "member", "no check constraint says organisation = member"),
    ],
)
def test_the_system_check_proves_an_implied_key(model, field_name, implied_by, problem):
    field = with_implied(model, field_name, implied_by)
    found = rls.implied_key_problem(model, field)
    if problem is None:
        assert found is None
    else:
        assert problem in found
