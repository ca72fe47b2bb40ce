"""Query counts of the tree and user lists are pinned and do not grow with rows (STYLE habit 7)."""

from __future__ import annotations

import pytest

from mutualaid.tenancy.models import OrganisationKind, Role
from tests import factories


@pytest.fixture
def grow(world):
    """Thirty more units below the county, each with a user: the lists get longer, not chattier."""

    def _grow():
        for n in range(30):
            node = factories.make_node(world.county, OrganisationKind.UNIT, f"新单位{n:02d}")
            factories.make_staff(node, Role.AGENT)

    return _grow


def _pinned(client, url, queries, rows_of, grow, django_assert_num_queries):
    with django_assert_num_queries(queries):
        before = rows_of(client.get(url))
    grow()
    with django_assert_num_queries(queries):
        after = rows_of(client.get(url))
    assert after == before + 30


def test_organisation_list_page(world, login, grow, django_assert_num_queries):
    # 1 session, 2 user, 3 actor (staff + tenant + node), 4 the subtree in path order,
    # 5 the header's org chain.
    _pinned(
        login(world.office_admin),
        "/org/",
        7,
        lambda r: len(r.context["nodes"]),
        grow,
        django_assert_num_queries,
    )


def test_staff_list_page(world, login, grow, django_assert_num_queries):
    # 1 session, 2 user, 3 actor, 4 the header's org chain,
    # 5 staff in scope with their user and node joined.
    _pinned(
        login(world.county_cadre),
        "/users/",
        7,
        lambda r: len(r.context["rows"]),
        grow,
        django_assert_num_queries,
    )


def test_api_organisations_list(world, login, grow, django_assert_num_queries):
    # 1 session, 2 user, 3 actor, 4 one keyset page of the subtree,
    # 5 the parents' ids, looked up by path for the whole page at once.
    client = login(world.office_admin)
    url = "/api/v1/organisations/?page_size=500"
    _pinned(client, url, 7, lambda r: len(r.json()["results"]), grow, django_assert_num_queries)


def test_api_users_list(world, login, grow, django_assert_num_queries):
    # 1 session, 2 user, 3 actor, 4 one keyset page of staff with user and node joined.
    client = login(world.county_cadre)
    _pinned(
        client,
        "/api/v1/users/?page_size=500",
        6,
        lambda r: len(r.json()["results"]),
        grow,
        django_assert_num_queries,
    )


def test_api_pages_cost_the_same_at_any_depth(world, login, grow, django_assert_num_queries):
    grow()
    client = login(world.office_admin)
    url = "/api/v1/users/?page_size=10"
    while url:
        with django_assert_num_queries(6):
            url = client.get(url).json()["next"]
