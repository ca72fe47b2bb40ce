"""Breadcrumbs link only what the user may open; ancestors above the user's node are plain
text (issue 14: every page of an agent linked three nodes that answer 404). Menus show
what the role uses: the API documentation is the office admin's."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CRUMBS = re.compile(r'<nav class="breadcrumbs"[^>]*>(.*?)</nav>', re.S)
LINKS = re.compile(r'href="([^"]+)"')


def crumbs(html: str) -> str:
    return CRUMBS.search(html).group(1)


@pytest.mark.parametrize("who", ["agent", "county_cadre", "city_cadre", "office_admin"])
def test_breadcrumb_links_all_open(world, login, who):
    client = login(getattr(world, who))
    for url in (
        "/",
        reverse("tenancy:organisation_detail", args=[getattr(world, who).staff.organisation_id]),
    ):
        html = client.get(url).content.decode()
        links = LINKS.findall(crumbs(html))
        for link in links:
            assert client.get(link).status_code == 200, (who, url, link)


def test_an_agent_sees_the_ancestors_as_text(world, login):
    html = crumbs(login(world.agent).get("/").content.decode())
    for name in (world.office.name, world.city.name, world.county.name):
        assert f"<span>{name}</span>" in html
    assert reverse("tenancy:organisation_detail", args=[world.county.pk]) not in html
    assert reverse("tenancy:organisation_detail", args=[world.unit.pk]) in html


@pytest.mark.parametrize(
    ("who", "sees_api"),
    [
        ("office_admin", True),
        ("agent", False),
        ("county_cadre", False),
        ("reviewer", False),
        ("finance", False),
    ],
)
def test_only_the_office_admin_has_the_api_in_the_menu(world, login, who, sees_api):
    html = login(getattr(world, who)).get("/").content.decode()
    menu = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert ('href="/api/docs/"' in menu) is sees_api


@pytest.mark.parametrize(
    ("who", "hidden"),
    [("reviewer", ["/premiums/invoices/", "/enrolments/"]), ("finance", ["/members/"])],
)
def test_menus_leave_out_what_the_role_does_not_use(world, login, who, hidden):
    html = login(getattr(world, who)).get("/").content.decode()
    menu = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', html, re.S).group(1)
    for url in hidden:
        assert f'href="{url}"' not in menu, url
