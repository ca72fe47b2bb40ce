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
seconds per page, which the system check ``mutualaid.E001`` reports. The print stylesheet
(``templates/pdf/print.css``) is parsed, and the 11 MB font registered with Fontconfig,
once per process and thread (``_shared``), not once per document: about 30 ms of a
receipt's 105 ms (docs/decisions.md, "PDF speed").
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
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


_local = threading.local()


#: (pid, weak reference) of every font configuration made here: each copies the font into a
#: temporary folder that its ``__del__`` deletes, which cannot run at interpreter shutdown.
_configs: list = []


@atexit.register
def _forget_shared() -> None:
    """Delete the temporary font folders of this process's font configurations."""
    import shutil

    _local.__dict__.pop("shared", None)
    for pid, ref in _configs:
        config = ref()
        if pid == os.getpid() and config is not None and config._folder:
            shutil.rmtree(config._folder, ignore_errors=True)
            config._folder = None


def _shared():
    """(font configuration, parsed print stylesheet, URL fetcher) of this process and thread.

    WeasyPrint's ``FontConfiguration`` and ``CSS`` objects hold Pango/Fontconfig state that
    is not meant to cross threads; a forked child (a Celery worker) makes its own."""
    shared = getattr(_local, "shared", None)
    if shared is not None and shared[0] != os.getpid():
        # Inherited through fork: the parent's font folder is the parent's to delete
        # (FontConfiguration.__del__ removes it).
        shared[1]._folder = None
        shared = None
    if shared is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        _configs[:] = [(pid, ref) for pid, ref in _configs if ref() is not None]
        _configs.append((os.getpid(), weakref.ref(font_config)))
        fetcher = _url_fetcher()
        css = CSS(
            string=render_to_string(
                "pdf/print.css",
                {"pdf_font_family": FONT_FAMILY, "pdf_font_url": "fonts/" + FONT_FILE.name},
            ),
            base_url=STATIC_DIR.as_uri() + "/",
            url_fetcher=fetcher,
            font_config=font_config,
        )
        shared = _local.shared = (os.getpid(), font_config, css, fetcher)
    return shared[1:]


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

    font_config, css, fetcher = _shared()
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[css], font_config=font_config)


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


# --- Long documents in parts, on the available cores ---------------------------------------
#
# Layout is single-threaded Python: a 1,000-member certificate takes ~4 s on one core. Such
# a document is rendered as parts (each a whole HTML document: the table's header row
# repeats on every page anyway), the parts in forked children at the same time, and joined
# with pypdf. The page numbers "第 x 页 / 共 y 页" cannot be known inside a part, so the parts
# are rendered without them (``pdf_numbers_later`` in pdf/base.html) and a document of y
# empty pages that carries only the numbers, with the same @page rules, is laid over the
# joined pages: the numbers sit where a single rendering puts them.

#: Below this many rows a document is rendered whole (forking costs more than it saves).
PART_MIN_ROWS = 300


def cores() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def free_cores(loadavg: str | None = None) -> int:
    """Cores not busy with other work now: the cores less the tasks runnable at this moment
    (the fourth field of ``/proc/loadavg``, "runnable/all", this process among them and
    counted as free). On a saturated machine parts only add the join's cost.

    Not the 1-minute load average (only the fallback where there is no /proc): it lags, so
    a burst of work that had ended seconds before kept long documents in one process for
    up to a minute after. ``loadavg``: that file's text (read when not given)."""
    if loadavg is None:
        try:
            loadavg = Path("/proc/loadavg").read_text()
        except OSError:
            loadavg = ""
    try:
        runnable = int(loadavg.split()[3].split("/")[0])
    except (IndexError, ValueError):
        try:
            load = os.getloadavg()[0]
        except OSError:
            return cores()
        return max(1, min(cores(), int(cores() - load + 1)))
    return max(1, min(cores(), cores() - runnable + 1))


