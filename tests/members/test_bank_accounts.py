"""A unit's bank account is whole only for the roles that pay (finance, office admins) and
masked (``6222 **** **** 1234``) for everyone else, on the page, the edit form, the API,
the admin and the audit log (issue 12, item 8; docs/decisions.md "Bank accounts")."""

from __future__ import annotations

import pytest

from mutualaid.audit.models import AuditEvent
from mutualaid.core.cleaning import mask_bank_account
from mutualaid.tenancy.models import User
from tests import factories

ACCOUNT = "62220202000112345678"  # a 20-digit corporate account
MASKED = "6222 **** **** 5678"
PAYING = ["office_admin", "finance"]
NOT_PAYING = ["reviewer", "auditor", "city_cadre", "county_cadre", "agent"]


@pytest.fixture
def unit(world):
    return factories.make_unit(world.unit, bank_name="工商银行梧州分行", bank_account=ACCOUNT)


@pytest.mark.parametrize(
    "account, masked",
    [
        ("6222020200112345679", "6222 **** **** 5679"),  # a 19-digit card
        ("6222020200112345", "6222 **** **** 2345"),  # 16 digits: a card's bank prefix shows
        ("123456789012345", "**** 2345"),  # shorter accounts show the last four only
        ("12345678", "**** 5678"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_the_mask_keeps_the_last_four_digits(account, masked):
    assert mask_bank_account(account) == masked


@pytest.mark.parametrize("who", PAYING + NOT_PAYING)
def test_the_unit_page_and_api_show_the_account_as_the_role_may_see_it(world, unit, as_user, who):
    client = as_user(getattr(world, who))
    page = client.get(f"/units/{unit.pk}/").content.decode()
    api = client.get(f"/api/v1/units/{unit.pk}/").json()
    listed = client.get("/api/v1/units/").json()["results"]
    expected = ACCOUNT if who in PAYING else MASKED
    assert expected in page and api["bank_account"] == expected
    assert [r["bank_account"] for r in listed if r["id"] == str(unit.pk)] == [expected]
    if who in NOT_PAYING:
        assert ACCOUNT not in page and ACCOUNT not in str(api)


def test_a_cadre_edits_a_unit_without_reading_its_account(world, unit, as_user):
    client = as_user(world.county_cadre)
    form_page = client.get(f"/units/{unit.pk}/edit/")
    body = form_page.content.decode()
    assert ACCOUNT not in body and MASKED in body  # the help text names the masked account
    assert "bank_account" not in form_page.context["form"].initial
    data = {"name": "甲县医院工会", "ownership": "state_owned", "bank_name": "工商银行梧州分行"}
    # Left empty, the account on file stays.
    assert client.post(f"/units/{unit.pk}/edit/", {**data, "bank_account": ""}).status_code == 302
    unit.refresh_from_db()
    assert unit.bank_account == ACCOUNT
    # A typed number replaces it (an account is written whole and read back masked).
    new = "62220202000187654321"
    assert client.post(f"/units/{unit.pk}/edit/", {**data, "bank_account": new}).status_code == 302
    unit.refresh_from_db()
    assert unit.bank_account == new
    # The office admin's form shows the whole number, as before.
    admin_form = as_user(world.office_admin).get(f"/units/{unit.pk}/edit/").context["form"]
    assert admin_form.initial["bank_account"] == new


def test_the_audit_log_keeps_the_account_masked(world, unit, as_user):
    as_user(world.office_admin).post(
        f"/units/{unit.pk}/edit/",
        {
            "name": "甲县医院工会",
            "ownership": "state_owned",
            "bank_account": "62220202000187654321",
        },
    )
    event = AuditEvent.objects.get(action="unit.update", object_id=str(unit.pk))
    assert event.before["bank_account"] == MASKED
    assert event.after["bank_account"] == "6222 **** **** 4321"
    assert ACCOUNT not in str(event.before) + str(event.after)
    audit_page = as_user(world.auditor).get("/audit/").content.decode()
    assert "62220202000187654321" not in audit_page and ACCOUNT not in audit_page


def test_the_admin_masks_the_account_for_a_cadre_and_keeps_it_on_save(world, unit, as_user):
    User.objects.filter(pk__in=[world.county_cadre.pk, world.office_admin.pk]).update(
        is_staff=True, is_superuser=True
    )
    url = f"/admin/members/unit/{unit.pk}/change/"
    cadre = as_user(User.objects.get(pk=world.county_cadre.pk))
    body = cadre.get(url).content.decode()
    assert ACCOUNT not in body and MASKED in body
    data = {
        "credit_code": "",
        "ownership": "state_owned",
        "industry": "",
        "union_member_count": "10",
        "contact_name": "",
        "contact_phone": "",
        "bank_name": "工商银行梧州分行",
        "bank_account": "1111111111",  # not a field for this user: ignored
    }
    assert cadre.post(url, data).status_code == 302
    unit.refresh_from_db()
    assert (unit.bank_account, unit.union_member_count) == (ACCOUNT, 10)
    admin_body = as_user(User.objects.get(pk=world.office_admin.pk)).get(url).content.decode()
    assert ACCOUNT in admin_body


def test_events_written_before_accounts_were_masked_are_shown_masked(world, as_user):
    event = factories.make_audit_event(
        world.unit, action="unit.update", before={"bank_account": ACCOUNT}, after={"x": 1}
    )
    for user, shown in ((world.auditor, MASKED), (world.office_admin, ACCOUNT)):
        body = as_user(user).get("/audit/").content.decode()
        assert shown in body and (shown == ACCOUNT or ACCOUNT not in body)
    User.objects.filter(pk=world.auditor.pk).update(is_staff=True, is_superuser=True)
    admin = as_user(User.objects.get(pk=world.auditor.pk))
    body = admin.get(f"/admin/audit/auditevent/{event.pk}/change/").content.decode()
    assert MASKED in body and ACCOUNT not in body
