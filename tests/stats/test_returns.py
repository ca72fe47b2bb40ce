"""Monthly statistical returns: drafted from the data, reviewed and submitted by the city, due
by a working day of the next month, reminders, overdue flags, the office's review."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from mutualaid.audit.models import AuditEvent
from mutualaid.calendar.selectors import work_calendar_for
from mutualaid.calendar.services import seed_years_from_package
from mutualaid.notifications.models import Notification
from stats import services
from stats.models import ReturnStatus, StatisticalReturn
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar(world):
    seed_years_from_package(tenant=world.tenant)
    return work_calendar_for(world.tenant)


@pytest.mark.parametrize(
    ("year", "month", "working_day", "due"),
    [
        # October 2026 → November has no holidays: the 10th working day is Friday 13 November.
        (2026, 10, 10, dt.date(2026, 11, 13)),
        # September 2026 → 1–7 October is the National Day holiday; Thursday 8 October is the
        # first working day, the make-up Saturday 10 October the third; the 5th is 13 October.
        (2026, 9, 5, dt.date(2026, 10, 13)),
        # December 2025 → 1–3 January 2026 is the New Year break and Sunday 4 January a
        # make-up working day: the 1st working day of January is that Sunday.
        (2025, 12, 1, dt.date(2026, 1, 4)),
    ],
)
def test_due_by_a_working_day_of_the_next_month(calendar, year, month, working_day, due):
    result = services.due_date(calendar=calendar, year=year, month=month, working_day=working_day)
    assert result.date == due
    assert not result.provisional


def test_daily_job_drafts_the_cities_returns_from_the_data(stats_world, calendar):
    w = stats_world.w
    result = services.returns_daily(today=dt.date(2026, 11, 2))
    assert result.prepared == 2  # the one city of each tenant
    assert StatisticalReturn.objects.filter(tenant=w.tenant).count() == 1
    ret = StatisticalReturn.objects.get(organisation=w.city)
    assert (ret.year, ret.month, ret.status) == (2026, 10, ReturnStatus.DRAFT)
    assert ret.due_on == dt.date(2026, 11, 13)
    # October: only the claims c7 (rejected, submitted 9-08) … nothing paid; year to date:
    ytd = ret.figures["ytd"]
    assert ytd["amount_paid"] == "59999.99" and ytd["large_payouts"] == 3
    assert ytd["largest_payout"] == "25000.00" and ytd["on_time_rate"] == "80.0"
    assert ret.figures["month"]["claims_received"] == 1  # c8, submitted 2026-10-08
    assert ret.figures["coverage"]["rate"] == "24.0"
    assert ret.figures["as_of"] == "2026-11-20"
    # Run again (or a redelivered task): nothing new.
    again = services.returns_daily(today=dt.date(2026, 11, 2))
    assert again.prepared == 0 and StatisticalReturn.objects.count() == 2


def test_reminder_before_the_due_day_then_overdue(world, calendar):
    cadre2 = factories.make_staff(world.city, "cadre", username="city_cadre2")
    services.returns_daily(today=dt.date(2026, 11, 2))
    ret = StatisticalReturn.objects.get(organisation=world.city)
    assert not Notification.objects.filter(kind="stats.return_due").exists()  # 9 working days left

    services.returns_daily(today=dt.date(2026, 11, 10))  # 3 working days before 11-13
    reminded = Notification.objects.filter(kind="stats.return_due")
    assert set(reminded.values_list("recipient__username", flat=True)) == {
        "city_cadre",
        cadre2.username,
    }
    services.returns_daily(today=dt.date(2026, 11, 11))
    assert reminded.count() == 2  # once per return

    result = services.returns_daily(today=dt.date(2026, 11, 16))  # past the due day
    ret.refresh_from_db()
    assert ret.overdue and result.flagged_overdue == 2  # tenant B's city is late too
    late = Notification.objects.filter(kind="stats.return_overdue", tenant=world.tenant)
    assert set(late.values_list("recipient__username", flat=True)) == {
        "city_cadre",
        cadre2.username,
        "office_admin",
    }
    assert services.returns_daily(today=dt.date(2026, 11, 17)).flagged_overdue == 0
    assert (
        AuditEvent.objects.filter(action="stats.return.overdue", tenant=world.tenant).count() == 1
    )


def test_city_reviews_and_submits_then_the_office_accepts(world, calendar, login):
    services.returns_daily(today=dt.date(2026, 11, 2))
    ret = StatisticalReturn.objects.get(organisation=world.city)
    city = login(world.city_cadre)
    page = city.get(reverse("stats:return_detail", args=[ret.pk]))
    assert 'data-testid="return-submit-form"' in page.content.decode()

    # Not reviewed: refused on the checkbox.
    response = city.post(reverse("stats:return_submit", args=[ret.pk]), {"remarks": "无"})
    assert response.status_code == 400
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.DRAFT

    response = city.post(
        reverse("stats:return_submit", args=[ret.pk]),
        {"remarks": "本月无大额给付", "reviewed": "on"},
    )
    assert response.status_code == 302
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED and ret.remarks == "本月无大额给付"
    assert Notification.objects.filter(
        kind="stats.return_submitted", recipient=world.office_admin
    ).exists()

    # The county below the city cannot see it; the office accepts it.
    assert (
        login(world.county_cadre).get(reverse("stats:return_detail", args=[ret.pk])).status_code
        == 404
    )
    office = login(world.office_admin)
    assert office.post(reverse("stats:return_accept", args=[ret.pk])).status_code == 302
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.ACCEPTED and ret.decided_by == world.office_admin
    assert Notification.objects.filter(
        kind="stats.return_accepted", recipient=world.city_cadre
    ).exists()
    assert list(
        AuditEvent.objects.filter(object_id=str(ret.pk))
        .values_list("action", flat=True)
        .order_by("at")
    ) == ["stats.return.prepare", "stats.return.submit", "stats.return.accept"]


def test_send_back_needs_a_reason_and_the_city_submits_again_late(world, calendar):
    services.returns_daily(today=dt.date(2026, 11, 2))
    ret = StatisticalReturn.objects.get(organisation=world.city)
    city, office = world.actor(world.city_cadre), world.actor(world.office_admin)
    services.return_submit(actor=city, ret=ret, reviewed=True)
    with pytest.raises(ValidationError):
        services.return_send_back(actor=office, ret=ret, reason=" ")
    services.return_send_back(actor=office, ret=ret, reason="赔付金额与财务账不符")
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.RETURNED and ret.return_reason == "赔付金额与财务账不符"
    services.returns_daily(today=dt.date(2026, 11, 20))
    ret.refresh_from_db()
    assert ret.overdue  # sent back and past the due day: late again
    ret = services.return_refill(actor=city, ret=ret)
    ret = services.return_submit(actor=city, ret=ret, reviewed=True)
    assert ret.status == ReturnStatus.SUBMITTED and not ret.overdue
    assert ret.submitted_late is (dt.date.today() > ret.due_on)


def test_who_may_do_what(world, calendar):
    services.returns_daily(today=dt.date(2026, 11, 2))
    ret = StatisticalReturn.objects.get(organisation=world.city)
    with pytest.raises(PermissionDenied):
        services.return_submit(actor=world.actor(world.county_cadre), ret=ret, reviewed=True)
    with pytest.raises(PermissionDenied):  # the city does not accept its own return
        services.return_accept(actor=world.actor(world.city_cadre), ret=ret)
    office = world.actor(world.office_admin)
    services.return_submit(actor=office, ret=ret, reviewed=True)  # the office fills in for the city
    with pytest.raises(ValidationError):  # … but then someone else accepts it
        services.return_accept(actor=office, ret=ret)
    with pytest.raises(ValidationError):  # a second submission changes nothing
        services.return_submit(actor=office, ret=ret, reviewed=True)


def test_a_cadre_prepares_a_month_and_the_settings_set_the_due_day(world, calendar, login):
    city = login(world.city_cadre)
    response = city.post(reverse("stats:return_prepare"), {"month": "2026-09"})
    ret = StatisticalReturn.objects.get(organisation=world.city, year=2026, month=9)
    assert response.url == reverse("stats:return_detail", args=[ret.pk])
    # The 10th working day of October 2026: 8, 9, 10 (a make-up Saturday), 12 … 20 October.
    assert ret.due_on == dt.date(2026, 10, 20)
    assert (
        login(world.county_cadre)
        .post(reverse("stats:return_prepare"), {"month": "2026-09"})
        .status_code
        == 302
    )
    assert (
        StatisticalReturn.objects.filter(tenant=world.tenant).count() == 1
    )  # a county files nothing

    office = login(world.office_admin)
    response = office.post(
        reverse("stats:return_settings"), {"due_working_day": 5, "remind_working_days": 2}
    )
    assert response.status_code == 302
    services.returns_daily(today=dt.date(2026, 11, 2))
    assert StatisticalReturn.objects.get(organisation=world.city, month=10).due_on == dt.date(
        2026, 11, 6
    )
    assert (
        office.post(
            reverse("stats:return_settings"), {"due_working_day": 30, "remind_working_days": 2}
        ).status_code
        == 400
    )
    assert login(world.city_cadre).get(reverse("stats:return_settings")).status_code == 403


def test_office_sees_who_is_late(world, calendar, login):
    other_city = factories.make_node(world.office, "city", "丁市总工会")
    services.returns_daily(today=dt.date(2026, 11, 2))
    services.return_submit(
        actor=world.actor(world.city_cadre),
        ret=StatisticalReturn.objects.get(organisation=world.city),
        reviewed=True,
    )
    services.returns_daily(today=dt.date(2026, 11, 16))
    html = login(world.office_admin).get(reverse("stats:return_list")).content.decode()
    late = html.split('data-testid="late-returns"')[1].split("</div>")[0]
    assert "丁市总工会 2026-10" in late and "甲市总工会" not in late
    assert StatisticalReturn.objects.get(organisation=other_city).overdue


def test_return_xlsx(stats_world, calendar, login):
    services.returns_daily(today=dt.date(2026, 11, 2))
    ret = StatisticalReturn.objects.get(organisation=stats_world.w.city)
    response = login(stats_world.w.city_cadre).get(reverse("stats:return_xlsx", args=[ret.pk]))
    import io

    from openpyxl import load_workbook

    rows = [
        list(r)
        for r in load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
        .worksheets[0]
        .iter_rows(values_only=True)
    ]
    amounts = {row[0]: row[2] for row in rows[2:]}
    from django.utils import translation

    with translation.override("zh-hans"):  # the portal's default language
        label = translation.gettext("Amount paid (yuan)")
    assert label != "Amount paid (yuan)", "the Chinese catalogue is compiled"
    assert Decimal(str(amounts[label])) == Decimal("59999.99")