def part_count(rows: int, *, workers: int | None = None) -> int:
    """How many parts a document of ``rows`` table rows is rendered in (``workers``:
    default the free cores)."""
    workers = free_cores() if workers is None else workers
    return max(1, min(workers, rows // PART_MIN_ROWS))


def split_rows(rows: list, parts: int, *, first_page: int, per_page: int) -> list[list]:
    """``rows`` in ``parts`` consecutive runs of about equal length, each but the last ending
    where a page would (``first_page`` rows fit on the first page under the document's
    heading, ``per_page`` on the next ones when no row wraps), so the join leaves no half
    page; a run that ends elsewhere (wrapped rows) only leaves its last page part-filled."""
    if parts <= 1 or len(rows) <= first_page:
        return [rows]
    bounds = []
    for k in range(1, parts):
        target = len(rows) * k // parts
        pages = max(0, round((target - first_page) / per_page))
        bound = first_page + pages * per_page
        if (not bounds or bound > bounds[-1]) and bound < len(rows):
            bounds.append(bound)
    edges = [0, *bounds, len(rows)]
    return [rows[a:b] for a, b in zip(edges, edges[1:], strict=False)]


def _render_in_child(html: str) -> tuple[int, int]:
    """Fork a child that renders ``html`` and writes the PDF to a pipe: (pid, read end).

    os.fork rather than multiprocessing: a Celery prefork worker is a daemonic process,
    which multiprocessing does not let have children."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: render, write, leave without running the parent's cleanup
        status = 0
        try:
            shared = getattr(_local, "shared", None)
            if shared is not None:  # the parent's parsed stylesheet and loaded font
                _local.shared = (os.getpid(), *shared[1:])
            os.close(read_end)
            try:
                payload = b"K" + html_to_pdf(html)
            except BaseException as error:  # noqa: BLE001 - reported to the parent
                payload, status = b"E" + repr(error).encode(), 1
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


#: How long a part's child may take before its part is rendered here instead (a child
#: forked from a process whose other threads held a library lock could wait forever).
PART_TIMEOUT_SECONDS = 300


def _collect(pid: int, read_end: int, html: str) -> bytes:
    import select
    import signal

    chunks = []
    deadline = time.monotonic() + PART_TIMEOUT_SECONDS
    with os.fdopen(read_end, "rb", buffering=0) as handle:
        while True:
            ready, _, _ = select.select([handle], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                logger.warning(
                    "a PDF part took over %s s in a child; rendered here", PART_TIMEOUT_SECONDS
                )
                return html_to_pdf(html)
            chunk = handle.read(1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    os.waitpid(pid, 0)
    payload = b"".join(chunks)
    if not payload.startswith(b"K"):
        raise PdfError(f"a part of the document failed: {payload[1:].decode(errors='replace')}")
    return payload[1:]


def page_numbers_pdf(pages: int) -> bytes:
    """``pages`` empty pages with only "第 x 页 / 共 y 页" at the foot (print.css's @page)."""
    breaks = '<div style="break-after: page"></div>' * (pages - 1)
    return html_to_pdf(
        '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">'
        f"</head><body>{breaks}<div></div></body></html>"
    )


def _retag_fonts(reader, salt: str) -> None:
    """Give the font subsets of one part their own subset tag (the ``ABCDEF+`` of BaseFont).

    WeasyPrint derives the tag from the font, not from the glyphs kept, so every part's
    subset would carry the same name: a printer or viewer that caches fonts by name could
    then draw one part with another's subset (blanks for the glyphs the other lacks)."""
    from hashlib import md5

    from pypdf.generic import NameObject

    done = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font")
        for ref in (fonts or {}).values():
            font = ref.get_object()
            if id(font) in done:
                continue
            done.add(id(font))
            objects = [font]
            for descendant in font.get("/DescendantFonts", []):
                descendant = descendant.get_object()
                objects += [descendant, descendant["/FontDescriptor"].get_object()]
            for obj in objects:
                key = "/FontName" if "/FontName" in obj else "/BaseFont"
                tag, plus, rest = str(obj[key]).lstrip("/").partition("+")
                if not plus:
                    continue
                digest = md5(f"{tag}{salt}".encode(), usedforsecurity=False).digest()
                new_tag = "".join(chr(65 + b % 26) for b in digest[:6])
                obj[NameObject(key)] = NameObject(f"/{new_tag}+{rest}")


def join_with_page_numbers(parts: list[bytes]) -> bytes:
    """The parts' pages in order, each with its page number laid over it."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for index, data in enumerate(parts):
        reader = PdfReader(io.BytesIO(data))
        if index:
            _retag_fonts(reader, f"part {index}")
        writer.append(reader)
    numbers = PdfReader(io.BytesIO(page_numbers_pdf(len(writer.pages))))
    if len(numbers.pages) != len(writer.pages):
        raise PdfError(f"{len(numbers.pages)} page numbers for {len(writer.pages)} pages")
    _retag_fonts(numbers, "page numbers")
    for page, number in zip(writer.pages, numbers.pages, strict=True):
        page.merge_page(number)
        page.compress_content_streams()  # merge_page leaves the page's content uncompressed
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def html_parts_to_pdf(htmls: list[str]) -> bytes:
    """One PDF of several HTML documents rendered side by side (the last in this process),
    their pages numbered through. The documents must leave the page numbers out
    (``pdf_numbers_later``); a single document is rendered as is."""
    if len(htmls) == 1:
        return html_to_pdf(htmls[0])
    _shared()  # parse the stylesheet once, before forking: every child inherits it
    children = [_render_in_child(html) for html in htmls[:-1]]
    try:
        last = html_to_pdf(htmls[-1])
    finally:
        parts = [
            _collect(pid, read_end, html)
            for (pid, read_end), html in zip(children, htmls, strict=False)
        ]
    return join_with_page_numbers([*parts, last])
