"""Personas (STYLE habit 8) and shared fixtures.

The world: tenant A (an office → a city → two counties → units) and tenant B.
- ``office_admin``: office admin of tenant A, at the root.
- ``city_cadre``: cadre at A's city.
- ``county_cadre``: cadre at A's first county.
- ``agent``: agent at unit A1 (under the first county).
- ``sibling_agent``: agent at unit A2, a sibling of A1 under the same county.
- ``other_county_agent``: agent at a unit under A's second county.
- ``other_tenant_admin``: office admin of tenant B.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mutualaid.tenancy.models import Organisation, OrganisationKind, Role, Tenant, User
from mutualaid.tenancy.scoping import Actor, actor_for
from tests import factories


@dataclass
class World:
    tenant: Tenant
    office: Organisation
    city: Organisation
    county: Organisation
    other_county: Organisation
    unit: Organisation
    sibling_unit: Organisation
    other_county_unit: Organisation
    office_admin: User
    reviewer: User
    reviewer2: User
    finance: User
    finance2: User
    auditor: User
    city_cadre: User
    county_cadre: User
    agent: User
    sibling_agent: User
    other_county_agent: User
    other_tenant: Tenant
    other_office: Organisation
    other_unit: Organisation
    other_tenant_admin: User
    other_tenant_agent: User

    def actor(self, user: User) -> Actor:
        user = User.objects.get(pk=user.pk)
        actor = actor_for(user)
        assert actor is not None
        return actor


@pytest.fixture
def world(db) -> World:
    tenant, office = factories.make_tenant("甲省办事处")
    city = factories.make_node(office, OrganisationKind.CITY, "甲市总工会")
    county = factories.make_node(city, OrganisationKind.COUNTY, "甲县总工会")
    other_county = factories.make_node(city, OrganisationKind.COUNTY, "乙县总工会")
    unit = factories.make_node(county, OrganisationKind.UNIT, "甲县医院工会")
    sibling_unit = factories.make_node(county, OrganisationKind.UNIT, "甲县中学工会")
    other_county_unit = factories.make_node(other_county, OrganisationKind.UNIT, "乙县电厂工会")
    other_tenant, other_office = factories.make_tenant("乙省办事处")
    other_city = factories.make_node(other_office, OrganisationKind.CITY, "丙市总工会")
    other_unit = factories.make_node(other_city, OrganisationKind.UNIT, "丙市机关工会")
    make = factories.make_staff
    return World(
        tenant=tenant,
        office=Organisation.objects.get(pk=office.pk),
        city=city,
        county=county,
        other_county=other_county,
        unit=unit,
        sibling_unit=sibling_unit,
        other_county_unit=other_county_unit,
        office_admin=make(office, Role.OFFICE_ADMIN, username="office_admin"),
        reviewer=make(office, Role.REVIEWER, username="reviewer"),
        reviewer2=make(office, Role.REVIEWER, username="reviewer2"),
        finance=make(office, Role.FINANCE, username="finance"),
        finance2=make(office, Role.FINANCE, username="finance2"),
        auditor=make(office, Role.AUDITOR, username="auditor"),
        city_cadre=make(city, Role.CADRE, username="city_cadre"),
        county_cadre=make(county, Role.CADRE, username="county_cadre"),
        agent=make(unit, Role.AGENT, username="agent"),
        sibling_agent=make(sibling_unit, Role.AGENT, username="sibling_agent"),
        other_county_agent=make(other_county_unit, Role.AGENT, username="other_county_agent"),
        other_tenant=other_tenant,
        other_office=Organisation.objects.get(pk=other_office.pk),
        other_unit=other_unit,
        other_tenant_admin=make(other_office, Role.OFFICE_ADMIN, username="other_admin"),
        other_tenant_agent=make(other_unit, Role.AGENT, username="other_agent"),
    )


@pytest.fixture
def login(client):
    """``login(user)`` logs the test client in as ``user`` and returns the client."""

    def _login(user: User):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


@pytest.fixture
def celery_worker_thread(transactional_db):
    """A real Celery worker (solo pool, in a thread) consuming from the Redis broker.

    Tasks sent with ``.delay()`` travel through Redis and run here against the
    test database; tests using it need ``transaction=True`` so the worker sees
    committed rows.
    """
    import celery.contrib.testing.tasks  # noqa: F401 - registers celery.ping for the start-up check
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    app.conf.task_always_eager = False
    app.control.purge()
    with start_worker(
        app, pool="solo", concurrency=1, perform_ping_check=True, shutdown_timeout=20
    ) as worker:
        yield worker


@pytest.fixture(autouse=True)
def _no_language_leaks():
    """Requests activate the user's language in this thread; the next test starts clean."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """The application role exists before the test database is migrated (row-level
    security's grants and policies name it; mutualaid/tenancy/rls.py)."""
    import psycopg
    from django.conf import settings

    from mutualaid.tenancy.roles import ensure_app_role

    db = settings.DATABASES["default"]
    with (
        psycopg.connect(
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            user=db["USER"],
            password=db["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        ) as conn,
        conn.cursor() as cursor,
    ):
        ensure_app_role(cursor, settings.TENANCY_DB_ROLE)
