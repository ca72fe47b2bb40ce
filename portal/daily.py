"""Today's daily run for one tenant, now: the jobs beat runs at night (``portal/celery.py``),
in the same order, limited to the tenant (issue 16 item 9).

It lives in ``portal`` because it spans the apps (premiums, claims, stats); each step is a
service the nightly task calls too, and each is idempotent in the data (see the tasks'
docstrings): a run now and the night's run — or two clicks — never do anything twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.services import daily as claims_daily
from claims.services import payouts
from premiums import services as premiums_services
from premiums.renewals import renewals_run
from stats import services as stats_services
from stats.refresh import summaries_refresh


def _invoices(tenant_id, today: dt.date) -> int:
    return premiums_services.invoices_issue_accepted(tenant_id=tenant_id)


def _renewals(tenant_id, today: dt.date) -> int:
    return renewals_run(today=today, tenant_id=tenant_id).renewals.prepared


def _expired(tenant_id, today: dt.date) -> int:
    return claims_daily.claims_expire_due(today_=today, tenant_id=tenant_id)


def _reminders(tenant_id, today: dt.date) -> int:
    return claims_daily.claims_remind_expiry(today_=today, tenant_id=tenant_id)


def _near_limit(tenant_id, today: dt.date) -> int:
    return claims_daily.claims_flag_near_limit(today_=today, tenant_id=tenant_id)


def _payout_batch(tenant_id, today: dt.date) -> int:
    batch = payouts.batch_build(actor=None, tenant_id=tenant_id)
    return 0 if batch is None else batch.line_count


def _returns(tenant_id, today: dt.date) -> int:
    return stats_services.returns_daily(today=today, tenant_id=tenant_id).prepared


def _statistics(tenant_id, today: dt.date) -> int:
    return 0 if summaries_refresh(tenant_id=tenant_id, as_of=today) is None else 1


#: (key, what the page calls it, the step): the night's order (invoices before renewals,
#: claims before the batch, statistics last so they count what the run changed).
STEPS: tuple[tuple[str, str, Callable[..., int]], ...] = (
    ("invoices", _("Invoices for accepted enrolments"), _invoices),
    ("renewals", _("Renewal drafts for cover coming to its end"), _renewals),
    ("expired", _("Claim applications past their expiry"), _expired),
    ("reminders", _("Reminders before claim applications expire"), _reminders),
    ("near_limit", _("Approved claims near their payout limit"), _near_limit),
    ("payout_batch", _("Payout batch of approved claims"), _payout_batch),
    ("returns", _("Statistical returns due"), _returns),
    ("statistics", _("Statistics refreshed"), _statistics),
)


def _noop(done: int, total: int | None = None) -> None:
    return None


def daily_run(
    *,
    tenant_id,
    today: dt.date | None = None,
    skip: frozenset[str] = frozenset(),
    report: Callable[[int, int | None], None] = _noop,
) -> dict[str, int]:
    """Run today's steps for ``tenant_id``; returns what each step did (0: nothing left to
    do — already done by an earlier run). ``skip``: step keys left out (``seed_demo``
    keeps the demo's accepted enrolment and approved claims to show). Each step commits
    on its own, as the nightly tasks do."""
    today = today or timezone.localdate()
    steps = [step for step in STEPS if step[0] not in skip]
    done: dict[str, int] = {}
    report(0, len(steps))
    for number, (key, _label, step) in enumerate(steps, start=1):
        done[key] = step(tenant_id, today)
        report(number, len(steps))
    return done


def step_labels() -> dict[str, str]:
    return {key: str(label) for key, label, _step in STEPS}
