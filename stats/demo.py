"""Statistics for the demo tenants (SPEC §13): the summaries built, last month's returns drafted,
and Wuzhou's submitted by its cadre, so the dashboards and the returns list show real data.
Idempotent: summaries are rebuilt, returns are made once, a submitted return stays submitted."""

from __future__ import annotations

from django.utils import timezone

from mutualaid.tenancy.models import Organisation, Tenant, User
from mutualaid.tenancy.scoping import actor_for
from stats import services
from stats.models import StatisticalReturn
from stats.refresh import summaries_refresh

DEMO_SLUGS = ("guangxi", "zhejiang")
#: (tenant, city, the cadre who submits its return)
SUBMITTED = [("guangxi", "梧州市总工会", "wz_cadre")]


def seed_stats() -> dict:
    today = timezone.localdate()
    year, month = services.previous_month(today)
    out = {"refreshed": 0, "returns": 0, "submitted": 0}
    for tenant in Tenant.objects.filter(slug__in=DEMO_SLUGS):
        summaries_refresh(tenant_id=tenant.pk)
        out["refreshed"] += 1
        out["returns"] += services.returns_prepare(tenant=tenant, year=year, month=month)
    for slug, city_name, username in SUBMITTED:
        city = Organisation.objects.filter(tenant__slug=slug, name=city_name).first()
        user = User.objects.filter(username=username).first()
        ret = StatisticalReturn.objects.filter(organisation=city, year=year, month=month).first()
        if city is None or user is None or ret is None or not ret.is_open:
            continue
        services.return_submit(
            actor=actor_for(user), ret=ret, reviewed=True, remarks="本月数据已与代办处台账核对。"
        )
        out["submitted"] += 1
    return out
