"""The member's own cover (``/me/cover/``, self-service, issue 17): each plan, shares,
period, the unit that enrolled them, each share tranche's first fully covered day.

Three queries after the session: the member (``member_required``), their policies with
plan, version and enrolling unit (``policy_member_idx``), their tranches (the tranches'
policy index). Only the member's own rows: every query names the member."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from enrolment.models import Policy, PolicyStatus, ShareTranche
from members.selfservice.session import member_required


def member_policies(member) -> list[Policy]:
    """The member's policies, newest first, with their tranches as ``tranche_rows``."""
    policies = list(
        Policy.objects.filter(tenant_id=member.tenant_id, member_id=member.pk)
        .exclude(status=PolicyStatus.CANCELLED)
        .select_related("plan", "plan_version", "organisation", "enrolment")
        .order_by("-start", "id")
    )
    tranches: dict = {}
    if policies:
        for tranche in ShareTranche.objects.filter(
            tenant_id=member.tenant_id, policy_id__in=[p.pk for p in policies]
        ).order_by("policy_id", "start", "id"):
            tranches.setdefault(tranche.policy_id, []).append(tranche)
    today = timezone.localdate()
    for policy in policies:
        policy.tranche_rows = [
            {
                "shares": t.shares,
                "start": t.start,
                "waiting_end": t.waiting_end,
                "waits": t.waiting_end > t.start,
                "waiting_now": t.waiting_end > today,
            }
            for t in tranches.get(policy.pk, [])
        ]
    return policies


@member_required
def cover(request):
    return render(
        request,
        "me/cover.html",
        {"member": request.member, "policies": member_policies(request.member), "nav": "cover"},
    )
