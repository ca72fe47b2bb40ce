"""Every URL of the project, walked from the resolver, and a concrete address for each.

``tests/test_tenant_isolation.py`` (who may reach what) and ``tests/test_hostile_input.py``
(what no input may break) walk the same list: a pattern with a parameter is built from the
registry in ``tests/isolation.py``, so a new view is covered by both the day it is added.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.generic import RedirectView

from tests import isolation

ADMIN_OBJECT_VIEWS = ("change", "delete", "history")

#: Every list paged by keyset: pages read the cursor from ``after``, the API from ``cursor``.
#: ``tests/test_forged_cursors.py`` sends each forged cursors; ``tests/test_hostile_input.py``
#: fails on a URL that reads a cursor without being named here.
KEYSET_LISTS = frozenset(
    {
        "audit:event_list",
        "notifications:list",
        "tenancy:organisation_list",
        "tenancy:staff_list",
        "members:unit_list",
        "members:unit_members",
        "members:member_search",
        "enrolments:list",
        "enrolments:detail",
        "enrolments:choose_members",
        "premiums:invoice_list",
        "premiums:to_invoice",
        "premiums:renewal_list",
        "claims:claim_list",
        "claims:batch_list",
        "claims:batch_detail",
        "stats:blank_spots",
        "individuals:list",
        "api-organisation-list",
        "api-user-list",
        "api-unit-list",
        "api-member-list",
        "api-plan-list",
        "api-plan-version-list",
        "api-enrolment-list",
        "api-enrolment-lines",
        "api-policy-list",
        "api-invoice-list",
        "api-renewal-list",
        "api-incident-report-list",
        "api-claim-list",
        "api-payout-batch-list",
        "api-payout-batch-lines",
        "api-individual-application-list",
    }
)


@dataclass(frozen=True)
class Pattern:
    route: str
    name: str | None
    params: tuple[str, ...]
    callback: object

    @property
    def key(self) -> str:
        return self.name or self.route

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")


def walk(patterns, prefix: str = "", namespace: str | None = None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            params = tuple(entry.pattern.converters) or tuple(entry.pattern.regex.groupindex)
            yield Pattern(prefix + str(entry.pattern), name, params, entry.callback)


PATTERNS = list(walk(get_resolver().url_patterns))


def _admin_url_models() -> dict[str, str]:
    """admin:<app>_<model>_<view> → "app.model" for every model registered in the admin."""
    out = {}
    for model in admin.site._registry:
        opts = model._meta
        for view in ADMIN_OBJECT_VIEWS:
            out[f"admin:{opts.app_label}_{opts.model_name}_{view}"] = opts.label_lower
    return out


ADMIN_URL_MODELS = _admin_url_models()


def is_admin_redirect(pattern: Pattern) -> bool:
    # admin/<app>/<model>/<id>/ only redirects to .../<id>/change/, which is checked.
    return (
        pattern.is_admin
        and pattern.name is None
        and getattr(pattern.callback, "view_class", None) is RedirectView
    )


def builder_for(pattern: Pattern):
    """The registry entry that builds an object for this pattern, or None."""
    if pattern.name in isolation.OBJECT_URLS:
        return isolation.OBJECT_URLS[pattern.name]
    label = ADMIN_URL_MODELS.get(pattern.name or "")
    if label in isolation.ADMIN_MODELS:
        return isolation.ADMIN_MODELS[label]
    if label in isolation.ADMIN_OPERATOR_ONLY_OBJECTS:
        build_id = isolation.ADMIN_OPERATOR_ONLY_OBJECTS[label]
        # Operator-only: no tenant persona gets the row, so both sides are tenant A's admin's peers.
        return lambda w: isolation.Target({"object_id": build_id(w)}, None, w.sibling_agent)
    return None


def walked(pattern: Pattern) -> bool:
    """True for the patterns a request can reach and ``urls_of`` can build."""
    if pattern.key in isolation.SKIPPED or is_admin_redirect(pattern):
        return False
    if not pattern.params:
        return bool(pattern.name)
    return builder_for(pattern) is not None or pattern.key in isolation.PARAM_PAGES


def urls_of(pattern: Pattern, world) -> list[str]:
    """Concrete addresses of ``pattern``: itself, the registry's parameter pages, or one
    object of tenant A built by the registry (so call it once per world)."""
    if not pattern.params:
        return [reverse(pattern.name)]
    if (build := builder_for(pattern)) is not None:
        return [reverse(pattern.name, kwargs=isolation.Target(*build(world)).kwargs)]
    return [reverse(pattern.name, kwargs=kw) for kw in isolation.PARAM_PAGES[pattern.key](world)]


WALKED = [pattern for pattern in PATTERNS if walked(pattern)]
