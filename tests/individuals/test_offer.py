"""The offer on a plan version (``PlanVersion.individual_offer``, plans.individuals): who
may apply, validated the same way from the version form, the services and the seed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from plans.individuals import clean_offer
from plans.models import PlanVersion
from tests.plans.test_pages import draft, errors_of, version_post  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

OK = {"open": True, "occupations": "快递员\n外卖配送员", "platforms": "美团、饿了么", "shares": 1}


def JOBS(n):  # noqa: N802 - reads as a constant in the table
    return [f"职业{i}" for i in range(n)]


CASES = [
    # (case, raw, expected or the field refused)
    ("closed", {}, {}),
    ("not open", {"open": False, "occupations": ["快递员"]}, {}),
    (
        "lines and 、 split, duplicates dropped",
        {**OK, "occupations": "快递员\n外卖配送员\n快递员"},
        {
            "open": True,
            "occupations": ["快递员", "外卖配送员"],
            "platforms": ["美团", "饿了么"],
            "funding": "federation_gift",
            "shares": 1,
        },
    ),
    ("no occupation", {**OK, "occupations": " \n "}, "individual_occupations"),
    ("word of 31 characters", {**OK, "platforms": "平" * 31}, "individual_platforms"),
    ("word of 30 characters", {**OK, "platforms": "平" * 30}, None),
    (
        "41 occupations",
        {**OK, "occupations": [f"职业{i}" for i in range(41)]},
        "individual_occupations",
    ),
    ("40 occupations", {**OK, "occupations": [f"职业{i}" for i in range(40)]}, None),
    ("unknown funding", {**OK, "funding": "employer"}, "individual_funding"),
    ("zero shares", {**OK, "shares": 0}, None),  # 0 reads as "not given": one share
    ("negative shares", {**OK, "shares": -1}, "individual_shares"),
]


@pytest.mark.parametrize("case,raw,expected", CASES, ids=[c[0] for c in CASES])
def test_clean_offer(case, raw, expected):
    if isinstance(expected, str):
        with pytest.raises(ValidationError) as error:
            clean_offer(raw)
        assert expected in error.value.error_dict
        return
    cleaned = clean_offer(raw)
    if isinstance(expected, dict):
        assert cleaned == expected
    else:
        assert cleaned["open"] is True


def test_the_version_form_edits_the_offer(world, login, draft):  # noqa: F811
    client = login(world.office_admin)
    plan = draft.plan
    url = reverse("plans:version_edit", args=[plan.pk, draft.pk])
    data = version_post(
        individual_open="on",
        individual_occupations="快递员\n货车司机",
        individual_platforms="顺丰\n货拉拉",
        individual_funding="federation_gift",
        individual_shares="1",
    )
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    draft.refresh_from_db()
    assert draft.individual_offer["occupations"] == ["快递员", "货车司机"]
    assert draft.individual_offer["platforms"] == ["顺丰", "货拉拉"]
    # Open without an occupation: refused on its field, nothing saved.
    response = client.post(url, {**data, "individual_occupations": ""})
    assert response.status_code == 200
    assert "individual_occupations" in response.context["form"].errors
    assert PlanVersion.objects.get(pk=draft.pk).individual_offer["occupations"] == [
        "快递员",
        "货车司机",
    ]
    # The form shows it again.
    page = client.get(url).content.decode()
    assert "货拉拉" in page
