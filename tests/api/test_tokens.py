"""API tokens a user manages (issue 18, item 1): created over the API or the page by a
signed-in person, shown once, stored as a digest, acting with the user's roles and scope,
revoked or expired → 401 on the very next request, in the audit log; office admins also
for the service accounts of their node; each token its own rate budget (429 + Retry-After).
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from mutualaid.api.models import ApiToken
from mutualaid.api.throttling import UserRateThrottle
from mutualaid.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/tokens/"


def _session(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _create(client, **body):
    return client.post(TOKENS, {"name": "会员库", **body}, content_type="application/json")


def _bearer(secret) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {secret}")


def test_a_token_is_shown_once_stored_as_a_digest_and_acts_as_its_user(world):
    owner = _session(world.county_cadre)
    created = _create(owner, expires_on=str(timezone.localdate() + datetime.timedelta(days=30)))
    assert created.status_code == 201
    body = created.json()
    secret = body["secret"]
    assert secret.startswith("mah_") and len(secret) > 40
    assert body["prefix"] == secret[:12] and body["last_used_at"] is None

    # Never again: not in the list, not in the detail, not in the database.
    listed = owner.get(TOKENS).json()
    assert [row["name"] for row in listed] == ["会员库"]
    assert secret not in owner.get(TOKENS).content.decode()
    assert secret not in owner.get(f"{TOKENS}{body['id']}/").content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(t)::text FROM api_apitoken t")
        assert all(secret not in row for (row,) in cursor.fetchall())

    # The token is the cadre: their node, their subtree.
    api = _bearer(secret)
    me = api.get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["username"] == "county_cadre"
    names = [row["name"] for row in api.get("/api/v1/organisations/").json()["results"]]
    assert names == ["甲县总工会", "甲县医院工会", "甲县中学工会"]
    assert owner.get(f"{TOKENS}{body['id']}/").json()["last_used_at"] is not None

    event = AuditEvent.objects.get(action="api_token.create")
    assert (event.actor, event.object_id) == (world.county_cadre, body["id"])
    assert secret not in str(event.after)


def test_a_revoked_or_expired_token_is_401_at_once(world):
    owner = _session(world.agent)
    first, second = _create(owner).json(), _create(owner, name="银行").json()
    assert _bearer(first["secret"]).get("/api/v1/me/").status_code == 200

    revoked = owner.post(f"{TOKENS}{first['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    answer = _bearer(first["secret"]).get("/api/v1/me/")
    assert answer.status_code == 401 and answer["WWW-Authenticate"] == "Token"
    assert "撤销" in answer.json()["detail"] or "revoked" in answer.json()["detail"]
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=first["id"]).exists()

    ApiToken.objects.filter(pk=second["id"]).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert _bearer(second["secret"]).get("/api/v1/me/").status_code == 401
    # A deactivated user's tokens stop too.
    third = _create(owner, name="第三").json()
    type(world.agent).objects.filter(pk=world.agent.pk).update(is_active=False)
    assert _bearer(third["secret"]).get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize(
    "expires_on, message",
    [
        (0, "after today"),
        (400, "at most 366 days"),
    ],
)
def test_expiry_rules(world, expires_on, message):
    answer = _create(
        _session(world.agent),
        expires_on=str(timezone.localdate() + datetime.timedelta(days=expires_on)),
    )
    assert answer.status_code == 400
    assert set(answer.json()) == {"expires_on"}


def test_a_token_cannot_mint_tokens_and_others_tokens_are_404(world):
    mine = _create(_session(world.agent)).json()
    assert _create(_bearer(mine["secret"])).status_code == 403
    for stranger in (world.sibling_agent, world.county_cadre, world.office_admin):
        assert _session(stranger).get(f"{TOKENS}{mine['id']}/").status_code == 404
        assert _session(stranger).post(f"{TOKENS}{mine['id']}/revoke/").status_code == 404
    assert _bearer(mine["secret"]).get("/api/v1/me/").status_code == 200


def test_office_admins_make_service_accounts_and_their_tokens(world):
    admin = _session(world.office_admin)
    account = admin.post(
        "/api/v1/service-accounts/",
        {"username": "bank-sync", "display_name": "银行对账", "roles": ["finance"]},
        content_type="application/json",
    )
    assert account.status_code == 201
    account_id = account.json()["id"]
    created = _create(admin, name="银行对账", service_account=account_id)
    assert created.status_code == 201 and created.json()["username"] == "bank-sync"
    api = _bearer(created.json()["secret"])
    assert api.get("/api/v1/me/").json()["roles"] == ["finance"]
    # The service account cannot sign in.
    from mutualaid.tenancy.models import User

    assert User.objects.get(username="bank-sync").has_usable_password() is False
    # The admin sees and revokes it; an agent can neither make accounts nor use them.
    assert created.json()["id"] in [row["id"] for row in admin.get(TOKENS).json()]
    agent = _session(world.agent)
    assert agent.get("/api/v1/service-accounts/").status_code == 403
    refused = _create(agent, service_account=account_id)
    assert refused.status_code == 400 and set(refused.json()) == {"service_account"}
    # An office admin of another tenant cannot either.
    other = _create(_session(world.other_tenant_admin), service_account=account_id)
    assert other.status_code == 400
    # Nor for a person (not a service account) of their own node.
    person = _create(admin, service_account=str(world.finance.pk))
    assert person.status_code == 400
    assert admin.post(f"{TOKENS}{created.json()['id']}/revoke/").status_code == 200
    assert api.get("/api/v1/me/").status_code == 401


def test_the_page_shows_the_secret_once_and_revokes(world):
    page = _session(world.agent)
    created = page.post("/account/tokens/", {"form": "token", "name": "市总统计"})
    assert created.status_code == 201
    token = ApiToken.objects.get(name="市总统计")
    html = created.content.decode()
    secret = html.split('<code class="secret">')[1].split("<")[0]
    assert secret.startswith(token.prefix)
    assert _bearer(secret).get("/api/v1/me/").status_code == 200
    again = page.get("/account/tokens/").content.decode()
    assert token.prefix in again and secret not in again
    page.post(f"/account/tokens/{token.pk}/revoke/")
    assert _bearer(secret).get("/api/v1/me/").status_code == 401
    assert "已撤销" in page.get("/account/tokens/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_the_page_lists_tokens_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    page = _session(world.office_admin)
    for n in range(5):
        _create(page, name=f"t{n}")
    # session, user, staff (actor), service accounts, tokens with user and creator joined,
    # plus the base layout's own (navigation, notifications badge is htmx).
    with django_assert_max_num_queries(8):
        assert page.get("/account/tokens/").status_code == 200


def test_each_token_has_its_own_rate_budget_with_retry_after(world, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/minute"})
    owner = _session(world.agent)
    first, second = _create(owner).json(), _create(owner, name="二").json()
    api = _bearer(first["secret"])
    assert [api.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 429]
    refused = api.get("/api/v1/me/")
    assert 0 < int(refused["Retry-After"]) <= 60
    assert _bearer(second["secret"]).get("/api/v1/me/").status_code == 200
    from django.core.cache import cache

    cache.delete_many([f"throttle_token_{first['id']}", f"throttle_token_{second['id']}"])


def test_the_token_list_costs_the_same_for_more_tokens(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = _session(world.office_admin)

    def cost():
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(TOKENS).status_code == 200
        return len(queries)

    _create(admin, name="一")
    one = cost()
    for n in range(5):
        _create(admin, name=f"t{n}")
    # session, user, staff (the actor), the tokens with their user and creator joined; and
    # the tenant scope, set and restored.
    assert cost() == one <= 6
