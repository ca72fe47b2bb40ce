"""The API of individual applications: list, one, decide a batch (docs/api.md)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from individuals.models import ApplicationStatus, IndividualApplication
from tests import factories

pytestmark = pytest.mark.django_db


def _pending(world, version, n):
    return [
        IndividualApplication.objects.create(
            tenant_id=world.tenant.pk,
            organisation=world.city,
            plan_version=version,
            name=f"骑手{i}",
            id_number=factories.make_id_number(birth="19900101"),
            phone="13800138000",
            occupation="快递员",
            platform="顺丰",
        )
        for i in range(n)
    ]


def test_the_cadre_reads_and_decides_through_the_api(world, login, open_version, today):
    applications = _pending(world, open_version, 3)
    client = login(world.city_cadre)
    listed = client.get(reverse("api-individual-application-list")).json()
    assert len(listed["results"]) == 3
    first = listed["results"][0]
    assert first["federation_name"] == "甲市总工会" and "*" in first["id_number"]
    one = client.get(reverse("api-individual-application-detail", args=[applications[0].pk]))
    assert one.status_code == 200 and one.json()["status"] == "pending"

    url = reverse("api-individual-application-decide")
    refused = client.post(
        url,
        {"ids": [str(applications[0].pk)], "decision": "refuse", "reason": ""},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "reason" in refused.json()
    refused = client.post(
        url,
        {"ids": [str(applications[0].pk)], "decision": "refuse", "reason": "重复登记"},
        content_type="application/json",
    )
    assert refused.status_code == 200 and refused.json()["decided"] == 1
    approved = client.post(
        url,
        {"ids": [str(a.pk) for a in applications[1:]], "decision": "approve"},
        content_type="application/json",
    )
    assert approved.status_code == 200, approved.json()
    assert approved.json()["decided"] == 2 and len(approved.json()["enrolments"]) == 1
    assert IndividualApplication.objects.filter(status=ApplicationStatus.APPROVED).count() == 2


def test_outside_the_subtree_the_api_answers_as_if_missing(world, login, open_version):
    [application] = _pending(world, open_version, 1)
    url = reverse("api-individual-application-detail", args=[application.pk])
    assert login(world.county_cadre).get(url).status_code == 404
    decide = login(world.county_cadre).post(
        reverse("api-individual-application-decide"),
        {"ids": [str(application.pk)], "decision": "approve"},
        content_type="application/json",
    )
    assert decide.status_code == 400  # not in the list: nothing said of it
    assert login(world.agent).get(url).status_code == 403  # the API checks the role first
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
