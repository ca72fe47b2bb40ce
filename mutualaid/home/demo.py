"""Demo tenants (SPEC §13): two province offices so isolation is visible.

Idempotent: a tenant that already exists is left as it is, so re-running
``seed_demo`` (as ``make demo`` does) reuses the data.

Only a demo database is seeded (``demo_database_refusal``): its users share a password
printed on the screen, so seeding a real office's database would open it to anyone who
has seen the demo. A demo database carries a mark (``DemoDatabase``); a database without
it becomes one only when the environment says so (``DEMO=true``, which ``make demo``
sets) and it holds no tenant but the demo's (none yet, or the demo's from before marks).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from mutualaid.accounts.services import tenant_create
from mutualaid.calendar.services import seed_years_from_package
from mutualaid.home.models import DemoDatabase
from mutualaid.tenancy.models import Organisation, OrganisationKind, Role, Staff, Tenant, User

DEMO_PASSWORD = "Huzhu2026demo"

K = OrganisationKind


@dataclass
class NodeSpec:
    name: str
    kind: str
    code: str = ""
    children: list[NodeSpec] = field(default_factory=list)
    # (username, display name, roles)
    users: list[tuple[str, str, list[str]]] = field(default_factory=list)


GUANGXI = NodeSpec(
    "中国职工保险互助会广西办事处",
    K.OFFICE,
    "GX",
    users=[
        ("gx_admin", "韦主任", [Role.OFFICE_ADMIN]),
        ("gx_reviewer", "黄审核", [Role.REVIEWER]),
        ("gx_reviewer2", "覃复核", [Role.REVIEWER]),
        ("gx_finance", "陆财务", [Role.FINANCE]),
        ("gx_finance2", "蒙出纳", [Role.FINANCE]),
        ("gx_auditor", "梁稽核", [Role.AUDITOR]),
    ],
    children=[
        NodeSpec(
            "梧州市总工会",
            K.CITY,
            "GX-WZ",
            users=[("wz_cadre", "李干事", [Role.CADRE])],
            children=[
                NodeSpec(
                    "苍梧县总工会",
                    K.COUNTY,
                    "GX-WZ-CW",
                    users=[("cw_cadre", "莫干事", [Role.CADRE])],
                    children=[
                        NodeSpec(
                            "苍梧县人民医院工会",
                            K.UNIT,
                            "CW-001",
                            users=[("cw_hospital_agent", "陈代办", [Role.AGENT])],
                        ),
                        NodeSpec(
                            "苍梧县第一中学工会",
                            K.UNIT,
                            "CW-002",
                            users=[("cw_school_agent", "周代办", [Role.AGENT])],
                        ),
                        NodeSpec("苍梧县供电公司工会", K.UNIT, "CW-003"),
                    ],
                ),
                NodeSpec(
                    "藤县总工会",
                    K.COUNTY,
                    "GX-WZ-TX",
                    users=[("tx_cadre", "邓干事", [Role.CADRE])],
                    children=[
                        NodeSpec(
                            "藤县交通运输局工会",
                            K.UNIT,
                            "TX-001",
                            users=[("tx_transport_agent", "何代办", [Role.AGENT])],
                        ),
                        NodeSpec("藤县快递物流行业工会", K.UNIT, "TX-002"),
                    ],
                ),
            ],
        ),
    ],
)

ZHEJIANG = NodeSpec(
    "中国职工保险互助会浙江省办事处",
    K.OFFICE,
    "ZJ",
    users=[
        ("zj_admin", "王主任", [Role.OFFICE_ADMIN]),
        ("zj_reviewer", "张审核", [Role.REVIEWER]),
        ("zj_finance", "赵财务", [Role.FINANCE]),
        ("zj_auditor", "孙稽核", [Role.AUDITOR]),
    ],
    children=[
        NodeSpec(
            "绍兴市总工会",
            K.CITY,
            "ZJ-SX",
            users=[("sx_cadre", "钱干事", [Role.CADRE, Role.REVIEWER])],
            children=[
                NodeSpec(
                    "越城区总工会",
                    K.COUNTY,
                    "ZJ-SX-YC",
                    users=[("yc_cadre", "吴干事", [Role.CADRE])],
                    children=[
                        NodeSpec(
                            "越城区机关工会",
                            K.UNIT,
                            "YC-001",
                            users=[("yc_agency_agent", "郑代办", [Role.AGENT])],
                        ),
                        NodeSpec("绍兴黄酒集团工会", K.UNIT, "YC-002"),
                    ],
                ),
                NodeSpec(
                    "柯桥区总工会",
                    K.COUNTY,
                    "ZJ-SX-KQ",
                    children=[
                        NodeSpec(
                            "柯桥区纺织企业联合工会",
                            K.UNIT,
                            "KQ-001",
                            users=[("kq_textile_agent", "冯代办", [Role.AGENT])],
                        ),
                    ],
                ),
            ],
        ),
    ],
)

DEMO_TENANTS = [
    ("中国职工保险互助会广西办事处", "guangxi", GUANGXI),
    ("中国职工保险互助会浙江省办事处", "zhejiang", ZHEJIANG),
]


def demo_database_refusal(*, demo_environment: bool) -> str | None:
    """Why this database must not be seeded, or None when it is a demo one."""
    if DemoDatabase.objects.exists():
        return None
    if not demo_environment:
        return (
            "This database is not a demo one: seed_demo would add users whose password it "
            "prints. Run it through `make demo` (DEMO=true) on a new database, or pass "
            "--force if you mean it."
        )
    others = Tenant.objects.exclude(slug__in=[slug for _, slug, _ in DEMO_TENANTS])
    if names := list(others.order_by("name").values_list("name", flat=True)[:3]):
        return (
            f"This database holds tenants that are not the demo's ({', '.join(names)}): "
            "seed_demo refuses it even with DEMO=true. Point DATABASE_URL at a demo "
            "database, or pass --force if you mean it."
        )
    return None


def mark_demo_database() -> None:
    if not DemoDatabase.objects.exists():
        DemoDatabase.objects.create()


def _add_users(node: Organisation, spec: NodeSpec, created: list[tuple[str, str, str]]) -> None:
    for username, display_name, roles in spec.users:
        user = User(username=username, display_name=display_name)
        user.set_password(DEMO_PASSWORD)
        user.save()
        Staff.objects.create(
            user=user, tenant_id=node.tenant_id, organisation=node, roles=list(roles)
        )
        created.append((username, node.name, ",".join(roles)))


def _build(parent: Organisation, spec: NodeSpec, created) -> None:
    node = Organisation.objects.add_child(
        parent,
        {"tenant_id": parent.tenant_id, "name": spec.name, "kind": spec.kind, "code": spec.code},
    )
    _add_users(node, spec, created)
    for child in spec.children:
        _build(node, child, created)


def seed_tenants() -> list[tuple[str, str, str]]:
    """Create the demo tenants that do not exist yet; return (username, node, roles) of the
    new users."""
    created: list[tuple[str, str, str]] = []
    for name, slug, spec in DEMO_TENANTS:
        if existing := Tenant.objects.filter(slug=slug).first():
            seed_years_from_package(
                tenant=existing
            )  # idempotent: tenants made before calendars existed
            continue
        with transaction.atomic():
            tenant, root = tenant_create(name=name, slug=slug, office_name=spec.name)
            root.code = spec.code
            root.save(update_fields=["code"])
            _add_users(root, spec, created)
            for child in spec.children:
                _build(Organisation.objects.get(pk=root.pk), child, created)
    return created


def demo_logins() -> list[tuple[str, str, str, str]]:
    """Every demo user: (tenant, username, node, roles), for the printed table."""
    slugs = [slug for _, slug, _ in DEMO_TENANTS]
    rows = (
        Staff.objects.filter(tenant__slug__in=slugs)
        .select_related("tenant", "organisation", "user")
        .order_by("tenant__slug", "organisation__path", "user__username")
    )
    return [(s.tenant.slug, s.user.username, s.organisation.name, ",".join(s.roles)) for s in rows]
