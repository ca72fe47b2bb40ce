"""Every demo user logs in through the real form and sees where they work (SPEC §13)."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from mutualaid.home.demo import DEMO_PASSWORD, seed_tenants
from mutualaid.tenancy.models import Staff

ORGPATH = re.compile(r'data-testid="orgpath">(.*?)</span>', re.S)


@pytest.fixture
def demo(db):
    created = seed_tenants()
    assert len(created) >= 15, "both demo tenants with users at several levels"
    return created


def test_every_demo_user_logs_in_and_sees_their_org_path(demo):
    staff_by_username = {
        s.user.username: s for s in Staff.objects.select_related("user", "tenant", "organisation")
    }
    for username, node_name, _roles in demo:
        staff = staff_by_username[username]
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}, follow=True
        )
        assert response.redirect_chain == [("/", 302)], f"{username} did not land on the home page"
        match = ORGPATH.search(response.content.decode())
        assert match, f"{username}: no org path in the header"
        orgpath = html.unescape(match.group(1))
        assert orgpath.startswith(staff.tenant.name), f"{username}: {orgpath!r}"
        assert orgpath.endswith(node_name), f"{username}: {orgpath!r} does not end at {node_name}"
        assert staff.organisation.name == node_name


def test_demo_users_are_spread_over_roles_and_levels(demo):
    roles = {role for _, _, joined in demo for role in joined.split(",")}
    assert roles == {"office_admin", "reviewer", "finance", "cadre", "agent", "auditor"}
    depths = set(
        Staff.objects.filter(user__username__in=[u for u, _, _ in demo]).values_list(
            "organisation__depth", flat=True
        )
    )
    assert depths == {1, 2, 3, 4}


def test_seeding_twice_adds_nothing(demo):
    assert seed_tenants() == []


def test_a_wrong_password_keeps_the_demo_user_out(demo):
    response = Client().post(
        "/accounts/login/", {"username": "gx_admin", "password": "wrong-2026x"}
    )
    assert response.status_code == 200
    assert 'data-testid="orgpath"' not in response.content.decode()
