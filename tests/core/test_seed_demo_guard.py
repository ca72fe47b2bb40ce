"""``seed_demo`` seeds only a demo database (issue 12, item 9): its users share a password
the command prints, so a real office's database must never get them by mistake. `make demo`
says DEMO=true and listens on 127.0.0.1 only."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mutualaid.home.demo import demo_database_refusal
from mutualaid.home.models import DemoDatabase
from mutualaid.tenancy.models import Tenant, User
from tests import factories

REPO = Path(__file__).resolve().parents[2]


def _seed(*args):
    call_command("seed_demo", *args, stdout=io.StringIO())


def test_a_new_database_is_refused_unless_the_environment_says_demo(db, settings):
    settings.DEMO = False
    with pytest.raises(CommandError, match="not a demo one"):
        _seed()
    assert not Tenant.objects.exists() and not User.objects.exists()
    assert not DemoDatabase.objects.exists()


def test_a_database_with_real_tenants_is_refused_even_with_demo_set(db, settings):
    settings.DEMO = True
    factories.make_tenant("安徽省办事处")
    with pytest.raises(CommandError, match="安徽省办事处"):
        _seed()
    assert list(Tenant.objects.values_list("name", flat=True)) == ["安徽省办事处"]
    assert not DemoDatabase.objects.exists()


def test_a_marked_database_is_a_demo_one_whatever_the_environment(db):
    assert demo_database_refusal(demo_environment=False) is not None
    DemoDatabase.objects.create()
    factories.make_tenant("安徽省办事处")  # e.g. a tenant added in the demo by hand
    assert demo_database_refusal(demo_environment=False) is None


def test_an_older_demo_database_with_only_the_demo_tenants_is_accepted(db):
    factories.make_tenant("中国职工保险互助会广西办事处")
    Tenant.objects.update(slug="guangxi")
    assert demo_database_refusal(demo_environment=True) is None
    assert demo_database_refusal(demo_environment=False) is not None


def test_force_seeds_any_database_and_marks_it(db, settings):
    settings.DEMO = False
    factories.make_tenant("安徽省办事处")
    _seed("--force")
    assert DemoDatabase.objects.count() == 1
    assert set(Tenant.objects.values_list("slug", flat=True)) >= {"guangxi", "zhejiang"}
    _seed()  # marked now: no --force needed any more


def test_make_demo_says_demo_and_listens_on_this_machine_only():
    script = (REPO / "scripts" / "demo.sh").read_text()
    assert re.search(r"^export DEMO=true$", script, re.M)
    web = next(
        line for line in (REPO / "Procfile").read_text().splitlines() if line.startswith("web:")
    )
    assert re.search(r"--bind 127\.0\.0\.1:\$PORT\b", web) and "0.0.0.0" not in web
