"""Issue 19: a renewal draft holds its roster by reference to last year's policies, and its
lines are written when something first reads or edits it. It must show, check, invoice and
export exactly the roster it did when the run wrote every line.

Table-driven: for each case the daily run prepares the draft twice on the same facts (each
in a savepoint rolled back): once with its lines written right after the run — what the run
wrote before (``materialise`` is the old step 6's INSERT, for one draft) — and once left held
by reference until the page, the API, an edit or the submission reads it. The enrolment
page's text, the roster API's JSON, the lines after an edit, the submission's check messages,
the invoice amount and the roster export (.xlsx read back) must be equal, and the roster the
one the case expects."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from python_calamine import load_workbook

from enrolment.models import Enrolment, EnrolmentLine
from enrolment.roster_source import is_held, materialise, roster_lines
from enrolment.services.lines import line_add, line_check, line_update
from enrolment.services.workflow import enrolment_accept, enrolment_check, enrolment_submit
from members.models import EmploymentStatus, Member
from mutualaid.core.errors import DomainError
from mutualaid.jobs.models import Job
from mutualaid.jobs.tasks import run_job
from premiums import services
from premiums.models import Renewal
from premiums.renewals import renewals_run
from tests import factories
from tests.enrolment.support import new_enrolment
from tests.premiums.support import in_force

TODAY = dt.date(2026, 2, 20)  # in the notice window of last year's cover (ends 2026-03-15)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIME = re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b")
BASE = ("甲一", "乙二")  # continue unchanged in every case


def _died(ctx):
    Member.objects.filter(pk=ctx.x.pk).update(employment_status=EmploymentStatus.DIED)


def _left(ctx):
    Member.objects.filter(pk=ctx.x.pk).update(employment_status=EmploymentStatus.LEFT)


def _moved(ctx):
    factories.make_transfer(ctx.x, ctx.world.sibling_unit, ctx.world.office_admin)


def _more_shares(ctx, draft):
    line_update(actor=ctx.actors.agent, enrolment=draft, member=ctx.x, shares=3)


def _add_member(ctx, draft):
    line_add(actor=ctx.actors.agent, enrolment=draft, member=ctx.newcomer, shares=2)


@dataclass(frozen=True)
class Case:
    id: str
    roster: tuple  # (name, shares) on the draft after the agent's edit, in roster order
    dropped: str | None = None  # the reason X is left out with
    before: object = None  # facts before the run
    after: object = None  # facts after the run, before anything reads the draft
    edit: object = None  # the agent's edit of the draft
    problem: str | None = None  # the submission's message refusing the draft
    birth: str = "19800101"


NOT_IN_SERVICE = "丙三: Only members in service can join this plan."
X_KEPT = (("丙三", 2), ("乙二", 2), ("甲一", 2))  # roster order: by name
CASES = [
    Case("unchanged", X_KEPT),
    Case("left", (("乙二", 2), ("甲一", 2)), dropped="Left the employer.", before=_left),
    Case("died", (("乙二", 2), ("甲一", 2)), dropped="Deceased.", before=_died),
    Case(
        "aged out (61 on the first day)",
        (("乙二", 2), ("甲一", 2)),
        dropped="Aged 61 on 2026-03-16: the plan takes members up to 60.",
        birth="19650310",
    ),
    Case("moved unit", (("乙二", 2), ("甲一", 2)), dropped="Moved to 甲县中学工会.", before=_moved),
    Case("added shares", (("丙三", 3), ("乙二", 2), ("甲一", 2)), edit=_more_shares),
    Case("added at renewal", (*X_KEPT, ("丁新", 2)), edit=_add_member),
    # The run's roster stands as the run wrote it (as before issue 19); the submission's
    # checks catch what happened later, in the same words for both.
    Case("died after the run", X_KEPT, after=_died, problem=NOT_IN_SERVICE),
    Case("left after the run", X_KEPT, after=_left, problem=NOT_IN_SERVICE),
]


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    text = re.sub(r"csrfmiddlewaretoken\S*", "", text)
    return " ".join(TIME.sub("<time>", UUID.sub("<id>", text)).split())


def _json(value):
    """The API's JSON without the ids the database numbers (line ids, the draft's id) and the
    time a line was written (the agent's new line is written at a different moment in each
    twin; the run's lines carry the run's time either way: asserted below)."""
    if isinstance(value, dict):
        return {
            k: _json(v)
            for k, v in value.items()
            if k not in ("id", "next", "previous", "created_at")
        }
    if isinstance(value, list):
        return [_json(v) for v in value]
    return UUID.sub("<id>", value) if isinstance(value, str) else value


def _export(client, capture, plan):
    with capture() as callbacks:
        response = client.post(reverse("enrolments:export"), {"plan": plan.pk})
    assert response.status_code == 302
    assert len(callbacks) == 1
    job = Job.objects.filter(kind="roster_export").order_by("-created_at").first()
    assert run_job.apply(args=[str(job.pk)]).get() == "succeeded"
    download = client.get(reverse("jobs:download", args=[job.pk]))
    grid = load_workbook(io.BytesIO(b"".join(download.streaming_content))).get_sheet_by_index(0)
    return grid.to_python()


def _outputs(ctx, case: Case, *, written_by_the_run: bool) -> dict:
    with translation.override("en"):
        renewals_run(today=TODAY)
    draft = Renewal.objects.get(previous=ctx.last_year).enrolment
    assert is_held(draft)
    assert not EnrolmentLine.objects.filter(enrolment_id=draft.pk).exists()
    if written_by_the_run:  # the run's lines, as it wrote them before issue 19
        materialise(draft)
        assert not is_held(draft) and roster_lines(draft).count() == draft.member_count
    if case.after:
        case.after(ctx)
    out = {"totals": (draft.member_count, draft.share_count, draft.premium_total)}
    out["dropped"] = [d["reason"] for d in draft.dropped]
    client = ctx.as_user(ctx.world.agent, language="en")
    out["page"] = _text(client.get(reverse("enrolments:detail", args=[draft.pk])))
    out["api"] = _json(client.get(f"/api/v1/enrolments/{draft.pk}/lines/").json())
    draft.refresh_from_db()
    # The run's lines are timed as the run, whenever they were written.
    assert set(roster_lines(draft).values_list("created_at", flat=True)) <= {draft.created_at}
    if case.edit:
        case.edit(ctx, draft)
        draft.refresh_from_db()
    out["edited"] = _json(client.get(f"/api/v1/enrolments/{draft.pk}/lines/").json())
    out["roster"] = tuple(roster_lines(draft).order_by("id").values_list("member__name", "shares"))
    try:
        with transaction.atomic():
            enrolment_submit(actor=ctx.actors.agent, enrolment=draft)
    except DomainError as refused:
        out["submission"] = str(refused.messages if hasattr(refused, "messages") else refused)
    out["checked"] = list(
        roster_lines(draft)
        .order_by("id")
        .values_list("member__name", "shares", "premium", "status", "problem")
    )
    draft.refresh_from_db()
    if draft.status == "submitted":
        enrolment_check(actor=ctx.actors.county_cadre, enrolment=draft)
        enrolment_accept(actor=ctx.actors.office_admin, enrolment=draft)
        invoice = services.invoice_issue(actor=ctx.actors.finance, enrolment=draft)
        out["invoice"] = invoice.amount
        services.payment_record(
            actor=ctx.actors.finance,
            invoice=invoice,
            bank_reference="RN-19",
            paid_on=TODAY,
            amount=invoice.amount,
        )
        out["export"] = _export(client, ctx.capture, ctx.plan)
    return out


class _Undo(Exception):
    pass


def _twin(ctx, case, *, written_by_the_run):
    seen = {}
    try:
        with transaction.atomic():
            seen = _outputs(ctx, case, written_by_the_run=written_by_the_run)
            raise _Undo
    except _Undo:
        pass
    return seen


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_draft_held_by_reference_shows_checks_invoices_and_exports_the_same_roster(
    case,
    accepted,
    actors,
    units,
    world,
    as_user,
    today_is,
    django_capture_on_commit_callbacks,
):
    today_is(dt.date(2025, 3, 31))
    plan = factories.make_plan(
        world.office,
        name="职工综合互助",
        terms=factories.plan_terms(
            uniform_shares=False,
            eligibility={"in_service_only": True, "max_age": 60},
        ),
        valid_from=dt.date(2025, 1, 1),
    )
    people = [factories.make_member(units.a1, name=name) for name in BASE]
    x = factories.make_member(
        units.a1,
        name="丙三",
        id_number=factories.make_id_number(male=True, birth=case.birth),
    )
    last_year = in_force(accepted, actors, units.a1, plan, [*people, x], 2)
    if case.before:
        case.before(type("Ctx", (), {"x": x, "world": world})())
    today_is(TODAY)

    class Ctx:
        pass

    ctx = Ctx()
    ctx.x, ctx.world, ctx.actors, ctx.units, ctx.plan = x, world, actors, units, plan
    ctx.last_year, ctx.as_user, ctx.capture = last_year, as_user, django_capture_on_commit_callbacks
    ctx.newcomer = factories.make_member(units.a1, name="丁新")

    held = _twin(ctx, case, written_by_the_run=False)
    written = _twin(ctx, case, written_by_the_run=True)
    assert held and written
    for key in written:
        assert held[key] == written[key], (key, held[key], written[key])
    assert held.keys() == written.keys()

    # … and it is the roster the case expects.
    assert held["roster"] == case.roster, held.get("submission")
    assert held["dropped"] == ([case.dropped] if case.dropped else [])
    if case.problem:  # refused: the check's messages, nothing invoiced
        assert case.problem in held["submission"]
        assert "invoice" not in held
    else:
        assert "submission" not in held
        assert [problem for *_rest, problem in held["checked"]] == [""] * len(case.roster)
        assert "invoice" in held, held.get("submission")
        per_share = Decimal("40.00")
        assert held["invoice"] == sum(shares for _n, shares in case.roster) * per_share
        names = {row[1] for row in held["export"][1:]} | {row[0] for row in held["export"][1:]}
        for name, _shares in case.roster:
            assert name in names


def _other_enrolment_sees(ctx, *, written_by_the_run: bool, plan) -> list[str]:
    """What adding X to another enrolment over the new period says, with X on the draft."""
    with translation.override("en"):
        renewals_run(today=TODAY)
    draft = Renewal.objects.get(previous=ctx.last_year).enrolment
    if written_by_the_run:
        materialise(draft)
    other = new_enrolment(ctx.actors.agent, ctx.units.a1, plan, start=dt.date(2026, 4, 1))
    errors = line_check(actor=ctx.actors.agent, enrolment=other, member=ctx.x, shares=1)
    assert is_held(Enrolment.objects.get(pk=draft.pk)) is not written_by_the_run
    return [UUID.sub("<id>", e.message) for e in errors]


@pytest.mark.parametrize("where", ["same plan", "same exclusive group"])
def test_a_held_roster_counts_as_enrolled_for_other_enrolments(
    where, accepted, actors, units, world, today_is
):
    """The cover checks across enrolments (``checks.cover_of``) see a member on a draft
    whose roster is held by reference, as they saw the line before."""
    today_is(dt.date(2025, 3, 31))
    terms = factories.plan_terms(uniform_shares=False, exclusive_group="issue19_group")
    plan = factories.make_plan(world.office, terms=terms, valid_from=dt.date(2025, 1, 1))
    sibling = factories.make_plan(world.office, terms=terms, valid_from=dt.date(2025, 1, 1))
    x = factories.make_member(units.a1, name="丙三")
    last_year = in_force(accepted, actors, units.a1, plan, [x], 2)
    today_is(TODAY)

    class Ctx:
        pass

    ctx = Ctx()
    ctx.x, ctx.actors, ctx.units, ctx.last_year = x, actors, units, last_year
    other_plan = plan if where == "same plan" else sibling
    seen = {}
    for written in (False, True):
        try:
            with transaction.atomic():
                seen[written] = _other_enrolment_sees(
                    ctx, written_by_the_run=written, plan=other_plan
                )
                raise _Undo
        except _Undo:
            pass
    assert seen[False] == seen[True]
    assert seen[False] and "2026-03-16" in " ".join(seen[False]), seen
