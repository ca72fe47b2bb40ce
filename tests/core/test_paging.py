"""Keyset paging (STYLE 11): each row exactly once, whatever the ties; bad cursors harmless."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from mutualaid.core.paging import (
    BadCursor,
    _encode,
    cursor_salt,
    keyset_page,
    read_cursor,
    sign_cursor,
)
from mutualaid.tenancy.models import Organisation, OrganisationKind, Tenant
from tests import factories


def _all_pages(qs, order, size):
    """Follow next cursors to the end; return the pages as lists of primary keys."""
    pages, cursor = [], None
    while True:
        page = keyset_page(qs, order=order, after=cursor, size=size)
        pages.append([row.pk for row in page.rows])
        if not page.has_next:
            return pages
        cursor = page.next_cursor
        assert len(pages) < 1000, "paging does not end"


@pytest.fixture
def tree(db):
    """A tenant with 23 units in three kinds, all created at the same instant."""
    tenant, root = factories.make_tenant()
    for n in range(23):
        kind = [OrganisationKind.UNIT, OrganisationKind.AGENT, OrganisationKind.CITY][n % 3]
        factories.make_node(root, kind, f"节点{n:02d}")
    qs = Organisation.objects.filter(tenant=tenant)
    qs.update(created_at=timezone.now().replace(microsecond=0))  # every row ties on the first key
    return qs


@pytest.mark.parametrize("size", [1, 2, 5, 7, 23, 24, 100])
@pytest.mark.parametrize(
    "order", [("kind", "id"), ("-kind", "-id"), ("-created_at", "-id"), ("created_at", "id")]
)
def test_pages_never_repeat_or_skip_rows(tree, order, size):
    pages = _all_pages(tree, order, size)
    seen = [pk for page in pages for pk in page]
    assert seen == list(tree.order_by(*order).values_list("pk", flat=True))
    assert all(len(page) == size for page in pages[:-1])
    assert 0 < len(pages[-1]) <= size
    # No empty page after an exact fit: a last full page has no "next" link.
    assert len(pages) == max(1, -(-len(seen) // size))


def test_ties_in_a_decimal_key_with_uuid_tiebreak(db):
    for n in range(9):
        Tenant.objects.create(
            name=f"办事处{n}",
            slug=f"p{n}",
            four_eyes_threshold=Decimal("10000.00") if n % 2 else Decimal("20000.50"),
        )
    qs = Tenant.objects.all()
    for order in (("four_eyes_threshold", "id"), ("-four_eyes_threshold", "-id")):
        seen = [pk for page in _all_pages(qs, order, 2) for pk in page]
        assert seen == list(qs.order_by(*order).values_list("pk", flat=True))


def test_rows_added_behind_the_cursor_do_not_shift_the_next_page(tree):
    order = ("kind", "id")
    first = keyset_page(tree, order=order, after=None, size=5)
    root = Organisation.objects.get(tenant=tree.first().tenant, depth=1)
    factories.make_node(
        root, OrganisationKind.AGENT, "新增节点"
    )  # "agent" sorts before "city"/"unit"
    second = keyset_page(tree, order=order, after=first.next_cursor, size=5)
    assert not {r.pk for r in first.rows} & {r.pk for r in second.rows}
    expected = list(tree.order_by(*order).values_list("pk", flat=True))
    last_seen = expected.index(first.rows[-1].pk)
    assert [r.pk for r in second.rows] == expected[last_seen + 1 : last_seen + 6]


def _token(items) -> str:
    return base64.urlsafe_b64encode(json.dumps(items).encode()).decode().rstrip("=")


BAD_CURSORS = [
    "",
    "!!!not-base64!!!",
    "a",
    _token({"dt": "2026-01-01"}),  # not a list
    _token([1]),  # wrong length
    _token([1, 2, 3]),
    _token([{"dt": "not a date"}, {"u": "00000000-0000-0000-0000-000000000000"}]),
    _token([{"zz": 1}, {"u": "00000000-0000-0000-0000-000000000000"}]),  # unknown tag
    _token(["not a date", "not a uuid"]),  # right length, wrong types
    _token([[1], {"x": 2}]),
    _token([None, None]),
    base64.urlsafe_b64encode(b"\xff\xfe garbage").decode(),
]


def test_an_empty_cursor_is_the_first_page(tree):
    order = ("-created_at", "-id")
    page = keyset_page(tree, order=order, after="", size=5)
    assert [r.pk for r in page.rows] == list(tree.order_by(*order).values_list("pk", flat=True)[:5])


@pytest.mark.parametrize("cursor", [c for c in BAD_CURSORS if c])
def test_bad_cursors_are_refused(tree, cursor):
    # Not a silent first page (issue 12): the person is told the link is damaged (a 400).
    with pytest.raises(BadCursor):
        keyset_page(tree, order=("-created_at", "-id"), after=cursor, size=5)


@pytest.mark.parametrize("last_id", [10**30, -(10**30), True, 1.5, "1", None])
def test_odd_numbers_in_a_bigint_cursor_are_refused_even_when_signed(db, last_id):
    from mutualaid.audit.models import AuditEvent

    tenant, root = factories.make_tenant()
    for _ in range(3):
        factories.make_audit_event(root)
    qs, order = AuditEvent.objects.filter(tenant=tenant), ("-at", "-id")
    cursor = sign_cursor([dt.datetime(2100, 1, 1, tzinfo=dt.UTC), last_id], cursor_salt(qs, order))
    with pytest.raises(BadCursor):
        keyset_page(qs, order=order, after=cursor, size=2)


def test_cursor_round_trips_datetimes_dates_decimals_and_uuids():
    from mutualaid.core.paging import _decode

    values = [
        dt.datetime(2026, 3, 15, 8, 30, tzinfo=dt.UTC),
        dt.date(2026, 3, 16),
        Decimal("12.50"),
        uuid.uuid4(),
        7,
        "甲",
    ]
    assert _decode(_encode(values)) == values


def test_mixed_directions_are_refused(tree):
    with pytest.raises(ValueError):
        keyset_page(tree, order=("kind", "-id"), after=None, size=5)


# --- Signed, salted per list, typed and bounded (issue 12) -------------------------------------


def test_a_cursor_of_one_list_is_refused_by_another(tree):
    order = ("-created_at", "-id")
    first = keyset_page(tree, order=order, after=None, size=5)
    assert keyset_page(tree, order=order, after=first.next_cursor, size=5).rows
    with pytest.raises(BadCursor):  # another order of the same rows
        keyset_page(tree, order=("created_at", "id"), after=first.next_cursor, size=5)
    with pytest.raises(BadCursor):  # the same order of another model
        keyset_page(Tenant.objects.all(), order=order, after=first.next_cursor, size=5)


def test_a_tampered_cursor_is_refused(tree):
    cursor = keyset_page(tree, order=("kind", "id"), after=None, size=5).next_cursor
    payload, signature = cursor.rsplit(":", 1)
    values = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    values[0] = "zzz"
    forged = _token(values).rstrip("=") + ":" + signature
    with pytest.raises(BadCursor):
        keyset_page(tree, order=("kind", "id"), after=forged, size=5)


def _signed(qs, order, values):
    return sign_cursor(values, cursor_salt(qs, order))


ZERO_UUID = {"u": "00000000-0000-0000-0000-000000000000"}
# (order, values) that a list could never have handed out, each signed with the list's salt:
# the typed, bounded decoding refuses them even if the key signing them were known.
HOSTILE_SIGNED = [
    (("four_eyes_threshold", "id"), [{"dec": "1e999999"}, ZERO_UUID]),  # the issue's decimal
    (("four_eyes_threshold", "id"), [{"dec": "NaN"}, ZERO_UUID]),
    (("four_eyes_threshold", "id"), [{"dec": "123456789012345678901234567890"}, ZERO_UUID]),
    (("four_eyes_threshold", "id"), [{"dec": "1.123456789"}, ZERO_UUID]),
    (("four_eyes_threshold", "id"), ["10000.00", ZERO_UUID]),  # text for a decimal
    (("created_at", "id"), [{"dt": "0001-01-01T00:00:00+14:00"}, ZERO_UUID]),  # OverflowError
    (("created_at", "id"), [{"dt": "9999-12-31T23:59:59-14:00"}, ZERO_UUID]),
    (("created_at", "id"), [{"dt": "2026-01-01T00:00:00"}, ZERO_UUID]),  # naive
    (("created_at", "id"), [{"d": "2026-01-01"}, ZERO_UUID]),  # a date for a datetime
    (("created_at", "id"), [{"dt": "2026-01-01T00:00:00+00:00"}, "not a uuid"]),
    (("created_at", "id"), [{"dt": "2026-01-01T00:00:00+00:00"}, {"u": "x"}]),
    (("name", "id"), ["a\x00b", ZERO_UUID]),  # NUL: a DataError in PostgreSQL
    (("name", "id"), ["\ud800", ZERO_UUID]),  # a lone surrogate: UnicodeEncodeError
    (("name", "id"), ["甲" * 10_000, ZERO_UUID]),
    (("name", "id"), [7, ZERO_UUID]),
    (("name", "id"), [{"zz": "1"}, ZERO_UUID]),
    (("name", "id"), [["a"], ZERO_UUID]),
    (("name", "id"), [None, ZERO_UUID]),
    (("name", "id"), ["甲"]),  # wrong length
]


@pytest.mark.parametrize(("order", "values"), HOSTILE_SIGNED)
def test_signed_values_that_do_not_fit_the_key_are_refused_quickly(db, order, values):
    qs = Tenant.objects.all()
    started = time.monotonic()
    with pytest.raises(BadCursor):
        keyset_page(qs, order=order, after=_signed(qs, order, values), size=5)
    assert time.monotonic() - started < 1


def test_the_forged_cursor_of_the_issue_is_refused_at_once(db):
    started = time.monotonic()
    with pytest.raises(BadCursor):
        keyset_page(Tenant.objects.all(), order=("four_eyes_threshold",), after=BAD_DECIMAL, size=5)
    assert time.monotonic() - started < 1


BAD_DECIMAL = "W3siZGVjIjogIjFlOTk5OTk5In1d"  # base64 of [{"dec": "1e999999"}]


def test_decimals_dates_and_uuids_page_through_signed_cursors(db):
    values = [Decimal("20000.50"), dt.date(2026, 3, 16), uuid.uuid4()]
    assert read_cursor(sign_cursor(values, "a salt"), "a salt") == values
    with pytest.raises(BadCursor):
        read_cursor(sign_cursor(values, "a salt"), "another salt")
