"""System checks for what PDFs need from the machine (``manage.py check``).

PDFs with Chinese text need two things:
- HarfBuzz's subsetter (Debian: ``libharfbuzz-subset0``, HarfBuzz ≥ 4.1). Without it
  WeasyPrint silently falls back to fontTools and a one-page PDF with a CJK font takes
  seconds instead of ~0.1 s. The check looks for the library the way WeasyPrint itself
  does (the same names, through the dynamic loader, and the same version test), so it
  says "missing" exactly when WeasyPrint would fall back.
- the bundled font ``static/fonts/NotoSansCJKsc-Regular.otf`` (``mutualaid.pdf``): PDFs
  never use the system's fonts, so the file must be there and be a real font (not a Git
  LFS pointer). It is rebuilt from Debian's ``fonts-noto-cjk`` by scripts/build_pdf_font.py.

Under ``check --deploy`` a missing piece is an Error: a production image without it
is broken. On a developer's machine (DEBUG on) it is a Warning on every command, so
it is noticed without stopping ``migrate`` or ``runserver``. With DEBUG off and no
``--deploy`` it says nothing: production processes start the same way they always
did, and the deploy check (run before release, see docs/operations.md) is the gate.
"""

from __future__ import annotations

import ctypes
import functools

from django.conf import settings
from django.core.checks import Error, Warning, register

HARFBUZZ_SUBSET_HINT = (
    "Install libharfbuzz-subset0 (Debian/Ubuntu) or HarfBuzz ≥ 4.1 with its subset library."
)
CJK_FONT_HINT = (
    "Restore static/fonts/NotoSansCJKsc-Regular.otf from the repository, or rebuild it from "
    "Debian's fonts-noto-cjk with scripts/build_pdf_font.py."
)
#: The names WeasyPrint tries (weasyprint/text/ffi.py), in its order.
HARFBUZZ_NAMES = (
    "libharfbuzz-0",
    "harfbuzz",
    "harfbuzz-0.0",
    "libharfbuzz.so.0",
    "libharfbuzz.0.dylib",
    "libharfbuzz-0.dll",
)
HARFBUZZ_SUBSET_NAMES = (
    "libharfbuzz-subset-0",
    "harfbuzz-subset",
    "harfbuzz-subset-0.0",
    "libharfbuzz-subset.so.0",
    "libharfbuzz-subset.0.dylib",
    "libharfbuzz-subset-0.dll",
)


def _dlopen(names):
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


@functools.cache
def harfbuzz_subset_present() -> bool:
    """WeasyPrint subsets with HarfBuzz when it can load harfbuzz-subset and HarfBuzz is at
    least 4.1.0 (weasyprint/pdf/fonts.py); otherwise it takes the slow fontTools path."""
    if _dlopen(HARFBUZZ_SUBSET_NAMES) is None:
        return False
    harfbuzz = _dlopen(HARFBUZZ_NAMES)
    if harfbuzz is None:
        return False
    try:
        atleast = harfbuzz.hb_version_atleast
    except AttributeError:
        return False
    atleast.argtypes = [ctypes.c_uint, ctypes.c_uint, ctypes.c_uint]
    atleast.restype = ctypes.c_int
    return bool(atleast(4, 1, 0))


@functools.cache
def cjk_font_present() -> bool:
    """The bundled PDF font is there and is a font file."""
    from mutualaid.pdf import font_file_ok

    return font_file_ok()


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
                "The PDF font static/fonts/NotoSansCJKsc-Regular.otf is missing or not a font "
                "file: receipts and certificates cannot be printed.",
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
