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
    **{name: (lambda w, kw=kw: Target(_plan_kwargs(w, kw, "published"), w.agent, w.sibling_agent))
       for name, kw in (("plans:plan_detail", "plan"), ("plans:version_detail", "version"),
                        ("api-plan-detail", "plan"), ("api-plan-version-list", "plan"),
                        ("api-plan-version-detail", "version"), ("api-plan-item-list", "version"),
                        ("api-plan-item-detail", "item"), ("api-plan-version-assess", "version"))},
    **{name: (lambda w, kw=kw: Target(_plan_kwargs(w, kw, "published"), w.office_admin, w.sibling_agent))
       for name, kw in (("plans:plan_edit", "plan"), ("plans:version_create", "plan"),
                        ("plans:version_copy", "version"), ("api-plan-version-copy", "version"))},
    # Edits need a draft (a published version's edit pages send the owner to its card).
    **{name: (lambda w, kw=kw: Target(_plan_kwargs(w, kw, "draft"), w.office_admin, w.sibling_agent))
       for name, kw in (("plans:version_edit", "version"), ("plans:version_publish", "version"),
                        ("plans:version_delete", "version"), ("plans:item_create", "version"),
                        ("plans:item_edit", "item"), ("plans:item_delete", "item"),
                        ("api-plan-version-publish", "version"))},
    # Enrolment (enrolment app): an enrolment of unit A1 with one member on its roster, and
    # a policy of a member of A1. A1's agent drafts and reads; the county checks; the office
    # accepts. The sibling unit's agent reaches none of it.
    **{name: (lambda w, owner=owner: Target(_enrolment_kwargs(w), getattr(w, owner),
                                           w.sibling_agent))
       for name, owner in (
           ("enrolments:detail", "agent"), ("enrolments:edit", "agent"),
           ("enrolments:renew", "agent"), ("enrolments:add_members", "agent"),
           ("enrolments:submit", "agent"), ("enrolments:cancel", "agent"),
           ("enrolments:check", "county_cadre"), ("enrolments:send_back", "county_cadre"),
           ("enrolments:accept", "office_admin"),
           ("enrolments:line_add", "agent"), ("enrolments:line_check", "agent"),
           ("enrolments:choose_members", "agent"),
           ("api-enrolment-detail", "agent"), ("api-enrolment-lines", "agent"),
           ("api-enrolment-lines-import", "agent"),
           ("api-enrolment-submit", "agent"), ("api-enrolment-cancel", "agent"),
           ("api-enrolment-check", "county_cadre"), ("api-enrolment-send-back", "county_cadre"),
           ("api-enrolment-accept", "office_admin"),
       )},
    **{name: (lambda w: Target(_enrolment_kwargs(w, with_member=True), w.agent, w.sibling_agent))
       for name in ("enrolments:line_edit", "enrolments:line_remove",
                    "api-enrolment-line-detail")},
    **{name: (lambda w: Target({"policy_id": _policy(w).pk}, w.agent, w.sibling_agent))
       for name in ("enrolments:policy_detail", "enrolments:policy_end", "api-policy-detail")},
    # Premiums (premiums app): an invoice of unit A1's enrolment, its payment, the queued
    # renewal, and the enrolment's certificate. A1's agent reads them; finance (at the office)
    # records money and issues invoices. Notifications belong to their recipient only.
    **{name: (lambda w, owner=owner: Target({"invoice_id": factories.make_invoice(w.unit).pk},
                                           getattr(w, owner), w.sibling_agent))
       for name, owner in (
           ("premiums:invoice_detail", "agent"), ("premiums:payment_create", "finance"),
           ("premiums:refund_create", "finance"), ("premiums:invoice_activate", "finance"),
           ("api-invoice-detail", "agent"), ("api-invoice-payments", "agent"),
       )},
    **{name: (lambda w, owner=owner: Target(_enrolment_kwargs(w), getattr(w, owner), w.sibling_agent))
       for name, owner in (
           ("premiums:invoice_issue", "finance"), ("premiums:certificate", "agent"),
           ("api-enrolment-invoice", "agent"),
       )},
    "premiums:receipt": lambda w: Target(
        {"payment_id": factories.make_payment(factories.make_invoice(w.unit)).pk}, w.agent, w.sibling_agent
    ),
    "premiums:renewal_submit": lambda w: Target(
        {"renewal_id": factories.make_renewal(w.unit).pk}, w.agent, w.sibling_agent
    ),
    "notifications:open": lambda w: Target(
        {"notification_id": factories.make_notification(w.agent, w.unit).pk}, w.agent, w.sibling_agent
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
        {"object_id": str(factories.make_transfer(
            factories.make_member(w.sibling_unit), w.unit, w.office_admin).pk)},
        w.agent,
        w.sibling_agent,
    ),
    "enrolment.enrolment": lambda w: Target(
        {"object_id": str(_enrolment_kwargs(w)["enrolment_id"])}, w.agent, w.sibling_agent
    ),
    "enrolment.enrolmentline": lambda w: Target(
        {"object_id": str(factories.make_enrolment(
            w.unit, factories.make_plan(w.office), members=[factories.make_member(w.unit)]
        ).lines.get().pk)},
        w.agent,
        w.sibling_agent,
    ),
    "enrolment.policy": lambda w: Target({"object_id": str(_policy(w).pk)}, w.agent,
                                         w.sibling_agent),
    # The tenant row itself: every node of the tenant sees it, so there is no sibling.
    "tenancy.tenant": lambda w: Target({"object_id": str(w.tenant.pk)}, w.office_admin, None),
    "audit.auditevent": lambda w: Target(
        {"object_id": str(factories.make_audit_event(w.unit, actor_user=w.office_admin).pk)},
        w.auditor,
        w.sibling_agent,
    ),
    # Tokens are credentials; the admin keys them by user id. Only platform operators
    # manage them (see ADMIN_OPERATOR_ONLY), so the owner gets 403, never the row.
    "authtoken.tokenproxy": lambda w: Target(
        {"object_id": str(factories.make_token(w.agent).user_id)}, w.county_cadre, w.sibling_agent
    ),
}

