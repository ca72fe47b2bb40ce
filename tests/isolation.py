"""The isolation registry: every URL that takes an object id, and how to build one.

``tests/test_tenant_isolation.py`` walks every URL pattern of the project (pages,
API and the Django admin). A pattern with a parameter must be known here, or the
build fails naming it. So when you add a view that takes an id:

1. build an object of tenant A with a factory from ``tests/factories.py``, owned
   by unit A1 (``world.unit``) or, for a county-level thing, by ``world.county``;
2. add ``"app:url_name": lambda world: Target(kwargs, owner, sibling)`` to
   ``OBJECT_URLS`` (a plain ``(kwargs, owner, sibling)`` tuple works too), where
   ``owner`` is a persona who legitimately reaches the object (must not get 404)
   and ``sibling`` is a persona of the same tenant outside the object's subtree
   (``world.sibling_agent`` for unit A1's rows, ``world.other_county_agent`` for
   county A's), or None for tenant-wide rows;
3. if the model is in the Django admin, add ``"app_label.model_name"`` to
   ``ADMIN_MODELS`` the same way, with ``{"object_id": str(obj.pk)}``: its
   change, delete and history URLs are checked from that one entry;
4. add the text that identifies the new rows to the leak check with
   ``@unit_a1_marker`` (a function that creates rows of unit A1 and returns
   strings that only those rows show, e.g. a member's name).

The matrix then asserts, for every method the URL might take, that tenant B's
office admin and the sibling get exactly what a missing id gets (404 on pages and
API; the admin's "does not exist" redirect, or its 403, in the admin). Both get
every role and admin rights first, so a role check can never hide a missing scope
check. It also opens every URL without an object id as tenant B's admin and as the
sibling and looks for the markers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from mutualaid.tenancy.models import Role, User
from tests import factories


class Target(NamedTuple):
    kwargs: dict[str, Any]
    owner: User | None  # None: no persona has a page here (say why next to the entry)
    sibling: User | None  # None: the row is tenant-wide, every subtree may see it


Builder = Callable[[Any], Target | tuple]


def _plan_kwargs(w, upto: str, status: str) -> dict[str, Any]:
    """URL kwargs down to ``upto`` ("plan", "version" or "item") of a plan local to unit A1."""
    plan = factories.make_plan(w.unit, status=status)
    kwargs: dict[str, Any] = {"plan_id": plan.pk}
    if upto in ("version", "item"):
        version = plan.versions.get()
        kwargs["version_id"] = version.pk
        if upto == "item":
            kwargs["item_id"] = version.items.get().pk
    return kwargs


def _enrolment_kwargs(w, *, with_member: bool = False) -> dict[str, Any]:
    """URL kwargs of a draft enrolment of unit A1 (and of the member on its roster)."""
    member = factories.make_member(w.unit)
    plan = factories.make_plan(w.office)
    enrolment = factories.make_enrolment(w.unit, plan, members=[member])
    kwargs: dict[str, Any] = {"enrolment_id": enrolment.pk}
    if with_member:
        kwargs["member_id"] = member.pk
    return kwargs


def _policy(w):
    return factories.make_policy(factories.make_member(w.unit), factories.make_plan(w.office))


# --- Pages and API ---------------------------------------------------------------

OBJECT_URLS: dict[str, Builder] = {
    "tenancy:organisation_detail": lambda w: Target(
        {"organisation_id": w.unit.pk}, w.agent, w.sibling_agent
    ),
    # Adding below a county: county A's office admin may, the other county may not.
    "tenancy:organisation_create": lambda w: Target(
        {"organisation_id": w.county.pk}, w.office_admin, w.other_county_agent
    ),
    "tenancy:organisation_edit": lambda w: Target(
        {"organisation_id": w.unit.pk}, w.office_admin, w.sibling_agent
    ),
    "tenancy:staff_edit": lambda w: Target(
        {"user_id": w.agent.pk}, w.county_cadre, w.sibling_agent
    ),
    "api-organisation-detail": lambda w: Target(
        {"organisation_id": w.unit.pk}, w.agent, w.sibling_agent
    ),
    "api-user-detail": lambda w: Target({"user_id": w.agent.pk}, w.county_cadre, w.sibling_agent),
    # Units and members (members app): unit A1's rows; the sibling unit's agent must not reach them.
    "members:unit_detail": lambda w: Target(
        {"unit_id": factories.make_unit(w.unit).pk}, w.agent, w.sibling_agent
    ),
    "members:unit_edit": lambda w: Target(
        {"unit_id": factories.make_unit(w.unit).pk}, w.county_cadre, w.sibling_agent
    ),
    "members:unit_members": lambda w: Target(
        {"unit_id": factories.make_unit(w.unit).pk}, w.agent, w.sibling_agent
    ),
    "members:member_create": lambda w: Target(
        {"unit_id": factories.make_unit(w.unit).pk}, w.agent, w.sibling_agent
    ),
    "members:member_detail": lambda w: Target(
        {"member_id": factories.make_member(w.unit).pk}, w.agent, w.sibling_agent
    ),
    "members:member_edit": lambda w: Target(
        {"member_id": factories.make_member(w.unit).pk}, w.agent, w.sibling_agent
    ),
    "members:member_transfer": lambda w: Target(
        {"member_id": factories.make_member(w.unit).pk}, w.county_cadre, w.sibling_agent
    ),
    "api-unit-detail": lambda w: Target(
        {"unit_id": factories.make_unit(w.unit).pk}, w.agent, w.sibling_agent
    ),
    "api-member-detail": lambda w: Target(
        {"member_id": factories.make_member(w.unit).pk}, w.agent, w.sibling_agent
    ),
    "api-member-transfers": lambda w: Target(
        {"member_id": factories.make_member(w.unit).pk}, w.agent, w.sibling_agent
    ),
    # Plans (plans app): a plan local to unit A1 (the factory lets a unit own one, so the
    # sibling unit is outside its line). Unit A1's agent reads it; the office admin writes.
    **{
        name: (lambda w, kw=kw: Target(_plan_kwargs(w, kw, "published"), w.agent, w.sibling_agent))
        for name, kw in (
            ("plans:plan_detail", "plan"),
            ("plans:version_detail", "version"),
            ("api-plan-detail", "plan"),
            ("api-plan-version-list", "plan"),
            ("api-plan-version-detail", "version"),
            ("api-plan-item-list", "version"),
            ("api-plan-item-detail", "item"),
            ("api-plan-version-assess", "version"),
        )
    },
    **{
        name: (
            lambda w, kw=kw: Target(
                _plan_kwargs(w, kw, "published"), w.office_admin, w.sibling_agent
            )
        )
        for name, kw in (
            ("plans:plan_edit", "plan"),
            ("plans:version_create", "plan"),
            ("plans:version_copy", "version"),
            ("api-plan-version-copy", "version"),
        )
    },
    # Edits need a draft (a published version's edit pages send the owner to its card).
    **{
        name: (
            lambda w, kw=kw: Target(_plan_kwargs(w, kw, "draft"), w.office_admin, w.sibling_agent)
        )
        for name, kw in (
            ("plans:version_edit", "version"),
            ("plans:version_publish", "version"),
            ("plans:version_delete", "version"),
            ("plans:item_create", "version"),
            ("plans:item_edit", "item"),
            ("plans:item_delete", "item"),
            ("api-plan-version-publish", "version"),
        )
    },
    # Enrolment (enrolment app): an enrolment of unit A1 with one member on its roster, and
    # a policy of a member of A1. A1's agent drafts and reads; the county checks; the office
    # accepts. The sibling unit's agent reaches none of it.
    **{
        name: (
            lambda w, owner=owner: Target(_enrolment_kwargs(w), getattr(w, owner), w.sibling_agent)
        )
        for name, owner in (
            ("enrolments:detail", "agent"),
            ("enrolments:edit", "agent"),
            ("enrolments:renew", "agent"),
            ("enrolments:add_members", "agent"),
            ("enrolments:submit", "agent"),
            ("enrolments:cancel", "agent"),
            ("enrolments:check", "county_cadre"),
            ("enrolments:send_back", "county_cadre"),
            ("enrolments:accept", "office_admin"),
            ("enrolments:line_add", "agent"),
            ("enrolments:line_check", "agent"),
            ("enrolments:choose_members", "agent"),
            ("api-enrolment-detail", "agent"),
            ("api-enrolment-lines", "agent"),
            ("api-enrolment-lines-import", "agent"),
            ("api-enrolment-submit", "agent"),
            ("api-enrolment-cancel", "agent"),
            ("api-enrolment-check", "county_cadre"),
            ("api-enrolment-send-back", "county_cadre"),
            ("api-enrolment-accept", "office_admin"),
        )
    },
    **{
        name: (lambda w: Target(_enrolment_kwargs(w, with_member=True), w.agent, w.sibling_agent))
        for name in ("enrolments:line_edit", "enrolments:line_remove", "api-enrolment-line-detail")
    },
    **{
        name: (lambda w: Target({"policy_id": _policy(w).pk}, w.agent, w.sibling_agent))
        for name in ("enrolments:policy_detail", "enrolments:policy_end", "api-policy-detail")
    },
    # Premiums (premiums app): an invoice of unit A1's enrolment, its payment, the queued
    # renewal, and the enrolment's certificate. A1's agent reads them; finance (at the office)
    # records money and issues invoices. Notifications belong to their recipient only.
    **{
        name: (
            lambda w, owner=owner: Target(
                {"invoice_id": factories.make_invoice(w.unit).pk},
                getattr(w, owner),
                w.sibling_agent,
            )
        )
        for name, owner in (
            ("premiums:invoice_detail", "agent"),
            ("premiums:payment_create", "finance"),
            ("premiums:refund_create", "finance"),
            ("premiums:invoice_activate", "finance"),
            ("api-invoice-detail", "agent"),
            ("api-invoice-payments", "agent"),
        )
    },
    **{
        name: (
            lambda w, owner=owner: Target(_enrolment_kwargs(w), getattr(w, owner), w.sibling_agent)
        )
        for name, owner in (
            ("premiums:invoice_issue", "finance"),
            ("premiums:certificate", "agent"),
            ("api-enrolment-invoice", "agent"),
        )
    },
    "premiums:receipt": lambda w: Target(
        {"payment_id": factories.make_payment(factories.make_invoice(w.unit)).pk},
        w.agent,
        w.sibling_agent,
    ),
    "premiums:renewal_submit": lambda w: Target(
        {"renewal_id": factories.make_renewal(w.unit).pk}, w.agent, w.sibling_agent
    ),
    # Individual applications (issue 17.4): an application to county A (a federation); its
    # cadre decides it, the other county's people do not reach it.
    **{
        name: (
            lambda w: Target(
                {"application_id": factories.make_individual_application(w.county).pk},
                w.county_cadre,
                w.other_county_agent,
            )
        )
        for name in ("individuals:detail", "api-individual-application-detail")
    },
    "notifications:open": lambda w: Target(
        {"notification_id": factories.make_notification(w.agent, w.unit).pk},
        w.agent,
        w.sibling_agent,
    ),
    # Django's UserAdmin names this URL auth_user_* whatever the user model is.
    "admin:auth_user_password_change": lambda w: Target(
        {"id": str(w.agent.pk)}, w.county_cadre, w.sibling_agent
    ),
    # contenttypes' shortcut redirects to obj.get_absolute_url(). No tenant model has
    # one yet, so it is 404 for everyone (owner None); once one does, a foreign
    # object must still answer like a missing one, not redirect.
    "admin:view_on_site": lambda w: Target(
        {"content_type_id": str(factories.content_type_id(w.unit)), "object_id": str(w.unit.pk)},
        None,
        w.sibling_agent,
    ),
}


# Background jobs: a job of unit A1 (its progress page and its produced file).
OBJECT_URLS["jobs:status"] = lambda w: Target(
    {"job_id": factories.make_job(w.unit, w.agent).pk}, w.agent, w.sibling_agent
)
OBJECT_URLS["jobs:download"] = lambda w: Target(
    {"job_id": factories.make_job(w.unit, w.agent, with_file=True).pk}, w.agent, w.sibling_agent
)


# --- Django admin: one entry per registered model ---------------------------------

ADMIN_MODELS: dict[str, Builder] = {
    "tenancy.organisation": lambda w: Target(
        {"object_id": str(w.unit.pk)}, w.agent, w.sibling_agent
    ),
    "tenancy.staff": lambda w: Target(
        {"object_id": str(w.agent.pk)}, w.county_cadre, w.sibling_agent
    ),
    "tenancy.user": lambda w: Target(
        {"object_id": str(w.agent.pk)}, w.county_cadre, w.sibling_agent
    ),
    "members.unit": lambda w: Target(
        {"object_id": str(factories.make_unit(w.unit).pk)}, w.agent, w.sibling_agent
    ),
    "members.member": lambda w: Target(
        {"object_id": str(factories.make_member(w.unit).pk)}, w.agent, w.sibling_agent
    ),
    # A transfer is scoped by the member's unit now (A1), whichever unit they came from.
    "members.membertransfer": lambda w: Target(
        {
            "object_id": str(
                factories.make_transfer(
                    factories.make_member(w.sibling_unit), w.unit, w.office_admin
                ).pk
            )
        },
        w.agent,
        w.sibling_agent,
    ),
    "enrolment.enrolment": lambda w: Target(
        {"object_id": str(_enrolment_kwargs(w)["enrolment_id"])}, w.agent, w.sibling_agent
    ),
    "enrolment.enrolmentline": lambda w: Target(
        {
            "object_id": str(
                factories.make_enrolment(
                    w.unit, factories.make_plan(w.office), members=[factories.make_member(w.unit)]
                )
                .lines.get()
                .pk
            )
        },
        w.agent,
        w.sibling_agent,
    ),
    "enrolment.policy": lambda w: Target(
        {"object_id": str(_policy(w).pk)}, w.agent, w.sibling_agent
    ),
    # The tenant row itself: every node of the tenant sees it, so there is no sibling.
    "tenancy.tenant": lambda w: Target({"object_id": str(w.tenant.pk)}, w.office_admin, None),
    "audit.auditevent": lambda w: Target(
        {"object_id": str(factories.make_audit_event(w.unit, actor_user=w.office_admin).pk)},
        w.auditor,
        w.sibling_agent,
    ),
}

# Admin models that are not tenant rows (global groups, login-throttling records that
# name users of every tenant, API tokens): only platform operators (superusers
# without a staff membership) may open them. Every tenant user gets 403.
ADMIN_OPERATOR_ONLY: dict[str, str] = {
    "auth.group": "permission groups are global, not tenant data",
    "axes.accessattempt": "login attempts name users of every tenant",
    "axes.accesslog": "log-ins name users of every tenant",
    "axes.accessfailurelog": "failed log-ins name users of every tenant",
}
# Operator-only models that still need an object for the id URLs of the matrix.
ADMIN_OPERATOR_ONLY_OBJECTS: dict[str, Callable[[Any], str]] = {
    "auth.group": lambda w: str(factories.make_group().pk),
    "axes.accessattempt": lambda w: str(factories.make_access_record("accessattempt", w.agent).pk),
    "axes.accesslog": lambda w: str(factories.make_access_record("accesslog", w.agent).pk),
    "axes.accessfailurelog": lambda w: str(
        factories.make_access_record("accessfailurelog", w.agent).pk
    ),
}


# --- Patterns with parameters that are not object ids -----------------------------

# The leak walk opens these with each kwargs the function returns.
PARAM_PAGES: dict[str, Callable[[Any], list[dict[str, Any]]]] = {
    # A year of the actor's own tenant calendar: there is no foreign id to guess. The
    # edits are POST-only (the walk's GET gets 405); the year page is read.
    **{
        f"calendar:{name}": (lambda w: [{"year": 2026}, {"year": 2031}])
        for name in (
            "year_detail",
            "day_set",
            "day_remove",
            "load_package",
            "year_confirm",
            "year_unconfirm",
        )
    },
    "admin:app_list": lambda w: [
        {"app_label": label}
        for label in ("auth", "axes", "tenancy", "audit", "members", "enrolment")
    ],
}

# Route (for unnamed patterns) or name → why the matrix does not visit it.
SKIPPED: dict[str, str] = {
    "admin/(?P<url>.*)$": "the admin's catch-all: unknown admin URLs answer 404",
    "apply:form": "the public application form of a federation (no account): it shows the "
    "federation's name and open plans by design, nothing of any person "
    "(tests/individuals/test_pages.py)",
}


def _moved_api_routes() -> list[str]:
    from django.urls import get_resolver

    from mutualaid.api.moved import MOVED_ROUTES

    assert get_resolver().url_patterns  # loading the URLconf lists the old paths
    return MOVED_ROUTES


# Old API paths (issue 18): a 308 to the new path, which is in the matrix; they look
# nothing up, so any id gets the same answer.
SKIPPED.update(
    {
        route: "an old path: 308 to its new one (mutualaid/api/moved.py)"
        for route in _moved_api_routes()
    }
)


# --- Leak markers: text that only unit A1's rows show -----------------------------

UNIT_A1_MARKERS: list[Callable[[Any], list[str]]] = []


class Secret(str):
    """A marker no page shows even to its owner (a token key): only checked for leaks."""


def unit_a1_marker(seeder: Callable[[Any], list[str]]) -> Callable[[Any], list[str]]:
    """Register a function that creates rows of unit A1 and returns their telltale text."""
    UNIT_A1_MARKERS.append(seeder)
    return seeder


@unit_a1_marker
def _tenancy_markers(w) -> list[str]:
    clerk = factories.make_staff(w.unit, Role.AGENT, username="a1_marker_clerk")
    clerk.display_name = "甲县医院出纳员"
    clerk.save(update_fields=["display_name"])
    event = factories.make_audit_event(
        w.unit,
        actor_user=w.office_admin,
        action="organisation.update",
        object_repr="甲县医院工会(稽核标记)",
    )
    token = factories.make_token(clerk)
    factories.make_access_record("accessattempt", clerk)
    return [w.unit.name, clerk.username, clerk.display_name, event.object_repr, Secret(token.key)]


@unit_a1_marker
def _members_markers(w) -> list[str]:
    unit = factories.make_unit(w.unit, credit_code="91450421MA5L0A1X0N")
    member = factories.make_member(unit, name="甲县医院标记会员")
    return [unit.credit_code, member.name, Secret(member.id_number)]


@unit_a1_marker
def _plans_markers(w) -> list[str]:
    plan = factories.make_plan(
        w.unit, code="a1_marker_plan", name="甲县医院工会互助保障计划(计划标记)"
    )
    return [plan.name]


@unit_a1_marker
def _enrolment_markers(w) -> list[str]:
    plan = factories.make_plan(w.office)
    member = factories.make_member(w.unit, name="甲县医院保障标记会员")
    enrolment = factories.make_enrolment(w.unit, plan, members=[member])
    from enrolment.models import Enrolment

    Enrolment.objects.filter(pk=enrolment.pk).update(note="甲县医院参保登记(参保标记)")
    factories.make_policy(member, factories.make_plan(w.office))
    return ["甲县医院参保登记(参保标记)", member.name]


@unit_a1_marker
def _premiums_markers(w) -> list[str]:
    from premiums.models import Invoice

    invoice = factories.make_invoice(w.unit)
    Invoice.objects.filter(pk=invoice.pk).update(number="JF2026A1MARK")
    factories.make_payment(invoice, reference="A1MARKREF0001")
    note = factories.make_notification(
        w.office_admin,
        w.unit,
        params={
            "number": "JF2026A1NOTE",
            "unit": w.unit.name,
            "amount": "1.00",
            "plan": "甲县医院通知标记",
            "members": 1,
        },
    )
    return ["JF2026A1MARK", note.text]


@unit_a1_marker
def _daily_run_markers(w) -> list[str]:
    """A run of today's jobs of tenant A (portal/daily.py): the office's page lists it."""
    from mutualaid.jobs.models import Job, JobStatus
    from portal.jobs import DAILY_RUN

    job = Job.objects.create(
        tenant=w.tenant,
        organisation=w.office,
        actor=w.office_admin,
        kind=DAILY_RUN,
        title="今日作业(2026-02-20)",
        status=JobStatus.SUCCEEDED,
        message="甲省办事处今日作业已完成(作业标记)",
    )
    return [job.message]


@unit_a1_marker
def _individuals_markers(w) -> list[str]:
    """A pending application to county A: the county's cadres and those above see it."""
    application = factories.make_individual_application(w.county, name="甲县个人申请标记")
    return [application.name, Secret(application.id_number)]


