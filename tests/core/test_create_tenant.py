"""``manage.py create_tenant``: a new office with its first administrator, audited."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mutualaid.audit.models import AuditEvent
from mutualaid.tenancy.models import Organisation, OrganisationKind, Role, Staff, Tenant, User

pytestmark = pytest.mark.django_db


def _create(**options) -> str:
    out = StringIO()
    args = {
        "name": "中国职工保险互助会安徽省办事处",
        "slug": "anhui",
        "admin_username": "ah_admin",
        "admin_name": "张主任",
        **options,
    }
    call_command("create_tenant", stdout=out, **args)
    return out.getvalue()


def test_creates_the_tenant_its_root_and_an_office_admin_who_can_log_in(client):
    output = _create()

    tenant = Tenant.objects.get(slug="anhui")
    root = Organisation.objects.get(tenant=tenant, depth=1)
    assert (root.name, root.kind) == ("中国职工保险互助会安徽省办事处", OrganisationKind.OFFICE)
    staff = Staff.objects.select_related("user").get(tenant=tenant)
    assert (staff.user.username, staff.user.display_name) == ("ah_admin", "张主任")
    assert staff.organisation_id == root.pk
    assert staff.roles == [Role.OFFICE_ADMIN]

    password = re.search(r"Password \(shown once.*\): (\S+)", output).group(1)
    # Through the login page: axes wants the request.
    response = client.post("/accounts/login/", {"username": "ah_admin", "password": password})
    assert response.status_code == 302
    assert client.get("/").status_code == 200

    actions = set(AuditEvent.objects.filter(tenant=tenant).values_list("action", flat=True))
    assert {"tenant.create", "staff.create"} <= actions


def test_office_name_may_differ_from_the_tenant_name():
    _create(office_name="安徽省办事处")
    assert Organisation.objects.get(tenant__slug="anhui", depth=1).name == "安徽省办事处"


@pytest.mark.parametrize(
    "options, message",
    [
        ({"slug": "an hui"}, "--slug"),
        ({"admin_username": " "}, "--admin-username"),
    ],
)
def test_bad_input_is_refused(options, message):
    with pytest.raises(CommandError, match=message):
        _create(**options)
    assert not Tenant.objects.filter(name="中国职工保险互助会安徽省办事处").exists()


def test_existing_tenant_or_user_is_refused_and_nothing_is_written():
    _create()
    with pytest.raises(CommandError, match="exists already"):
        _create(admin_username="someone_else")
    with pytest.raises(CommandError, match="exists already"):
        _create(slug="anhui2", admin_username="someone_else")
    with pytest.raises(CommandError, match="taken"):
        _create(name="另一个办事处", slug="other", admin_username="AH_ADMIN")
    assert Tenant.objects.count() == 1
    assert User.objects.count() == 1