# Admin models that are not tenant rows (global groups, login-throttling records that
# name users of every tenant, API tokens): only platform operators (superusers
# without a staff membership) may open them. Every tenant user gets 403.
ADMIN_OPERATOR_ONLY: dict[str, str] = {
    "auth.group": "permission groups are global, not tenant data",
    "authtoken.tokenproxy": "a token is a credential of some tenant's user",
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
        for label in ("auth", "authtoken", "axes", "tenancy", "audit", "members", "enrolment")
    ],
}

# Route (for unnamed patterns) or name → why the matrix does not visit it.
SKIPPED: dict[str, str] = {
    "admin/(?P<url>.*)$": "the admin's catch-all: unknown admin URLs answer 404",
}


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
    plan = factories.make_plan(w.unit, code="a1_marker_plan", name="甲县医院工会互助保障计划(计划标记)")
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
        w.office_admin, w.unit, params={"number": "JF2026A1NOTE", "unit": w.unit.name, "amount": "1.00",
                                        "plan": "甲县医院通知标记", "members": 1})
    return ["JF2026A1MARK", note.text]


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


def _upload_job_kwargs(w) -> dict[str, Any]:
    """URL kwargs of a finished roster preview job of a draft enrolment of unit A1."""
    from mutualaid.jobs.models import Job

    kwargs = _enrolment_kwargs(w)
    job = factories.make_job(w.unit, w.agent)
    Job.objects.filter(pk=job.pk).update(
        kind="roster_preview",
        params={"enrolment_id": str(kwargs["enrolment_id"]), "filename": "名册.xlsx",
                "file": "missing.xlsx"},
        result={"filename": "名册.xlsx", "total": 1, "valid": 1, "invalid": 0, "errors": []},
    )
    return {**kwargs, "job_id": job.pk}


OBJECT_URLS.update({
    "enrolments:upload": lambda w: Target(_enrolment_kwargs(w), w.agent, w.sibling_agent),
    "enrolments:upload_template": lambda w: Target(_enrolment_kwargs(w), w.agent, w.sibling_agent),
    "enrolments:upload_job": lambda w: Target(_upload_job_kwargs(w), w.agent, w.sibling_agent),
    "enrolments:upload_import": lambda w: Target(_upload_job_kwargs(w), w.agent, w.sibling_agent),
})
