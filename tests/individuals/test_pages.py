"""The pages of individual applications: the public form (no account, rate-limited), the
cadre's list with batch decisions (query count pinned), one application (404 outside)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse

from enrolment.models import EnrolmentStatus
from individuals.models import ApplicationStatus, IndividualApplication
from tests import factories

pytestmark = pytest.mark.django_db


def form_url(world, ref=None):
    return reverse("apply:form", args=[world.tenant.slug, ref or str(world.city.pk)])


def fill(version, name="韦小宝", **overrides):
    data = {
        "plan": str(version.pk),
        "name": name,
        "id_number": factories.make_id_number(birth="19920202"),
        "phone": "139 0774 0000",
        "occupation": "外卖配送员",
        "platform": "美团",
    }
    data.update(overrides)
    return data


def test_the_public_form_needs_no_account(client, world, open_version, today):
    response = client.get(form_url(world), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = response.content.decode()
    assert "甲市总工会" in page and "外卖配送员" in page and "饿了么" in page
    assert "职工指定疾病(手术)" in page
    response = client.post(form_url(world), fill(open_version))
    assert response.status_code == 302 and response.url.endswith("?sent=1")
    application = IndividualApplication.objects.get()
    assert application.organisation_id == world.city.pk
    assert application.phone == "13907740000"
    assert "已提交" in client.get(response.url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_the_form_shows_what_a_person_can_act_on(client, world, open_version, today):
    good = factories.make_id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = client.post(
        form_url(world),
        fill(open_version, id_number=bad, occupation="保安"),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "校验位" in page  # the ID number's check digit, members.validation's words
    assert "本计划只接受以下职业的申请" in page
    assert not IndividualApplication.objects.exists()


def test_a_federation_is_found_by_its_code_and_nothing_else(client, world, open_version):
    from mutualaid.tenancy.models import Organisation

    Organisation.objects.filter(pk=world.city.pk).update(code="JS-01")
    assert client.get(form_url(world, "JS-01")).status_code == 200
    # A unit, an unknown code, another tenant's slug: no such form.
    assert client.get(form_url(world, str(world.unit.pk))).status_code == 404
    assert client.get(form_url(world, "NOPE")).status_code == 404
    other = reverse("apply:form", args=[world.other_tenant.slug, str(world.city.pk)])
    assert client.get(other).status_code == 404


@override_settings(INDIVIDUAL_APPLY_RATE=(2, 3600))
def test_applications_are_rate_limited_per_address(client, world, open_version, today):
    for name in ("韦小宝", "黄飞鸿"):
        assert client.post(form_url(world), fill(open_version, name)).status_code == 302
    response = client.post(form_url(world), fill(open_version, "覃阿四"))
    assert response.status_code == 429
    assert IndividualApplication.objects.count() == 2
    # Another address is not held back.
    response = client.post(form_url(world), fill(open_version, "覃阿四"), REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302


def _apply_many(world, version, n):
    return [
        factories.make_individual_application(world.city, name=f"骑手{i:02d}")
        if version is None
        else IndividualApplication.objects.create(
            tenant_id=world.tenant.pk,
            organisation=world.city,
            plan_version=version,
            name=f"骑手{i:02d}",
            id_number=factories.make_id_number(birth="19900101"),
            phone="13800138000",
            occupation="快递员",
            platform="顺丰",
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("n", [3, 60])
def test_the_cadres_list_costs_the_same_queries_at_any_size(
    n, world, login, open_version, django_assert_max_num_queries
):
    _apply_many(world, open_version, n)
    client = login(world.city_cadre)
    # session, user, actor (staff + node), the page (one query), +2 for the tenancy scope.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("individuals:list"))
    assert response.status_code == 200
    assert response.content.decode().count('name="ids"') == min(n, 50)
    if n > 50:
        after = response.context["page"].next_cursor
        second = client.get(reverse("individuals:list"), {"after": after})
        assert second.content.decode().count('name="ids"') == n - 50


def test_the_cadre_approves_a_batch_from_the_list(world, login, open_version, today):
    applications = _apply_many(world, open_version, 3)
    client = login(world.city_cadre)
    response = client.post(
        reverse("individuals:decide"),
        {"ids": [str(a.pk) for a in applications], "decision": "approve"},
        follow=True,
    )
    assert response.status_code == 200
    assert "2026-12-06" in response.content.decode()
    assert set(IndividualApplication.objects.values_list("status", flat=True)) == {
        ApplicationStatus.APPROVED
    }
    enrolment = IndividualApplication.objects.first().enrolment
    assert enrolment.status == EnrolmentStatus.IN_FORCE
    assert enrolment.coverage_start == today + dt.timedelta(days=1)


def test_a_refusal_without_reason_is_refused_and_with_one_is_shown(
    world, login, open_version, today
):
    [application] = _apply_many(world, open_version, 1)
    client = login(world.city_cadre)
    url = reverse("individuals:decide")
    client.post(url, {"ids": [str(application.pk)], "decision": "refuse", "reason": ""})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
    client.post(url, {"ids": [str(application.pk)], "decision": "refuse", "reason": "证件过期"})
    page = client.get(reverse("individuals:detail", args=[application.pk])).content.decode()
    assert "证件过期" in page
    listed = client.get(reverse("individuals:list"), {"status": "refused"}).content.decode()
    assert "证件过期" in listed


def test_the_inbox_lists_pending_applications_for_the_cadre(world, login, open_version):
    _apply_many(world, open_version, 2)
    page = login(world.city_cadre).get(reverse("home")).content.decode()
    assert "骑手00" in page and reverse("individuals:list") in page
    # The county below does not see the city's applications.
    page = login(world.county_cadre).get(reverse("home")).content.decode()
    assert "骑手00" not in page


def test_one_application_outside_the_subtree_is_missing(world, login, open_version):
    [application] = _apply_many(world, open_version, 1)
    url = reverse("individuals:detail", args=[application.pk])
    assert login(world.city_cadre).get(url).status_code == 200
    assert login(world.county_cadre).get(url).status_code == 404
    assert login(world.other_tenant_admin).get(url).status_code == 404


def test_a_signed_in_user_of_another_tenant_sees_the_public_form(world, login, open_version):
    client = login(world.other_tenant_admin)
    response = client.get(form_url(world), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "甲市总工会" in response.content.decode()
    assert "乙省办事处" not in response.content.decode()  # no staff chrome of their own tenant
