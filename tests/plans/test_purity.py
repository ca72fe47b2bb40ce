"""The engine stays pure: importing it loads no Django and no database driver (STYLE habit 4)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_engine_and_seed_plans_import_without_django() -> None:
    code = (
        "import sys, plans.rules, plans.seed_plans\n"
        "roots = {'django', 'psycopg', 'rest_framework'}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in roots)\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
