"""Tenant and subtree isolation across every URL of the project (SPEC §2, §12; STYLE habit 8).

The URL resolver is walked at collection time, so a new view is checked the day it
is added: a URL with an object id must be in ``tests/isolation.py`` (the failure
names it), and then tenant B and a sibling subtree must get from it exactly what a
missing id gets. URLs without an id are opened as tenant B's admin and as the
sibling, and must show none of tenant A's or unit A1's rows.
"""

from __future__ import annotations

import uuid

import pytest
from django.contrib import admin
from django.urls import reverse

from mutualaid.audit.models import AuditEvent
from mutualaid.tenancy.models import Organisation, Role, Staff, User
from tests import factories, isolation
from tests.urlwalk import PATTERNS, builder_for, is_admin_redirect

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _classify():
    objects, param_pages, uncovered = [], [], []
    for pattern in PATTERNS:
        if not pattern.params or pattern.key in isolation.SKIPPED or is_admin_redirect(pattern):
            continue
        if builder_for(pattern) is not None:
            objects.append(pattern)
        elif pattern.key in isolation.PARAM_PAGES:
            param_pages.append(pattern)
        else:
            uncovered.append(pattern)
    return objects, param_pages, uncovered


OBJECT_PATTERNS, PARAM_PATTERNS, UNCOVERED = _classify()
PLAIN_PATTERNS = [p for p in PATTERNS if not p.params and p.name]


# --- The registry covers every URL, and nothing stale ----------------------------


def test_every_url_with_an_id_is_in_the_isolation_registry():
    missing = sorted(f"{p.key}  ({p.route})" for p in UNCOVERED)
    assert not missing, (
        "URLs that take a parameter but are not in tests/isolation.py (add them to OBJECT_URLS, "
        "ADMIN_MODELS or PARAM_PAGES):\n  " + "\n  ".join(missing)
    )


def test_every_admin_model_is_scoped_or_operator_only():
    labels = {model._meta.label_lower for model in admin.site._registry}
    unknown = sorted(labels - set(isolation.ADMIN_MODELS) - set(isolation.ADMIN_OPERATOR_ONLY))
    assert not unknown, f"admin models in neither ADMIN_MODELS nor ADMIN_OPERATOR_ONLY: {unknown}"


def test_registry_names_only_urls_that_exist():
    names = {p.name for p in PATTERNS if p.name}
    routes = {p.route for p in PATTERNS}
    labels = {model._meta.label_lower for model in admin.site._registry}
    stale = sorted(
        [n for n in [*isolation.OBJECT_URLS, *isolation.PARAM_PAGES] if n not in names]
        + [k for k in isolation.SKIPPED if k not in names | routes]
        + [
            m
            for m in [*isolation.ADMIN_MODELS, *isolation.ADMIN_OPERATOR_ONLY_OBJECTS]
            if m not in labels
        ]
    )
    assert not stale, f"tests/isolation.py names URLs or admin models that no longer exist: {stale}"


# --- Helpers ------------------------------------------------------------------------


def _empower(user: User, *, all_roles: bool) -> None:
    """Admin rights, and every role when ``all_roles``: only the scope can stop this user."""
    if all_roles:
        Staff.objects.filter(user=user).update(roles=isolation.every_role())
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)


def _missing_like(value):
    if isinstance(value, uuid.UUID):
        return uuid.uuid4()
    if isinstance(value, int):
        return 2_000_000_000
    text = str(value)
    try:
        uuid.UUID(text)
    except ValueError:
        return "2000000000" if text.isdigit() else f"{text}-missing"
    return str(uuid.uuid4())


