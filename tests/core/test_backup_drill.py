"""The backup drill of docs/operations.md runs in the suite (issue 12, item 10):
``scripts/backup_drill.py`` dumps the test database (pg_dump, custom format), restores it
into a scratch database, compares the row count of every table and the money totals, archives
MEDIA_ROOT and PRIVATE_MEDIA_ROOT and unpacks them aside with the same file hashes, then
drops the scratch database. The data is committed first (``transaction=True``): pg_dump
reads it from another connection."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Sum

from claims.models import PayoutLine
from claims.services.payouts import batch_build
from premiums.models import Invoice
from tests import factories

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "backup_drill.py"


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = quote(db.get("HOST") or "", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{quote(db['USER'], safe='')}{password}@{host}{port}/{db['NAME']}"


@pytest.fixture
def files():
    """A few files (nested, Chinese names, binary) in both folders the backup covers."""
    made = {
        Path(settings.MEDIA_ROOT) / "drill-test" / "exports" / "花名册-导出.xlsx": b"PK\x03\x04"
        + bytes(range(256)) * 40,
        Path(settings.MEDIA_ROOT) / "drill-test" / "empty.txt": b"",
        Path(settings.PRIVATE_MEDIA_ROOT) / "drill-test" / "claims" / "诊断证明.pdf": b"%PDF-1.4\n"
        + os.urandom(5000)
        + b"\n%%EOF\n",
    }
    for path, data in made.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    yield made
    for root in (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT):
        shutil.rmtree(Path(root) / "drill-test", ignore_errors=True)


@pytest.mark.django_db(transaction=True)
def test_the_drill_restores_every_row_every_total_and_every_file(world, files, tmp_path):
    invoice = factories.make_invoice(world.unit, members=3, amount=Decimal("360.00"))
    factories.make_payment(invoice, amount=Decimal("200.00"))
    plan = factories.make_plan(world.office)
    for amount in ("1200.00", "800.50"):
        factories.make_claim(
            factories.make_member(world.unit), plan, status="approved", amount=amount
        )
    factories.make_claim(factories.make_member(world.unit), plan, status="paid", amount="300.00")
    batch_build(actor=None, tenant_id=world.tenant.pk)

    report_path, keep = tmp_path / "report.json", tmp_path / "backup"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings_test",
        "DATABASE_URL": _database_url(),
    }
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--report", str(report_path), "--keep", str(keep)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "backup drill: OK" in done.stdout
    report = json.loads(report_path.read_text())
    original, restored = report["figures"], report["restored_figures"]
    assert report["problems"] == [] and original == restored

    # Every table was counted, with the rows the test wrote.
    tables = {f"rows public.{name}" for name in connection.introspection.table_names()}
    assert tables <= original.keys()
    assert original["rows public.claims_payoutline"] == "2"
    assert original["rows public.premiums_invoice"] == str(Invoice.objects.count())
    # The money as the application sees it.
    assert Decimal(original["money invoices"]) == Invoice.objects.aggregate(s=Sum("amount"))["s"]
    assert Decimal(original["money payments payment"]) == Decimal("200.00")
    assert Decimal(original["money claims paid"]) == Decimal("300.00")
    pending = PayoutLine.objects.filter(status="pending").aggregate(s=Sum("amount"))["s"]
    assert Decimal(original["money payout lines pending"]) == pending == Decimal("2000.50")

    # The kept archive holds the files as they are on disk, under media/ and private/.
    dump, archive = (Path(p) for p in report["kept"])
    assert dump.stat().st_size > 0
    roots = {"media": Path(settings.MEDIA_ROOT), "private": Path(settings.PRIVATE_MEDIA_ROOT)}
    with tarfile.open(archive) as tar:
        for path, data in files.items():
            label = "media" if path.is_relative_to(roots["media"]) else "private"
            name = f"{label}/{path.relative_to(roots[label]).as_posix()}"
            assert tar.extractfile(name).read() == data

    # The scratch database is gone.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [report["scratch_database"]])
        assert cursor.fetchone() is None


def _drill_module():
    spec = importlib.util.spec_from_file_location("backup_drill", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_copy_that_differs_is_reported(tmp_path):
    drill = _drill_module()
    problems = drill.compare(
        {"rows public.a": "3", "money invoices": "360.00", "rows public.b": "1"},
        {"rows public.a": "2", "money invoices": "360.00", "rows public.c": "0"},
    )
    assert problems == [
        "rows public.a: 3 in the original, 2 restored",
        "rows public.b: missing from the restored copy",
        "rows public.c: in the restored copy only",
    ]
    # A file changed after listing is caught by the hashes.
    root = tmp_path / "media"
    (root / "x").mkdir(parents=True)
    (root / "x" / "a.pdf").write_bytes(b"one")
    listed = drill.manifest({"media": root})
    drill.archive({"media": root}, sorted(listed), tmp_path / "m.tar.gz")
    (root / "x" / "a.pdf").write_bytes(b"two")
    assert drill.compare(listed, drill.manifest({"media": root})) == [
        f"media/x/a.pdf: {listed['media/x/a.pdf']} in the original, "
        f"{drill.sha256(root / 'x' / 'a.pdf')} restored"
    ]
    assert drill.compare(listed, drill.unpack(tmp_path / "m.tar.gz", tmp_path / "out")) == []
