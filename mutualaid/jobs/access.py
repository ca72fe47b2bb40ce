"""Who may see a job: its requester alone, in their subtree, while they hold a role of
its audience.

A job shows and produces what its requester asked for (a roster with whole ID numbers,
the errors of an uploaded roster, a bank file), so nobody else opens it: not a
colleague with another role at the same node, not a cadre above, not a sibling
subtree, not another tenant. ``Job.audience_roles`` (set by the handler) narrows it
further to the roles allowed to see what it contains, checked against the requester's
roles now. Everyone else gets 404, as for a missing job.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404

from mutualaid.jobs.models import Job
from mutualaid.tenancy.scoping import Actor, ScopedQuerySet


def jobs_of(actor: Actor | None) -> ScopedQuerySet:
    """The jobs ``actor`` may see (see the module docstring)."""
    if actor is None:
        return Job.objects.none()
    return (
        Job.objects.for_actor(actor)
        .filter(actor_id=actor.user.pk)
        .filter(Q(audience_roles=[]) | Q(audience_roles__overlap=sorted(actor.roles)))
    )


def access_job(actor: Actor | None, job_id, **filters) -> Job:
    """A job the actor may see (narrowed by ``filters``); 404 when missing or not theirs."""
    try:
        return jobs_of(actor).get(pk=job_id, **filters)
    except (Job.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