def _request(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    return client.generic(method, url, data=b"{}", content_type="application/json")


def _tenant_a_rows(world):
    """What a foreign write could change: tenant A's tree, staff and users, and the audit log."""
    return (
        list(Organisation.objects.filter(tenant=world.tenant).order_by("path").values()),
        list(Staff.objects.filter(tenant=world.tenant).order_by("user_id").values()),
        list(
            User.objects.filter(staff__tenant=world.tenant)
            .order_by("pk")
            .values("pk", "username", "display_name", "is_active", "password")
        ),
        AuditEvent.objects.count(),
    )


def _text(response) -> str:
    return response.content.decode("utf-8", errors="replace")


def _leaks(response, markers) -> list[str]:
    body = _text(response)
    return [marker for marker in markers if marker in body]


# --- Every object URL: the owner reaches it, tenant B and the sibling do not ----------


@pytest.mark.parametrize("pattern", OBJECT_PATTERNS, ids=lambda p: p.key)
def test_object_url_is_scoped(pattern, world, client):
    unit_markers = isolation.run_unit_a1_markers(world)
    target = isolation.Target(*builder_for(pattern)(world))
    url = reverse(pattern.name, kwargs=target.kwargs)
    missing_url = reverse(
        pattern.name, kwargs={k: _missing_like(v) for k, v in target.kwargs.items()}
    )

    # (a) The persona who owns the object is not told it does not exist.
    if target.owner is not None:
        if pattern.is_admin:
            _empower(target.owner, all_roles=False)
        client.force_login(User.objects.get(pk=target.owner.pk))
        response = client.get(url)
        assert response.status_code != 404, f"{pattern.key}: the owner {target.owner} got 404"

    # (b) Tenant B's admin and (c) the sibling subtree: exactly what a missing id gets.
    outsiders = [("tenant B's admin", world.other_tenant_admin)]
    if target.sibling is not None:
        outsiders.append(("the sibling subtree", target.sibling))
    for who, user in outsiders:
        _empower(user, all_roles=True)
        client.force_login(User.objects.get(pk=user.pk))
        before = _tenant_a_rows(world)
        for method in ("GET", *WRITE_METHODS):
            foreign = _request(client, method, url)
            missing = _request(client, method, missing_url)
            where = f"{method} {pattern.key} as {who}"
            assert foreign.status_code == missing.status_code, (
                f"{where}: {foreign.status_code} for tenant A's object but {missing.status_code} "
                "for a missing id, so the id is confirmed to exist"
            )
            if not pattern.is_admin:
                expected = {404} if method == "GET" else {403, 404, 405}
                assert foreign.status_code in expected, f"{where}: {foreign.status_code}"
            assert not _leaks(foreign, unit_markers), (
                f"{where} shows {_leaks(foreign, unit_markers)}"
            )
        assert _tenant_a_rows(world) == before, (
            f"{pattern.key}: a write as {who} changed tenant A's rows"
        )


# --- Jobs: their requester's alone, whatever the others' roles ----------------------------


@pytest.mark.parametrize("name", ["jobs:status", "jobs:download"])
def test_a_job_reaches_its_requester_alone(name, world, client):
    """A job shows and produces what one user asked for (a roster with whole ID numbers, the
    errors of their upload): another user of the same node with another role, a cadre
    above, a sibling subtree and another tenant all get what a missing job gets."""
    colleague = factories.make_staff(world.unit, Role.AGENT, username="unit_a1_agent2")
    cases = [
        (
            factories.make_job(world.office, world.office_admin, with_file=True),
            world.office_admin,
            [world.finance, world.auditor, world.other_tenant_admin],
        ),
        (
            factories.make_job(world.unit, world.agent, with_file=True),
            world.agent,
            [colleague, world.county_cadre, world.sibling_agent, world.other_tenant_agent],
        ),
    ]
    for job, requester, others in cases:
        url = reverse(name, kwargs={"job_id": job.pk})
        missing_url = reverse(name, kwargs={"job_id": uuid.uuid4()})
        client.force_login(User.objects.get(pk=requester.pk))
        assert client.get(url).status_code == 200, f"{name}: the requester got no answer"
        for user in others:
            _empower(user, all_roles=True)
            client.force_login(User.objects.get(pk=user.pk))
            for method in ("GET", *WRITE_METHODS):
                foreign = _request(client, method, url).status_code
                missing = _request(client, method, missing_url).status_code
                assert foreign == missing, f"{method} {name} as {user}: {foreign} vs {missing}"
            assert client.get(url).status_code == 404, f"{name} as {user}"


# --- URLs without an object id: tenant B and the sibling see none of A's rows ----------


def _plain_urls(world):
    urls = [(p.key, reverse(p.name)) for p in PLAIN_PATTERNS]
    for pattern in PARAM_PATTERNS:
        for kwargs in isolation.PARAM_PAGES[pattern.key](world):
            urls.append((f"{pattern.key}{kwargs}", reverse(pattern.name, kwargs=kwargs)))
    return urls


@pytest.mark.parametrize(
    "viewer",
    ["other_tenant_admin", "other_tenant_agent", "sibling_agent"],
)
def test_pages_without_an_id_show_no_foreign_rows(viewer, world, client):
    unit_markers = isolation.run_unit_a1_markers(world)
    if viewer == "sibling_agent":
        markers = unit_markers
    else:
        markers = isolation.tenant_a_markers(world, unit_markers)
    user = getattr(world, viewer)
    _empower(user, all_roles=True)
    client.force_login(User.objects.get(pk=user.pk))
    leaks = {}
    visited = 0
    for key, url in _plain_urls(world):
        response = client.get(url)
        if response.status_code == 200:
            visited += 1
        found = _leaks(response, markers)
        if found:
            leaks[key] = found
    assert not leaks, f"{viewer} sees tenant A's rows: {leaks}"
    assert visited >= 20, "the walk should have opened the pages, not bounced off them"


def test_the_owner_does_see_the_markers(world, login):
    """The leak walk is only worth something if each marker shows where it belongs."""
    unit_markers = isolation.run_unit_a1_markers(world)
    client = login(world.office_admin)
    bodies = "".join(_text(client.get(url)) for _, url in _plain_urls(world))
    unseen = [m for m in unit_markers if m not in bodies and not isinstance(m, isolation.Secret)]
    assert not unseen, f"markers tenant A's office admin cannot find on any page: {unseen}"


# --- Admin models that are not tenant rows: platform operators only ---------------------


@pytest.mark.parametrize("label", sorted(isolation.ADMIN_OPERATOR_ONLY))
def test_operator_only_admin_models_refuse_tenant_users(label, world, client):
    app_label, model_name = label.split(".")
    if not any(m._meta.label_lower == label for m in admin.site._registry):
        pytest.skip(f"{label} is not in the admin")
    # The strongest tenant account there is: a superuser with a staff membership.
    _empower(world.office_admin, all_roles=True)
    client.force_login(User.objects.get(pk=world.office_admin.pk))
    for view in ("changelist", "add"):
        response = client.get(reverse(f"admin:{app_label}_{model_name}_{view}"))
        assert response.status_code == 403, f"{label} {view}: {response.status_code}"

    operator = User.objects.create_superuser("operator", password="Operator-2026x")
    client.force_login(operator)
    assert client.get(reverse(f"admin:{app_label}_{model_name}_changelist")).status_code == 200


# --- Out of reach answers like missing, whatever the role (issue 14) ---------------------

PAGE_OBJECT_PATTERNS = [
    p for p in OBJECT_PATTERNS if not p.is_admin and not p.route.startswith("api/")
]


@pytest.mark.parametrize("pattern", PAGE_OBJECT_PATTERNS, ids=lambda p: p.key)
def test_out_of_reach_is_404_before_the_role_check(pattern, world, client):
    """The matrix above gives outsiders every role; here they keep their own. A page of an
    object out of reach must still say "missing" (404), not "forbidden" (403), which tells
    a school agent that the office's batch exists (SPEC §1)."""
    target = isolation.Target(*builder_for(pattern)(world))
    url = reverse(pattern.name, kwargs=target.kwargs)
    outsiders = [world.other_tenant_agent]
    if target.sibling is not None:
        outsiders.append(target.sibling)
    for user in outsiders:
        client.force_login(User.objects.get(pk=user.pk))
        status = client.get(url).status_code
        assert status in (404, 405), f"GET {pattern.key} as {user}: {status}"


# --- Member pages (/me/, issue 17): the member's own rows, nobody else's ----------------

MEMBER_PATTERNS = [p for p in PATTERNS if p.name and p.name.startswith("me:") and p.params]


def test_every_member_url_with_an_id_is_in_the_member_matrix():
    missing = sorted(p.name for p in MEMBER_PATTERNS if p.name not in isolation.MEMBER_OBJECT_URLS)
    assert not missing, f"member URLs not in tests/isolation.py MEMBER_OBJECT_URLS: {missing}"


@pytest.fixture
def member_personas(world):
    """Member A (unit A1), member A2 of the same unit, and member B of tenant B with the
    same ID number as member A."""
    unit_a = factories.make_unit(world.unit)
    owner = factories.make_member(unit_a, name="自助甲", phone=isolation.MEMBER_PHONE)
    neighbour = factories.make_member(unit_a, name="自助乙", phone="13900000002")
    unit_b = factories.make_unit(world.other_unit)
    foreign = factories.make_member(
        unit_b, name="自助丙", id_number=owner.id_number, phone=isolation.MEMBER_PHONE
    )
    return owner, neighbour, foreign


@pytest.mark.parametrize("name", sorted(isolation.MEMBER_OBJECT_URLS))
def test_member_url_is_the_members_alone(name, world, client, member_personas):
    owner, neighbour, foreign = member_personas
    kwargs = isolation.MEMBER_OBJECT_URLS[name](world, owner)
    url = reverse(name, kwargs=kwargs)
    missing_url = reverse(name, kwargs={k: _missing_like(v) for k, v in kwargs.items()})

    isolation.member_session(client, owner)
    response = client.get(url)
    assert response.status_code != 404, f"{name}: the owner got 404"

    for who, member in (("a member of the same unit", neighbour), ("tenant B", foreign)):
        client.logout()
        isolation.member_session(client, member)
        for method in ("GET", "POST"):
            foreign_answer = _request(client, method, url)
            missing_answer = _request(client, method, missing_url)
            assert foreign_answer.status_code == missing_answer.status_code == 404, (
                f"{method} {name} as {who}: {foreign_answer.status_code} / "
                f"{missing_answer.status_code}"
            )
            assert owner.name not in _text(foreign_answer)
