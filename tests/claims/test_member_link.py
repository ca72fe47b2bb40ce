"""The member page leads to reporting an incident for that member, for those who may."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "shown"), [("agent", True), ("reviewer", True), ("auditor", False)]
)
def test_member_page_links_to_report(world, login, persona, shown):
    member = factories.make_member(world.unit, name="赵六")
    page = login(getattr(world, persona)).get(reverse("members:member_detail", args=[member.pk]))
    assert page.status_code == 200
    link = f"{reverse('claims:report_create')}?member={member.pk}"
    assert (link in page.content.decode()) is shown