def run_unit_a1_markers(world) -> list[str]:
    markers: list[str] = []
    for seeder in UNIT_A1_MARKERS:
        markers.extend(seeder(world))
    return markers


def tenant_a_markers(world, unit_markers: list[str]) -> list[str]:
    """Everything tenant B must never see: unit A1's markers and the names of A's nodes."""
    from mutualaid.tenancy.models import Organisation

    names = list(Organisation.objects.filter(tenant=world.tenant).values_list("name", flat=True))
    return sorted(set(unit_markers) | set(names))


def every_role() -> list[str]:
    return list(Role.values)


# --- Roster upload (enrolment/upload.py): an enrolment of unit A1 and its preview job ---------


def _upload_job_kwargs(w, *, with_file: bool = False) -> dict[str, Any]:
    """URL kwargs of a finished roster preview job of a draft enrolment of unit A1 (with an
    errors file: ``with_file``)."""
    from mutualaid.jobs.models import Job

    kwargs = _enrolment_kwargs(w)
    job = factories.make_job(w.unit, w.agent, with_file=with_file)
    Job.objects.filter(pk=job.pk).update(
        kind="roster_preview",
        params={
            "enrolment_id": str(kwargs["enrolment_id"]),
            "filename": "名册.xlsx",
            "file": "missing.xlsx",
        },
        result={"filename": "名册.xlsx", "total": 1, "valid": 1, "invalid": 0, "errors": []},
    )
    return {**kwargs, "job_id": job.pk}


