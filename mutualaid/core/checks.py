"""System checks for what the operating system must provide (``manage.py check``).

PDFs with Chinese text need two things WeasyPrint does not bring itself:
- HarfBuzz's subsetter (Debian: ``libharfbuzz-subset0``). Without it WeasyPrint falls
  back to fontTools and a one-page PDF with a CJK font takes ~9 s instead of ~0.15 s.
- a CJK font known to fontconfig (Debian: ``fonts-noto-cjk``), or Chinese prints as boxes.

Under ``check --deploy`` a missing piece is an Error: a production image without it
is broken. On a developer's machine (DEBUG on) it is a Warning on every command, so
it is noticed without stopping ``migrate`` or ``runserver``. With DEBUG off and no
``--deploy`` it says nothing: production processes start the same way they always
did, and the deploy check (run before release, see docs/operations.md) is the gate.
"""

from __future__ import annotations

import ctypes.util
import functools
import shutil
import subprocess

from django.conf import settings
from django.core.checks import Error, Warning, register

HARFBUZZ_SUBSET_HINT = (
    "Install libharfbuzz-subset0 (Debian/Ubuntu) or HarfBuzz ≥ 2.6 with its subset library."
)
CJK_FONT_HINT = "Install fonts-noto-cjk (Debian/Ubuntu) or another CJK font, then run fc-cache."


@functools.cache
def harfbuzz_subset_present() -> bool:
    return ctypes.util.find_library("harfbuzz-subset") is not None


@functools.cache
def cjk_font_present() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    try:
        result = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and bool(result.stdout.strip())


def _problems(level):
    problems = []
    if not harfbuzz_subset_present():
        problems.append(
            level(
                "HarfBuzz's subset library (libharfbuzz-subset) is missing: PDFs with Chinese "
                "will take seconds instead of milliseconds.",
                hint=HARFBUZZ_SUBSET_HINT,
                id="mutualaid.E001" if level is Error else "mutualaid.W001",
            )
        )
    if not cjk_font_present():
        problems.append(
            level(
                "No Chinese font is known to fontconfig (fc-list :lang=zh is empty): PDFs will "
                "print Chinese as empty boxes.",
                hint=CJK_FONT_HINT,
                id="mutualaid.E002" if level is Error else "mutualaid.W002",
            )
        )
    return problems


@register("pdf", deploy=True)
def pdf_dependencies_deploy(app_configs=None, **kwargs):
    return _problems(Error)


@register("pdf")
def pdf_dependencies_development(app_configs=None, **kwargs):
    # With DEBUG on, ``check --deploy`` already complains about DEBUG; the doubled
    # message there (Warning and Error) is the price of warning every developer early.
    if not settings.DEBUG:
        return []
    return _problems(Warning)
