"""The six seed plans (``plans.seed_plans``) loaded into the demo tenants (SPEC §13).

Idempotent: a plan whose code already exists in the tenant is left alone, so
``seed_demo`` can run again and creates nothing twice. Tests load the same plans
into their own tenants with ``load_seed_plan``.
"""

from __future__ import annotations

from datetime import date

from mutualaid.tenancy.models import Organisation, Tenant
from plans.models import Plan
from plans.seed_plans import DEMO_EXTRA_PLANS, PLANS, plan_by_key
from plans.services import plan_import

#: seed_plans names its tenants by region; the demo tenants of ``mutualaid.home.demo``
#: call the Zhejiang office "zhejiang" (Shaoxing is a city inside it).
DEMO_TENANT_SLUGS = {"guangxi": "guangxi", "shaoxing": "zhejiang"}


def load_seed_plan(key: str, *, tenant: Tenant, owner: Organisation) -> tuple[Plan, bool]:
    """One seed plan into ``tenant``, owned by ``owner``; (plan, created)."""
    existing = Plan.objects.filter(tenant=tenant, code=key).first()
    if existing is not None:
        return existing, False
    spec = plan_by_key(key)
    version = spec["version"]
    plan = plan_import(
        tenant=tenant,
        organisation=owner,
        code=spec["key"],
        name=spec["name"],
        short_name=spec["short_name"],
        source=spec["source"],
        label=version["label"],
        valid_from=date.fromisoformat(version["valid_from"]),
        terms=version["terms"],
    )
    return plan, True


def _owner(tenant: Tenant, spec: dict) -> Organisation | None:
    nodes = Organisation.objects.filter(tenant=tenant)
    if spec["owner_level"] == "office":
        return nodes.filter(depth=1).first()
    return nodes.filter(name=spec["owner_name"]).order_by("depth").first()


def seed_demo_plans() -> list[str]:
    """Load the seed plans into the demo tenants that exist; return the names created."""
    created = []
    for spec in PLANS:
        tenant = Tenant.objects.filter(slug=DEMO_TENANT_SLUGS[spec["tenant"]]).first()
        if tenant is None:
            continue
        owner = _owner(tenant, spec)
        if owner is None:
            continue
        plan, made = load_seed_plan(spec["key"], tenant=tenant, owner=owner)
        if made:
            created.append(plan.name)
    return created


#: The demo plan open to individual applications (issue 17.4): 梧州 cadres approve riders.
DEMO_INDIVIDUAL_OFFER = {
    "gx_designated_disease": {
        "open": True,
        "occupations": ["快递员", "外卖配送员", "网约车司机", "货车司机"],
        "platforms": ["美团", "饿了么", "滴滴", "顺丰", "货拉拉"],
        "funding": "federation_gift",
        "shares": 1,
    }
}


def open_demo_individual_offers() -> int:
    """Open the demo plan's versions to individual applications (idempotent)."""
    from plans.individuals import clean_offer
    from plans.models import PlanVersion

    changed = 0
    for code, offer in DEMO_INDIVIDUAL_OFFER.items():
        changed += PlanVersion.objects.filter(
            plan__code=code, plan__tenant__slug=DEMO_TENANT_SLUGS["guangxi"]
        ).update(individual_offer=clean_offer(offer))
    return changed


def seed_demo_extra_plans() -> list[str]:
    """The demo's own plans beside the seeds' (a plan sold in tiers), once; the names made."""
    created = []
    for spec in DEMO_EXTRA_PLANS:
        tenant = Tenant.objects.filter(slug=DEMO_TENANT_SLUGS[spec["tenant"]]).first()
        owner = _owner(tenant, spec) if tenant is not None else None
        if owner is None:
            continue
        plan, made = load_seed_plan(spec["key"], tenant=tenant, owner=owner)
        if made:
            created.append(plan.name)
    return created