OBJECT_URLS.update(
    {
        # The same over the API (enrolment/roster_api.py).
        "api-enrolment-roster-files": lambda w: Target(
            _enrolment_kwargs(w), w.agent, w.sibling_agent
        ),
        **{
            name: (lambda w: Target(_upload_job_kwargs(w), w.agent, w.sibling_agent))
            for name in ("api-enrolment-roster-file", "api-enrolment-roster-file-import")
        },
        "api-enrolment-roster-file-errors": lambda w: Target(
            _upload_job_kwargs(w, with_file=True), w.agent, w.sibling_agent
        ),
        "enrolments:upload": lambda w: Target(_enrolment_kwargs(w), w.agent, w.sibling_agent),
        "enrolments:upload_template": lambda w: Target(
            _enrolment_kwargs(w), w.agent, w.sibling_agent
        ),
        "enrolments:upload_job": lambda w: Target(_upload_job_kwargs(w), w.agent, w.sibling_agent),
        "enrolments:upload_import": lambda w: Target(
            _upload_job_kwargs(w), w.agent, w.sibling_agent
        ),
    }
)


# --- Claims API (claims/api/): a claim of unit A1 (its report, a document) and a payout
# batch of tenant A's office with that claim on a line. A1's agent reads the claim and its
# report; batches belong to the office, so finance reads them and the sibling unit's agent
# (like every unit) reaches none.


