"""HTML → PDF with WeasyPrint and the project's own font.

Printable documents (receipts, enrolment certificates, notices) are Django templates
under ``templates/pdf/`` that extend ``pdf/base.html``. Their stylesheet declares the
bundled font with ``@font-face`` (``static/fonts/NotoSansCJKsc-Regular.otf``, Noto Sans
CJK SC under the SIL Open Font License, see ``static/fonts/README.md``), so Chinese
prints the same on any machine, whatever fonts the OS has (SPEC §1: offices have no
internet, no system font can be assumed). The font has one weight: the templates use
size, not bold, for emphasis, so no system font is ever picked for a bold face.

Only files under the static directory can be loaded while rendering (fonts, images):
a document never fetches anything from the network, and text that reaches a template
cannot make the renderer read other files.

Speed: about 0.1 s for a one-page document. WeasyPrint subsets the font with HarfBuzz
(``libharfbuzz-subset0``); without that library it falls back to fontTools and takes
seconds per page, which the system check ``mutualaid.E001`` reports.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

STATIC_DIR = Path(settings.BASE_DIR) / "static"
FONT_FILE = STATIC_DIR / "fonts" / "NotoSansCJKsc-Regular.otf"
#: The family name the PDF stylesheet declares with @font-face (not a system font's name).
FONT_FAMILY = "Portal Sans SC"
#: What the bundled font's own name table calls it (the embedded PDF font's BaseFont).
FONT_POSTSCRIPT_NAME = "NotoSansCJKsc-Regular"


class PdfError(RuntimeError):
    """Rendering failed (a broken template or a missing font file)."""


def font_file_ok(path: Path = FONT_FILE) -> bool:
    """The bundled font is there and is a real OpenType file (not a Git LFS pointer)."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError:
        return False
    return magic in (b"OTTO", b"\x00\x01\x00\x00", b"true") and path.stat().st_size > 1_000_000


def _allowed(url: str) -> bool:
    if not url.startswith("file://"):
        return False
    return Path(url.removeprefix("file://")).resolve().is_relative_to(STATIC_DIR.resolve())


def _url_fetcher():
    """WeasyPrint's fetcher, limited to files under the static directory; a resource that
    cannot be loaded (the font above all) stops the rendering instead of being replaced by
    whatever the system has."""
    from weasyprint import urls

    if hasattr(urls, "URLFetcher"):  # WeasyPrint ≥ 67: a fetcher object

        class StaticFilesOnly(urls.URLFetcher):
            def fetch(self, url, headers=None):
                if not _allowed(url):
                    raise ValueError(f"documents load files under static/ only, not {url!r}")
                return super().fetch(url, headers)

        return StaticFilesOnly(allowed_protocols=("file",), fail_on_errors=True)

    def fetch(url, *args, **kwargs):  # older WeasyPrint: a function
        if not _allowed(url):
            raise ValueError(f"documents load files under static/ only, not {url!r}")
        return urls.default_url_fetcher(url, *args, **kwargs)

    return fetch


def render_html(template_name: str, context: dict[str, Any]) -> str:
    return render_to_string(
        template_name,
        {"pdf_font_family": FONT_FAMILY, "pdf_font_url": "fonts/" + FONT_FILE.name, **context},
    )


def html_to_pdf(html: str) -> bytes:
    """PDF bytes of an HTML document whose relative URLs point into ``static/``."""
    if not font_file_ok():
        raise PdfError(f"the PDF font {FONT_FILE} is missing or not a font file")
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=_url_fetcher())
    return document.write_pdf(font_config=font_config)


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a ``templates/pdf/`` template to PDF bytes."""
    return html_to_pdf(render_html(template_name, context))


def write_pdf(template_name: str, context: dict[str, Any], target: Path) -> Path:
    """Render a template to a PDF file (for jobs: the file is what the user downloads)."""
    data = render_pdf(template_name, context)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    tmp.write_bytes(data)
    tmp.replace(target)  # a half-written file is never offered for download
    return target
