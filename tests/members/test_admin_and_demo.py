"""The admin uses the same validation and masking; the demo data is valid and idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from individuals.services import UNIT_SUFFIX
from members.models import Member, Unit
from members.validation import validate_credit_code, validate_id_number
from mutualaid.audit.models import AuditEvent
from mutualaid.tenancy.models import Organisation, OrganisationKind, User
from tests import factories

E8 = "11010519491231002X"
MASKED_E8 = "1101**********002X"


@pytest.fixture
def admin_as(as_user):
    def _admin(user):
        User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
        return as_user(User.objects.get(pk=user.pk))

    return _admin


def _change_data(member, **overrides):
    return {
        "name": member.name,
        "phone": member.phone,
        "category": member.category,
        "employment_status": member.employment_status,
        "is_union_member": "on",
        **overrides,
    }


def test_admin_change_runs_the_validation_path(world, units, admin_as):
    member = factories.make_member(units.a1, name="张三")
    client = admin_as(world.agent)
    url = f"/admin/members/member/{member.pk}/change/"
    response = client.post(url, _change_data(member, id_number="110105194912310021"))
    assert response.status_code == 200
    assert "The check digit of the ID number is wrong." in response.content.decode()

    response = client.post(
        url, _change_data(member, id_number=" 11010519491231002x", name="张 三丰")
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.id_number, member.sex, member.name) == (E8, "female", "张三丰")  # no padding
    assert AuditEvent.objects.filter(action="member.update", object_id=str(member.pk)).exists()


def test_admin_masks_for_roles_that_see_masked_numbers(world, units, admin_as):
    member = factories.make_member(units.a1, id_number=E8)
    client = admin_as(world.county_cadre)
    changelist = client.get("/admin/members/member/").content.decode()
    assert MASKED_E8 in changelist and E8 not in changelist
    change = client.get(f"/admin/members/member/{member.pk}/change/").content.decode()
    assert MASKED_E8 in change and E8 not in change and 'name="id_number"' not in change
    # Saving the other fields leaves the number alone.
    response = client.post(
        f"/admin/members/member/{member.pk}/change/", _change_data(member, name="改名")
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.name, member.id_number) == ("改名", E8)
    agent_change = (
        admin_as(world.agent).get(f"/admin/members/member/{member.pk}/change/").content.decode()
    )
    assert f'value="{E8}"' in agent_change


def test_admin_search_is_the_pages_search(world, units, admin_as):
    factories.make_member(units.a1, name="王秀英", id_number=E8)
    factories.make_member(units.a1, name="秀英王")
    client = admin_as(world.office_admin)
    body = client.get("/admin/members/member/", {"q": "11010519491231002x"}).content.decode()
    assert "王秀英" in body and "秀英王" not in body
    body = client.get("/admin/members/member/", {"q": "秀英"}).content.decode()
    assert "秀英王" in body and "王秀英" not in body


def test_admin_unit_change_is_validated(world, units, admin_as):
    client = admin_as(world.county_cadre)
    url = f"/admin/members/unit/{units.a1.pk}/change/"
    data = {
        "credit_code": "91110000600037341M",
        "ownership": "state_owned",
        "union_member_count": "10",
    }
    assert "The check character" in client.post(url, data).content.decode()
    assert client.post(url, {**data, "credit_code": "91110000600037341l"}).status_code == 302
    units.a1.refresh_from_db()
    assert units.a1.credit_code == "91110000600037341L"
    # Agents read their unit in the admin, and cannot change it.
    assert admin_as(world.agent).post(url, data).status_code == 403


def test_seed_demo_registers_units_and_members_once(db, settings):
    settings.DEMO = True  # a new demo database, as `make demo` makes it
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    unit_nodes = Organisation.objects.filter(
        kind=OrganisationKind.UNIT, tenant__slug__in=["guangxi", "zhejiang"]
    )
    assert Unit.objects.filter(pk__in=unit_nodes).count() == unit_nodes.count() > 0
    # Eight in each employer's unit; the federation's unit of individual members (issue 17.4)
    # holds the two applicants the demo approves.
    individual = unit_nodes.filter(name__endswith=UNIT_SUFFIX)
    assert individual.count() == 1
    members = Member.objects.count()
    assert members == 8 * (unit_nodes.count() - 1) + 2
    assert Member.objects.filter(unit_id__in=individual.values("pk")).count() == 2
    for unit in Unit.objects.all():
        assert validate_credit_code(unit.credit_code) == unit.credit_code
    for member in Member.objects.all():
        info = validate_id_number(member.id_number)
        assert (info.sex, info.birth_date) == (member.sex, member.birth_date)
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert Member.objects.count() == members and Unit.objects.count() == unit_nodes.count()