def _claims_api_claim(w, *, status: str = "draft", amount=None):
    plan = factories.make_plan(w.office)
    return factories.make_claim(
        factories.make_member(w.unit), plan, status=status, amount=amount, filed_by=w.agent
    )


def _claims_api_document(w) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from claims.services import applications
    from mutualaid.tenancy.scoping import actor_for

    claim = _claims_api_claim(w)
    document = applications.document_add(
        actor=actor_for(w.agent),
        claim=claim,
        kind="diagnosis",
        upload=SimpleUploadedFile("诊断证明.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    return {"claim_id": claim.pk, "document_id": document.pk}


def _claims_api_batch(w) -> tuple[Any, Any]:
    """A batch built by the job from one approved claim of unit A1, and its line."""
    from claims.services import payouts

    claim = _claims_api_claim(w, status="approved", amount="1200.00")
    batch = payouts.batch_build(actor=None, tenant_id=w.tenant.pk, claim_ids=[claim.pk])
    return batch, batch.lines.get()


OBJECT_URLS.update(
    {
        **{
            name: (
                lambda w: Target(
                    {"report_id": _claims_api_claim(w).report_id}, w.agent, w.sibling_agent
                )
            )
            for name in (
                "api-incident-report-detail",
                "api-incident-report-accept-late",
                "api-incident-report-refuse-late",
            )
        },
        **{
            name: (
                lambda w: Target({"claim_id": _claims_api_claim(w).pk}, w.agent, w.sibling_agent)
            )
            for name in (
                "api-claim-detail",
                "api-claim-documents",
                "api-claim-submit",
                "api-claim-decide",
            )
        },
        "api-claim-notice": lambda w: Target(
            {"claim_id": _claims_api_claim(w, status="approved", amount="800.00").pk},
            w.agent,
            w.sibling_agent,
        ),
        "api-claim-document-file": lambda w: Target(
            _claims_api_document(w), w.agent, w.sibling_agent
        ),
        **{
            name: (
                lambda w: Target(
                    {"batch_id": _claims_api_batch(w)[0].pk}, w.finance, w.sibling_agent
                )
            )
            for name in (
                "api-payout-batch-detail",
                "api-payout-batch-lines",
                "api-payout-batch-approve",
                "api-payout-batch-mark-paid",
                "api-payout-batch-bank-file-xlsx",
                "api-payout-batch-bank-file-csv",
                "api-payout-batch-notices",
            )
        },
        "api-payout-line-mark-failed": lambda w: (
            lambda batch, line: Target(
                {"batch_id": batch.pk, "line_id": line.pk}, w.finance, w.sibling_agent
            )
        )(*_claims_api_batch(w)),
    }
)


@unit_a1_marker
def _claims_api_markers(w) -> list[str]:
    """A claim of unit A1 (and its report) in a payout batch: their numbers."""
    from claims.models import Claim, IncidentReport, PayoutBatch

    batch, line = _claims_api_batch(w)
    Claim.objects.filter(pk=line.claim_id).update(number="LP2026A1APIX")
    IncidentReport.objects.filter(claim__pk=line.claim_id).update(number="BA2026A1APIX")
    PayoutBatch.objects.filter(pk=batch.pk).update(number="GF2026A1APIX")
    return ["LP2026A1APIX", "BA2026A1APIX", "GF2026A1APIX"]


# --- Claims (claims app): a claim of a member of unit A1, its document, and a payout batch
# of the office holding it. A1's agent files and reads the claim; office reviewers decide;
# finance corrects the payee and works the batch (batches belong to the office, so no unit
# reaches them). The sibling unit's agent reaches none of it.


def _claim(w, status: str = "draft", **fields):
    plan = factories.make_plan(w.office)
    member = factories.make_member(w.unit)
    policy = factories.make_policy(member, plan)
    amount = "1200.00" if status in ("approved", "in_batch", "paid", "submitted") else None
    return factories.make_claim(
        member, plan, status=status, policy=policy, amount=amount, filed_by=w.agent, **fields
    )


def _claim_document(w):
    return _claim_document_of(_claim(w))


def _batch(w, *, status: str = "built", number: str | None = None):
    """A batch of the office with one pending line: an in-batch claim of unit A1."""
    from decimal import Decimal

    from claims.models import PayoutBatch, PayoutLine

    claim = _claim(w, "in_batch")
    batch = PayoutBatch.objects.create(
        tenant_id=w.tenant.pk,
        organisation=w.office,
        number=number or f"GF{claim.number[2:]}",
        status=status,
        line_count=1,
        total=Decimal("1200.00"),
        built_by=w.finance2,
    )
    line = PayoutLine.objects.create(
        tenant_id=w.tenant.pk,
        batch=batch,
        claim=claim,
        amount=Decimal("1200.00"),
        payee_name=claim.payee_name,
        bank_name=claim.bank_name,
        bank_account=claim.bank_account,
    )
    return batch, line


OBJECT_URLS.update(
    {
        **{
            name: (
                lambda w, owner=owner, status=status: Target(
                    {"claim_id": _claim(w, status).pk}, getattr(w, owner), w.sibling_agent
                )
            )
            for name, owner, status in (
                ("claims:claim_detail", "agent", "draft"),
                ("claims:claim_application", "agent", "draft"),
                ("claims:document_add", "agent", "draft"),
                ("claims:claim_submit", "agent", "draft"),
                ("claims:claim_decide", "reviewer", "submitted"),
                ("claims:claim_reassess", "reviewer", "submitted"),
                ("claims:report_late_decide", "reviewer", "draft"),
                ("claims:claim_payee", "finance", "approved"),
                ("claims:claim_notice", "agent", "approved"),
            )
        },
        "claims:document_download": lambda w: Target(_claim_document(w), w.agent, w.sibling_agent),
        **{
            name: (
                lambda w, owner=owner: Target(
                    {"batch_id": _batch(w)[0].pk}, getattr(w, owner), w.sibling_agent
                )
            )
            for name, owner in (
                ("claims:batch_detail", "finance"),
                ("claims:batch_approve", "finance"),
                ("claims:batch_paid", "finance"),
                ("claims:batch_bank_xlsx", "finance"),
                ("claims:batch_bank_csv", "finance"),
                ("claims:batch_notices", "finance"),
            )
        },
        "claims:line_failed": lambda w: Target(
            (lambda b: {"batch_id": b[0].pk, "line_id": b[1].pk})(_batch(w, status="approved")),
            w.finance,
            w.sibling_agent,
        ),
    }
)

ADMIN_MODELS.update(
    {
        "claims.claim": lambda w: Target(
            {"object_id": str(_claim(w).pk)}, w.agent, w.sibling_agent
        ),
        "claims.incidentreport": lambda w: Target(
            {"object_id": str(_claim(w).report_id)}, w.agent, w.sibling_agent
        ),
        # A batch is the office's: its office admin reads it; no unit does.
        "claims.payoutbatch": lambda w: Target(
            {"object_id": str(_batch(w)[0].pk)}, w.office_admin, w.sibling_agent
        ),
    }
)

PARAM_PAGES["admin:app_list"] = lambda w: [
    {"app_label": label}
    for label in ("auth", "axes", "tenancy", "audit", "members", "enrolment", "claims")
]


@unit_a1_marker
def _claims_markers(w) -> list[str]:
    from claims.models import Claim, IncidentReport

    claim = _claim(w, "approved")
    Claim.objects.filter(pk=claim.pk).update(number="LP2026A1MARK01")
    IncidentReport.objects.filter(pk=claim.report_id).update(description="甲县医院报案标记")
    batch, _line = _batch(w, number="GF2026A1MARK01")
    return ["LP2026A1MARK01", batch.number]


# --- Statistics (stats app): dashboards of unit A1's node, a fund statement of a plan local
# to county A (its whole fund lies there, so county A's cadre reads it), and a monthly return
# filed by county A (the service files cities' returns; the table takes any node). Unit A1's
# agent reads A1's dashboards; the sibling unit and the other county reach none of it.


def _stats_fund_kwargs(w) -> dict[str, Any]:
    plan = factories.make_fund_year(factories.make_plan(w.county), year=2026)
    return {"plan_id": plan.pk, "year": 2026}


OBJECT_URLS.update(
    {
        **{
            name: (lambda w: Target({"organisation_id": w.unit.pk}, w.agent, w.sibling_agent))
            for name in (
                "stats:dashboard",
                "stats:claims",
                "stats:coverage",
                "stats:blank_spots",
                "stats:blank_spots_xlsx",
            )
        },
        "stats:table_xlsx": lambda w: Target(
            {"organisation_id": w.unit.pk, "table": "plan_year"}, w.agent, w.sibling_agent
        ),
        **{
            name: (lambda w: Target(_stats_fund_kwargs(w), w.county_cadre, w.other_county_agent))
            for name in (
                "stats:fund_statement",
                "stats:fund_statement_pdf",
                "stats:fund_statement_xlsx",
            )
        },
        **{
            name: (
                lambda w, owner=owner, status=status: Target(
                    {"return_id": factories.make_stats_return(w.county, status=status).pk},
                    getattr(w, owner),
                    w.other_county_agent,
                )
            )
            for name, owner, status in (
                ("stats:return_detail", "county_cadre", "draft"),
                ("stats:return_xlsx", "county_cadre", "draft"),
                ("stats:return_refill", "county_cadre", "draft"),
                ("stats:return_submit", "county_cadre", "draft"),
                ("stats:return_accept", "office_admin", "submitted"),
                ("stats:return_send_back", "office_admin", "submitted"),
            )
        },
        "api-stats-node": lambda w: Target(
            {"organisation_id": w.unit.pk}, w.agent, w.sibling_agent
        ),
    }
)
ADMIN_MODELS["stats.statisticalreturn"] = lambda w: Target(
    {"object_id": str(factories.make_stats_return(w.county).pk)},
    w.county_cadre,
    w.other_county_agent,
)
PARAM_PAGES["admin:app_list"] = lambda w, _pages=PARAM_PAGES["admin:app_list"]: [
    *_pages(w),
    {"app_label": "stats"},
]


@unit_a1_marker
def _stats_markers(w) -> list[str]:
    # A return filed by unit A1's node: the returns list names it (by the unit's name).
    factories.make_stats_return(w.unit, year=2026, month=9, remarks="甲县医院统计标记")
    return [w.unit.name]


# --- API tokens (mutualaid/api/tokens.py): a token of unit A1's agent. Only its user sees it
# (an office admin also those of their node's service accounts); nobody else, whatever the
# roles, not even a cadre above.


def _token_kwargs(w) -> dict[str, Any]:
    return {"token_id": factories.make_token(w.agent).token.pk}


OBJECT_URLS.update(
    {
        name: (lambda w: Target(_token_kwargs(w), w.agent, w.sibling_agent))
        for name in ("api-token-detail", "api-token-revoke", "tenancy:token_revoke")
    }
)


# --- Member self-service (/me/, issue 17) --------------------------------------------
# A member is no staff user: staff personas opening a member page get the member sign-in
# (302), foreign id or not, so these URLs leave the staff matrix and have their own, with
# member personas (tests/test_tenant_isolation.py, "member pages"): the member who owns the
# row reaches it; another member of the same unit, and the member with the same ID number
# in tenant B, get exactly what a missing id gets (404).

MEMBER_PHONE = "13912345678"


def member_session(client, member) -> None:
    """Sign the test client in as ``member`` (the session ``members.selfservice`` writes)."""
    import time

    from members.selfservice.session import SESSION_KEY

    session = client.session
    now = int(time.time())
    session[SESSION_KEY] = {"m": str(member.pk), "t": str(member.tenant_id), "at": now, "seen": now}
    session.save()


def _member_claim(w, member, **fields):
    plan = factories.make_plan(w.office)
    policy = factories.make_policy(member, plan)
    return factories.make_claim(member, plan, policy=policy, **fields)


def _member_document(w, member) -> dict[str, Any]:
    kwargs = _claim_document_of(_member_claim(w, member))
    return kwargs


def _claim_document_of(claim) -> dict[str, Any]:
    import hashlib

    from django.conf import settings

    from claims.models import ClaimDocument

    data = b"%PDF-1.4\n%%EOF\n"
    document = ClaimDocument(
        tenant_id=claim.tenant_id,
        claim=claim,
        kind="diagnosis",
        original_name="诊断证明.pdf",
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    document.path = f"{claim.tenant_id}/{claim.pk}/{document.pk}.pdf"
    target = settings.PRIVATE_MEDIA_ROOT / document.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    document.save()
    return {"claim_id": claim.pk, "document_id": document.pk}


def _member_policy(w, member) -> dict[str, Any]:
    plan = factories.make_plan(w.office)
    return {"policy_id": factories.make_policy(member, plan).pk}


#: "me:<name>" → builder(world, member) → kwargs of a row of ``member`` (tenant A, unit A1).
MEMBER_OBJECT_URLS: dict[str, Callable[[Any, Any], dict[str, Any]]] = {
    "me:certificate": _member_policy,
    "me:claim": lambda w, m: {"claim_id": _member_claim(w, m).pk},
    "me:document_add": lambda w, m: {"claim_id": _member_claim(w, m).pk},
    "me:document": _member_document,
}

SKIPPED.update(
    {
        name: "a member page: staff get the member sign-in; the member matrix checks it"
        for name in MEMBER_OBJECT_URLS
    }
)
