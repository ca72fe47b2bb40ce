"""No input a client can send turns into a server error (issue 12, item 6).

Every URL of the project is walked (the same walk as ``tests/test_tenant_isolation.py``,
so a new view is covered the day it is added; one test per URL pattern, each in a fresh
world) as tenant A's office admin with every role and admin rights, so no role check
stops a request before the input is read:

- a NUL byte in query parameters (values and names) → 400 everywhere; in a posted form
  → 400 on every page;
- a forged page cursor → 400 on exactly the keyset lists of ``KEYSET_LISTS`` (so a new
  list is enrolled in ``tests/test_forged_cursors.py``), a 5xx nowhere;
- on every API endpoint and write method, bodies that are JSON but not an object (``[]``,
  ``"x"``, ``null``…), and objects carrying a NUL or a lone surrogate in text and choice
  fields → never a 5xx, and a 400 wherever the view reads the body.

One mechanism answers all of them: ``mutualaid.core.middleware.InputGuardMiddleware`` for
parameters and ``mutualaid.api.parsers.ObjectJSONParser`` for JSON bodies.
"""

from __future__ import annotations

import inspect
import json

import pytest

from mutualaid.tenancy.models import Staff, User
from tests import isolation
from tests.urlwalk import KEYSET_LISTS, WALKED, urls_of

NUL = "a\x00b"
FORGED_CURSOR = "W3siZGVjIjogIjFlOTk5OTk5In1d"  # base64 of [{"dec": "1e999999"}] (issue 12)
BAD_CURSOR_TEXT = "翻页链接已失效"  # the start of BadCursor's message
# Names the pages and the API read as filters, searches and cursors; any parameter would do.
PARAMETER_NAMES = (
    "q",
    "status",
    "state",
    "kind",
    "unit",
    "plan",
    "action",
    "after",
    "cursor",
    "page_size",
    "year",
    "month",
    "unread",
)
NON_OBJECT_BODIES = ("[]", '"x"', "null", "1", "true", "[{}]", '[{"name": "x"}]')
# Field names of the API's write serializers: text fields and choice fields alike.
BODY_FIELDS = (
    "name",
    "code",
    "kind",
    "status",
    "category",
    "reason",
    "note",
    "phone",
    "id_number",
    "decision",
    "tier",
    "description",
    "roles",
    "gender",
    "method",
    "party",
)
UNSTORABLE_TEXTS = ("\ud800", "\udfff", "a\x00b")
WRITE_METHODS = ("POST", "PUT", "PATCH")


@pytest.fixture
def admin_client(world, client):
    """Tenant A's office admin with every role and admin rights."""
    Staff.objects.filter(user=world.office_admin).update(roles=isolation.every_role())
    User.objects.filter(pk=world.office_admin.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=world.office_admin.pk))
    client.raise_request_exception = False  # a server error is a 500 in the list, not a stop
    return client


def _view_reads_body(pattern, method: str) -> bool:
    """True when the API view's handler for ``method`` reads ``request.data``."""
    view_class = getattr(pattern.callback, "cls", None)
    handler = getattr(view_class, method.lower(), None)
    return handler is not None and "request.data" in inspect.getsource(handler)


def _nul_in_parameters(client, url: str) -> list[str]:
    wrong = []
    for params in ({name: NUL for name in PARAMETER_NAMES}, {NUL: "1"}):
        response = client.get(url, params)
        if response.status_code != 400:
            wrong.append(f"GET {url}?{list(params)[0]!r}=…: {response.status_code}")
    return wrong


def _nul_in_a_form(client, url: str) -> list[str]:
    response = client.post(url, {name: NUL for name in PARAMETER_NAMES + BODY_FIELDS})
    return [] if response.status_code == 400 else [f"POST form {url}: {response.status_code}"]


