"""The roster export: policies of the actor's subtree, joined with member and unit, to .xlsx.

``export`` (GET: the filters; POST: starts a ``roster_export`` job, then shows its
progress and the download). The job (``enrolment.jobs.roster_export`` → ``run_export``)
streams ``policy_rows`` through a server-side cursor (``iter_values``) into
``write_xlsx``: flat memory at any size.

ID numbers are masked. Whole numbers are written only when the user asks and may see
them (``members.access``: office admins, reviewers and auditors, and agents, for the
members of the units they reach; cadres and finance never): each row's member unit now
is tested against ``full_id_number_prefix``, the rule ``may_see_full_id_number`` applies
to one member. An export with whole numbers is recorded in the audit log (who, the
filters, how many rows, how many of them whole).

The status column and filter are the state the policy is in today (``enrolment.states``):
last year's cover reads "expired", not the "in force" of its record.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrolment.models import Policy
from enrolment.states import POLICY_STATE_LABELS, CoverState, policy_state_expression
from members.access import FULL_ID_READER_ROLES, full_id_number_prefix
from members.models import Unit
from members.selectors import unit_choices
from mutualaid.audit.services import record
from mutualaid.core.cleaning import mask_id_number
from mutualaid.core.xlsx import DATE, ID_NUMBER, NUMBER, TEXT, ExportColumn, iter_values, write_xlsx
from mutualaid.jobs.access import access_job
from mutualaid.jobs.models import Job
from mutualaid.jobs.registry import JobOutcome
from mutualaid.jobs.services import job_create, job_enqueue, job_file_path
from mutualaid.jobs.tasks import run_job
from mutualaid.tenancy.access import staff_required
from mutualaid.tenancy.models import Role
from mutualaid.tenancy.scoping import Actor
from plans.models import Plan

EXPORTERS = (Role.OFFICE_ADMIN, Role.CADRE, Role.AGENT)
KIND = "roster_export"

#: values_list paths, in the order of ``COLUMNS``; the last one is for the ID check only.
PATHS = (
    "organisation__name",
    "member__name",
    "member__id_number",
    "member__sex",
    "member__birth_date",
    "plan__name",
    "shares",
    "tier",
    "start",
    "end",
    "state",
    "ended_on",
    "member__organisation__path",
)
_ID, _SEX, _STATUS, _PATH = 2, 3, 10, 12


def export_columns() -> list[ExportColumn]:
    return [
        ExportColumn(_("Unit"), TEXT, 24),
        ExportColumn("姓名", TEXT, 12),
        ExportColumn("身份证号码", ID_NUMBER, 22),
        ExportColumn("性别", TEXT, 6),
        ExportColumn("出生日期", DATE, 12),
        ExportColumn(_("Plan"), TEXT, 30),
        ExportColumn("份数", NUMBER, 7),
        ExportColumn(_("Tier"), TEXT, 10),
        ExportColumn(_("Cover from"), DATE, 12),
        ExportColumn(_("Cover until"), DATE, 12),
        ExportColumn(_("Status"), TEXT, 10),
        ExportColumn(_("Ended on"), DATE, 12),
    ]


def may_export_full_ids(actor: Actor) -> bool:
    """The roles that may see whole ID numbers of (some) members they reach."""
    return full_id_number_prefix(actor) is not None


def policy_rows(
    *,
    actor: Actor,
    unit: Unit | None = None,
    plan: Plan | None = None,
    on_date: dt.date | None = None,
    status: str = "",
) -> QuerySet[Policy]:
    """Policies in the actor's subtree, filtered: the enrolling unit, the plan, cover on a
    date, the policy's state today; ``state`` annotated (``enrolment.states``)."""
    qs = Policy.objects.for_actor(actor).annotate(state=policy_state_expression())
    if unit is not None:
        qs = qs.filter(organisation_id=unit.pk)
    if plan is not None:
        qs = qs.filter(plan_id=plan.pk)
    if on_date is not None:
        qs = qs.filter(start__lte=on_date, end__gte=on_date).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=on_date)
        )
    if status:
        qs = qs.filter(state=status)
    return qs.order_by("organisation__path", "member__name", "start", "id")


def _labelled(rows, *, full_prefix: str | None, counts: dict[str, int]):
    """State and sex as words; whole IDs only under ``full_prefix`` (members the actor may
    see whole, ``members.access``); ``counts["full"]`` counts the rows written whole."""
    states = {value: str(label) for value, label in POLICY_STATE_LABELS.items()}
    sexes = {"male": "男", "female": "女", "M": "男", "F": "女"}
    for row in rows:
        row = list(row)
        row[_STATUS] = states.get(row[_STATUS], row[_STATUS])
        row[_SEX] = sexes.get(row[_SEX], row[_SEX] or "")
        if full_prefix is not None:
            if (row[_PATH] or "").startswith(full_prefix):
                counts["full"] += 1
            else:
                row[_ID] = mask_id_number(row[_ID])
        yield row


class ExportForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=gettext_lazy("Unit"),
        empty_label=gettext_lazy("Every unit"),
    )
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.none(),
        required=False,
        label=gettext_lazy("Plan"),
        empty_label=gettext_lazy("Every plan"),
    )
    on_date = forms.DateField(
        required=False,
        label=gettext_lazy("Covered on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Only policies covering this day."),
    )
    status = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("Every status")), *CoverState.choices],
    )
    full_id_numbers = forms.BooleanField(
        required=False,
        label=gettext_lazy("Whole ID numbers"),
        help_text=gettext_lazy(
            "Otherwise they are masked (3401**********1234). Keep such a file safe."
        ),
    )

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_choices(actor=actor)
        self.fields["unit"].label_from_instance = lambda u: u.organisation.name
        self.fields["plan"].queryset = Plan.objects.for_actor(actor).order_by("code")
        self.fields["plan"].label_from_instance = lambda p: p.display_name
        if not may_export_full_ids(actor):
            del self.fields["full_id_numbers"]


def _access_export_job(actor: Actor, job_id) -> Job:
    return access_job(actor, job_id, kind=KIND)


@staff_required(*EXPORTERS)
def export(request):
    actor = request.actor
    job = _access_export_job(actor, request.GET["job"]) if request.GET.get("job") else None
    form = ExportForm(request.POST if request.method == "POST" else None, actor=actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        full = bool(data.get("full_id_numbers")) and may_export_full_ids(actor)
        params = {
            "unit": str(data["unit"].pk) if data["unit"] else "",
            "plan": str(data["plan"].pk) if data["plan"] else "",
            "on_date": data["on_date"].isoformat() if data["on_date"] else "",
            "status": data["status"],
            "full_id_numbers": full,
        }
        job = job_create(actor=actor, kind=KIND, title=_("Roster export"), params=params)
        job_enqueue(job, run_job)
        return redirect(f"{request.path}?job={job.pk}")
    return render(request, "enrolment/export.html", {"form": form, "job": job})


def run_export(job, report, actor: Actor) -> JobOutcome:
    """The ``roster_export`` job: the filters in ``job.params``, re-checked against the actor."""
    from members.access import access_unit
    from plans.access import access_plan_filter

    if not actor.has_role(*EXPORTERS):
        raise PermissionDenied
    params = job.params
    unit = access_unit(actor, params["unit"]) if params.get("unit") else None
    plan = access_plan_filter(actor, params["plan"]) if params.get("plan") else None
    on_date = dt.date.fromisoformat(params["on_date"]) if params.get("on_date") else None
    full = bool(params.get("full_id_numbers")) and may_export_full_ids(actor)
    qs = policy_rows(
        actor=actor, unit=unit, plan=plan, on_date=on_date, status=params.get("status", "")
    )
    total = qs.count()
    report(0, total)
    path = job_file_path(job, "roster.xlsx")
    full_prefix = full_id_number_prefix(actor) if full else None
    counts = {"full": 0}
    rows = _labelled(iter_values(qs, PATHS), full_prefix=full_prefix, counts=counts)
    written = write_xlsx(
        path=path,
        rows=rows,
        columns=export_columns(),
        sheet_name=_("Roster"),
        full_id_numbers=full,
        progress=lambda n: report(n, total),
        progress_every=2000,
    )
    if full:
        # Who took which people's whole numbers out of the portal, and how many (SPEC §4).
        record(
            actor=actor,
            action="enrolment.roster_export_full_ids",
            obj=job,
            organisation=unit.organisation if unit else actor.organisation,
            after={
                "rows": written,
                "full_id_numbers": counts["full"],
                "unit": params.get("unit") or "",
                "plan": params.get("plan") or "",
                "on_date": params.get("on_date") or "",
                "status": params.get("status") or "",
            },
        )
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = _("Roster-%(whose)s-%(day)s.xlsx") % {
        "whose": unit.organisation.name if unit else actor.organisation.name,
        "day": stamp,
    }
    return JobOutcome(
        result={"rows": written, "full_id_numbers": full},
        file_path=path,
        download_name=name,
        message=_("%(n)d policies exported.") % {"n": written},
        # Whole numbers: only while the requester may still read some.
        audience_roles=FULL_ID_READER_ROLES if full else EXPORTERS,
    )
