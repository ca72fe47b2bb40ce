"""The member's own certificate (``/me/cover/<policy>/certificate/``): the unit's
certificate of the enrolment, cut to the member's own row (self-service, issue 17)."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from enrolment.models import EnrolmentStatus, Policy, PolicyStatus
from members.selfservice.session import member_required
from premiums import documents


@member_required
def certificate(request, policy_id):
    member = request.member
    policy = (
        Policy.objects.filter(tenant_id=member.tenant_id, member_id=member.pk, pk=policy_id)
        .exclude(status=PolicyStatus.CANCELLED)
        .select_related("enrolment__organisation", "enrolment__plan", "enrolment__plan_version")
        .first()
    )
    if policy is None or policy.enrolment.status != EnrolmentStatus.IN_FORCE:
        raise Http404
    data = documents.member_certificate_pdf(policy)
    response = HttpResponse(data, content_type="application/pdf")
    name = documents.member_certificate_filename(policy)
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