def _json_bodies(client, pattern, url: str) -> list[str]:
    """Non-object bodies, and objects with unstorable text, on every write method: never a
    5xx, and a 400 wherever the view reads the body."""
    bodies = [*NON_OBJECT_BODIES]
    # ensure_ascii: the JSON text carries the escapes \ud800 and \u0000.
    bodies += [json.dumps({name: text for name in BODY_FIELDS}) for text in UNSTORABLE_TEXTS]
    wrong = []
    for method in WRITE_METHODS:
        reads_body = _view_reads_body(pattern, method)
        for body in bodies:
            response = client.generic(method, url, body, content_type="application/json")
            if response.status_code >= 500 or (reads_body and response.status_code != 400):
                wrong.append(f"{method} {url} {body[:40]}: {response.status_code}")
    return wrong


def _forged_cursor(client, pattern, url: str) -> list[str]:
    """A forged cursor is refused as one exactly on the lists of ``KEYSET_LISTS``, and is a
    5xx nowhere."""
    response = client.get(url, {"after": FORGED_CURSOR, "cursor": FORGED_CURSOR})
    refused = response.status_code == 400 and BAD_CURSOR_TEXT in _text(response)
    if response.status_code >= 500 or refused != (pattern.key in KEYSET_LISTS):
        hint = "" if pattern.key in KEYSET_LISTS else " (pages by cursor? add to KEYSET_LISTS)"
        return [f"GET {url} with a forged cursor: {response.status_code}{hint}"]
    return []


def _text(response) -> str:
    return response.content.decode("utf-8", errors="replace")


@pytest.mark.parametrize("pattern", WALKED, ids=lambda p: p.key)
def test_unreadable_input_is_a_400_never_a_server_error(pattern, world, admin_client):
    wrong = []
    for url in urls_of(pattern, world):
        wrong += _nul_in_parameters(admin_client, url)
        wrong += _forged_cursor(admin_client, pattern, url)
        if pattern.is_api:
            wrong += _json_bodies(admin_client, pattern, url)
        else:
            wrong += _nul_in_a_form(admin_client, url)
    assert not wrong, "\n  ".join(["unreadable input not refused:", *wrong])


def test_the_walk_reaches_every_page_and_the_apis_write_endpoints():
    assert len(WALKED) > 150
    reading = [
        (p.key, m) for p in WALKED if p.is_api for m in WRITE_METHODS if _view_reads_body(p, m)
    ]
    assert len(reading) > 25


# --- What the person (or the API client) is told -------------------------------------------


def test_the_search_page_says_why_in_chinese(world, login):
    response = login(world.agent).get("/members/", {"q": NUL})
    assert response.status_code == 400
    body = response.content.decode()
    assert "无法保存的字符" in body and "<html" in body


def test_the_api_answers_json_in_the_clients_language(world, login):
    client = login(world.agent)
    response = client.get("/api/v1/members/", {"q": NUL})
    assert response.status_code == 400
    assert "无法保存的字符" in response.json()["detail"]
    response = client.get("/api/v1/members/", {"q": NUL}, HTTP_ACCEPT_LANGUAGE="en")
    assert "cannot be stored" in response.json()["detail"]


@pytest.mark.parametrize("body", NON_OBJECT_BODIES)
def test_a_patch_that_is_not_an_object_is_told_so(world, login, body):
    client = login(world.office_admin)
    url = f"/api/v1/organisations/{world.unit.pk}/"
    response = client.patch(url, body, content_type="application/json")
    assert response.status_code == 400
    assert "JSON 对象" in response.json()["detail"]


def test_deeply_nested_json_is_a_400(world, login):
    client = login(world.office_admin)
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/plans/", body, content_type="application/json")
    assert response.status_code == 400


def test_a_nul_hidden_in_a_quoted_cookie_is_a_400(world, client):
    # Django unquotes "\000" in a quoted cookie value to a NUL, which reached the session
    # lookup in PostgreSQL as it was (a 500 on every page).
    client.cookies["sessionid"] = "aaaaaaaa\x00"
    response = client.get("/members/")
    assert response.status_code == 400
