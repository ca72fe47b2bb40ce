"""Schemathesis fuzzes every operation of ``/api/schema/`` as an office admin and as an agent.

Every response must be no 5xx and match the schema: a documented status code, content type
and body (``CHECKS``). The Django app runs in-process (WSGI) inside the test's transaction.
The world is the personas' (tests/conftest.py) plus one object per id-taking API URL, built
by the isolation registry (``tests/isolation.py``): each operation's path parameters are
that object's ids, so the fuzz reaches real rows (unknown ids are a JSON 404, see
test_schema.py). Phases: Hypothesis's fuzzing, valid and invalid, ``FUZZ_EXAMPLES`` cases
per operation; and for writes the coverage phase's invalid cases (each field of the body
wrong in each way, systematically).

Bounded and deterministic for CI: a fixed seed, no example database, no shrinking (the
report's curl line reproduces a failure); about a minute per role on the loaded 2-core
build box, some 3,700 requests each.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import resolve, reverse
from hypothesis import HealthCheck, settings

from tests import factories
from tests.isolation import OBJECT_URLS, Target

pytestmark = pytest.mark.fuzz

FUZZ_EXAMPLES = 12
FUZZ_SEED = 20260312
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)


def _fuzz_config(token: str, real_ids: dict[str, dict]) -> schemathesis.Config:
    per_path = [
        {
            "include-path": path,
            "parameters": {f"path.{key}": str(value) for key, value in kwargs.items()},
        }
        for path, kwargs in real_ids.items()
    ]
    writes = {
        "include-method": ["POST", "PUT", "PATCH"],
        "phases": {
            "coverage": {
                "enabled": True,
                "generation": {"mode": "negative"},
                "unexpected-methods": [],
            }
        },
    }
    return schemathesis.Config.from_dict(
        {
            "seed": FUZZ_SEED,
            "headers": {"Authorization": f"Token {token}"},
            "operations": [*per_path, writes],
            "generation": {"max-examples": FUZZ_EXAMPLES, "database": "none", "no-shrink": True},
            # Stateful runs chain links between operations (the schema declares none); the
            # coverage phase's valid cases double the run for little the fuzzing misses.
            "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": False}},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        }
    )


def _real_path_parameters(world) -> dict[str, dict]:
    """Operation path → the URL kwargs of an object built for it by the isolation registry."""
    by_path = {}
    for name, build in OBJECT_URLS.items():
        if name.startswith("api-"):
            target = build(world)
            kwargs = (target if isinstance(target, Target) else Target(*target)).kwargs
            route = resolve(reverse(name, kwargs=kwargs)).route
            by_path["/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)] = kwargs
    return by_path


@pytest.fixture(params=["office_admin", "agent"])
def api_schema(request, world):
    # A real WSGI handler closes the database connection at the end of each request;
    # Django's own test client stops that (the test's transaction must survive).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    request.addfinalizer(lambda: signals.request_started.connect(close_old_connections))
    request.addfinalizer(lambda: signals.request_finished.connect(close_old_connections))
    # schemathesis 4.32's lazy runner renames the test item through ``_nodeid``, which
    # pytest 9.2 no longer has (it keeps ``_id``): give it one so the runner can start.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid

    token = factories.make_token(getattr(world, request.param)).key
    config = _fuzz_config(token, _real_path_parameters(world))
    # The schema itself needs a login (a token here) since issue 18.
    return schemathesis.openapi.from_wsgi(
        "/api/schema/",
        get_wsgi_application(),
        config=config,
        headers={"Authorization": f"Token {token}"},
    )


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_api_fuzz(case):
    # A 5xx's traceback is in the failing subtest's captured log (django.request).
    case.call_and_validate()
