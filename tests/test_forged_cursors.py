"""Forged page cursors are a quick 400 on every keyset-paged page and API list (issue 12, item 1).

A cursor is signed and then decoded strictly (``mutualaid.core.paging``), so no cursor the
list did not hand out reaches the database: the decimal ``1e999999`` that spun a worker at
100 %, dates a time zone pushes out of range, integers past bigint, NUL bytes, lone
surrogates, DRF-style query-string cursors, garbage, and a genuine cursor of another list.

Every list that takes ``after`` (pages) or ``cursor`` (API) is in ``KEYSET_LISTS``;
``tests/test_hostile_input.py`` walks every URL with a forged cursor and fails on a list
that answers 400 without being named here, so a new list is enrolled the day it is added.
"""

from __future__ import annotations

import base64
import json
import time

import pytest

from mutualaid.audit.models import AuditEvent
from mutualaid.core.paging import cursor_salt, sign_cursor
from mutualaid.tenancy.models import Staff, User
from tests import isolation
from tests.urlwalk import KEYSET_LISTS, WALKED, urls_of


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _token(items) -> str:
    return _b64(json.dumps(items))


FORGED = {
    # The issue's own: base64 of [{"dec": "1e999999"}].
    "decimal 1e999999": "W3siZGVjIjogIjFlOTk5OTk5In1d",
    "decimal 1e999999, two keys": _token([{"dec": "1e999999"}, {"dec": "-1e999999"}]),
    "datetime a time zone pushes out of range": _token(
        [{"dt": "0001-01-01T00:00:00+14:00"}, {"u": "00000000-0000-0000-0000-000000000000"}]
    ),
    "date 9999-12-31": _token([{"d": "9999-12-31"}, 1]),
    "integer past bigint": _token([10**30]),
    "integer past bigint, two keys": _token([{"dt": "2026-01-01T00:00:00+00:00"}, 10**30]),
    "NUL byte": _token(["a\x00b", "a\x00b"]),
    "lone surrogate": _token(["\ud800", 1]),
    "DRF query string": _b64("o=0&p=%00"),
    "DRF huge offset": _b64("o=99999999999999999999&p=x"),
    "garbage": "garbage!!",
    "long": "A" * 5000,
    "signed for another list": sign_cursor([7], cursor_salt(AuditEvent.objects.all(), ("id",))),
}


@pytest.fixture
def admin_client(world, client):
    """Tenant A's office admin with every role: every list opens for them."""
    Staff.objects.filter(user=world.office_admin).update(roles=isolation.every_role())
    client.force_login(User.objects.get(pk=world.office_admin.pk))
    client.raise_request_exception = False
    return client


PAGED = sorted((p for p in WALKED if p.key in KEYSET_LISTS), key=lambda p: p.key)


def test_every_listed_keyset_list_exists():
    assert {p.key for p in PAGED} == set(KEYSET_LISTS)


@pytest.mark.parametrize("pattern", PAGED, ids=lambda p: p.key)
def test_forged_cursors_are_a_quick_400(pattern, world, admin_client):
    param = "cursor" if pattern.is_api else "after"
    url = urls_of(pattern, world)[0]
    assert admin_client.get(url).status_code == 200, f"{url} does not open for the admin"
    wrong = []
    for kind, cursor in FORGED.items():
        started = time.monotonic()
        response = admin_client.get(url, {param: cursor})
        elapsed = time.monotonic() - started
        if response.status_code != 400 or elapsed >= 1:
            wrong.append(f"{kind}: {response.status_code} in {elapsed:.2f} s")
            continue
        text = response.json()["detail"] if pattern.is_api else response.content.decode()
        if "翻页链接已失效" not in text:
            wrong.append(f"{kind}: 400 without the message: {text[:200]}")
    assert not wrong, f"{url}?{param}=…\n  " + "\n  ".join(wrong)
