"""Demo individual applications (issue 17.4): riders and drivers who applied to 梧州市总工会
for the version the demo opened (``plans.demo.DEMO_INDIVIDUAL_OFFER``) — two approved as
the federation's gift (cover from the day after), three waiting in ``wz_cadre``'s inbox.

Through the services, as a person on the public page and as the cadre. Idempotent: a
tenant with any application is left alone."""

from __future__ import annotations

from individuals import services
from individuals.models import IndividualApplication
from mutualaid.tenancy.models import Organisation, Tenant, User
from mutualaid.tenancy.scoping import actor_for

#: (name, birth date, occupation, platform, approved)
PEOPLE = [
    ("蒙小龙", "19950312", "外卖配送员", "美团", True),
    ("覃海燕", "19920708", "快递员", "顺丰", True),
    ("黄志刚", "19880121", "网约车司机", "滴滴", False),
    ("韦春花", "19970905", "外卖配送员", "饿了么", False),
    ("李国栋", "19810430", "货车司机", "货拉拉", False),
]


def _id_number(birth: str, n: int) -> str:
    from members.validation import complete_id_number

    return complete_id_number(f"450403{birth}{700 + n:03d}")


def seed_individual_applications() -> int:
    tenant = Tenant.objects.filter(slug="guangxi").first()
    federation = Organisation.objects.filter(tenant=tenant, code="GX-WZ").first()
    user = User.objects.filter(username="wz_cadre").first()
    if tenant is None or federation is None or user is None:
        return 0
    if IndividualApplication.objects.filter(tenant=tenant).exists():
        return 0
    versions = services.open_versions(federation)
    if not versions:
        return 0
    made, approve = 0, []
    for n, (name, birth, occupation, platform, approved) in enumerate(PEOPLE):
        application = services.application_submit(
            federation=federation,
            version_id=versions[0].pk,
            name=name,
            id_number=_id_number(birth, n),
            phone=f"1397740{n:04d}",
            occupation=occupation,
            platform=platform,
        )
        made += 1
        if approved:
            approve.append(application.pk)
    if approve:
        services.applications_approve(actor=actor_for(user), ids=approve)
    return made
