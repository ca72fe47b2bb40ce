"""Demo registration data for the demo tenants' unit nodes, and a few members per unit.

Idempotent: a unit node that already has its ``Unit`` row is left alone, and members
are added only to units that have none, so ``seed_demo`` can run again and again.
ID numbers and credit codes are made up but valid (check characters computed).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from stdnum.cn import uscc

from members.models import EmploymentStatus, Industry, Member, MemberCategory, Ownership, Unit
from members.validation import complete_id_number, validate_id_number
from mutualaid.tenancy.models import Organisation, OrganisationKind

DEMO_TENANT_SLUGS = ("guangxi", "zhejiang")

# Node code → (region code of its county, ownership, industry, union members, contact, phone, bank)
UNIT_DATA: dict[str, tuple[str, str, str, int, str, str, str]] = {
    "CW-001": (
        "450421",
        Ownership.PUBLIC_SECTOR,
        Industry.HEALTH,
        412,
        "陈代办",
        "0774-2681234",
        "中国工商银行苍梧支行",
    ),
    "CW-002": (
        "450421",
        Ownership.PUBLIC_SECTOR,
        Industry.EDUCATION,
        186,
        "周代办",
        "13807741234",
        "中国农业银行苍梧支行",
    ),
    "CW-003": (
        "450421",
        Ownership.STATE_OWNED,
        Industry.UTILITIES,
        263,
        "梁主席",
        "0774-2689876",
        "中国建设银行苍梧支行",
    ),
    "TX-001": (
        "450422",
        Ownership.PUBLIC_SECTOR,
        Industry.PUBLIC_ADMINISTRATION,
        95,
        "何代办",
        "0774-7221234",
        "广西农村信用社藤县联社",
    ),
    "TX-002": (
        "450422",
        Ownership.NON_PUBLIC,
        Industry.TRANSPORT,
        530,
        "黄主席",
        "17707745678",
        "中国邮政储蓄银行藤县支行",
    ),
    "YC-001": (
        "330602",
        Ownership.PUBLIC_SECTOR,
        Industry.PUBLIC_ADMINISTRATION,
        240,
        "郑代办",
        "0575-85123456",
        "绍兴银行越城支行",
    ),
    "YC-002": (
        "330602",
        Ownership.STATE_OWNED,
        Industry.MANUFACTURING,
        1380,
        "沈主席",
        "0575-85654321",
        "中国银行绍兴分行",
    ),
    "KQ-001": (
        "330603",
        Ownership.COLLECTIVE,
        Industry.MANUFACTURING,
        2210,
        "冯代办",
        "13957512345",
        "浙江绍兴瑞丰农村商业银行",
    ),
}

NAMES = [
    "李建国",
    "王秀英",
    "张伟",
    "刘芳",
    "陈志强",
    "杨丽",
    "黄海涛",
    "赵敏",
    "周杰",
    "吴静",
    "覃美玲",
    "韦国庆",
]
CATEGORIES = [MemberCategory.WORKER] * 6 + [
    MemberCategory.MIGRANT_WORKER,
    MemberCategory.UNION_CADRE,
    MemberCategory.NEW_EMPLOYMENT,
]
MEMBERS_PER_UNIT = 8


def _credit_code(region: str, serial: int) -> str:
    first17 = f"91{region}3A{serial:07d}"  # letters are allowed from the 9th character on
    return first17 + uscc.calc_check_digit(first17 + "0")


def _id_number(region: str, birth: dt.date, serial: int, male: bool) -> str:
    order = serial * 2 % 1000 + (1 if male else 0)  # odd = male
    return complete_id_number(f"{region}{birth:%Y%m%d}{order:03d}")


def seed_units_and_members() -> tuple[int, int]:
    """Create missing ``Unit`` rows for the demo tenants' unit nodes and members for empty units.
    Returns (units created, members created)."""
    nodes = Organisation.objects.filter(
        tenant__slug__in=DEMO_TENANT_SLUGS, kind=OrganisationKind.UNIT
    ).order_by("path")
    units_created = members_created = 0
    with transaction.atomic():
        for serial, node in enumerate(nodes, start=1):
            region, ownership, industry, headcount, contact, phone, bank = UNIT_DATA.get(
                node.code, ("450400", Ownership.NON_PUBLIC, "", 50, "", "", "")
            )
            unit, created = Unit.objects.get_or_create(
                organisation=node,
                defaults={
                    "tenant_id": node.tenant_id,
                    "credit_code": _credit_code(region, serial),
                    "ownership": ownership,
                    "industry": industry,
                    "union_member_count": headcount,
                    "contact_name": contact,
                    "contact_phone": phone,
                    "bank_name": bank,
                    "bank_account": f"6222{serial:04d}0201{serial:08d}",
                },
            )
            units_created += created
            if Member.objects.filter(organisation_id=node.pk).exists():
                continue
            members = []
            for i in range(MEMBERS_PER_UNIT):
                n = serial * 100 + i
                birth = dt.date(1965 + n % 35, 1 + n % 12, 1 + n % 28)
                info = validate_id_number(_id_number(region, birth, n, male=i % 2 == 0))
                members.append(
                    Member(
                        tenant_id=node.tenant_id,
                        unit=unit,
                        organisation_id=node.pk,
                        name=NAMES[(serial + i) % len(NAMES)],
                        id_number=info.number,
                        sex=info.sex,
                        birth_date=info.birth_date,
                        phone=f"139{serial:04d}{i:04d}",
                        category=CATEGORIES[n % len(CATEGORIES)],
                        employment_status=EmploymentStatus.RETIRED
                        if i == MEMBERS_PER_UNIT - 1
                        else EmploymentStatus.IN_SERVICE,
                    )
                )
            Member.objects.bulk_create(members, ignore_conflicts=True)
            members_created += len(members)
    return units_created, members_created
