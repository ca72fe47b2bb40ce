"""Walking the portal as a user does (issue 14): from the menu, then the first detail page
of each list; every link on a visited page is asked for once. What a page says is read as
a person sees it (no markup, scripts, styles, hidden inputs, closed <details> bodies, nor
codes marked ``translate="no"`` or set in <code>) and searched for Latin words outside a
short allowlist.

Used by ``tests/browser/test_crawl.py`` (the demo personas, with the 390 px width check in
Chromium) and by the file checks (PDF text, .xlsx/.csv headers and file names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urldefrag, urlsplit

#: Latin words a Chinese page may show: file formats, the language switch, ID and account
#: formats, API names (on the API pages only: they are skipped), units.
ALLOWED_WORDS = {
    "PDF",
    "pdf",
    "Excel",
    "xlsx",
    "csv",
    "CSV",
    "xls",
    "zip",
    "ID",
    "API",
    "English",
    "PNG",
    "JPG",
    "JPEG",
    "png",
    "jpg",
    "jpeg",
    "KB",
    "MB",
    "HTTP",
    "OK",
    "ZIP",
    "JSON",
    # Roman numerals of medical grades (III度烧伤) and of plan clauses.
    "II",
    "III",
    "IV",
    "VI",
    "VII",
    "VIII",
    "IX",
}
#: A word is two or more Latin letters standing alone. Codes mixing letters with digits,
#: underscores or dots (GF2026000001, gx_admin, 诊断证明.pdf) are identifiers, not words.
_TOKEN = re.compile(r"[A-Za-z0-9_@.+\-/:]+")
_WORD = re.compile(r"^[A-Za-z]{2,}$")


def latin_words(text: str, allowed: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The Latin words of ``text`` a Chinese reader should not meet."""
    found = []
    for token in _TOKEN.findall(text):
        if any(ch.isdigit() or ch in "_@" for ch in token):
            continue
        for part in re.split(r"[.+\-/:]", token):
            if _WORD.match(part) and part not in ALLOWED_WORDS and part not in allowed:
                found.append(part)
    return found


#: Not page words: scripts and styles, and the data of a field being edited (a textarea).
_SKIP_TAGS = {"script", "style", "template", "noscript", "title", "head", "textarea"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class _PageReader(HTMLParser):
    """Visible text and same-site links of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden)
        self.details_open: list[bool] = []
        self.in_summary = 0

    def _hidden(self) -> bool:
        return any(hidden for _tag, hidden in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in _VOID:
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                if not self._hidden():
                    self.text.append(attrs["value"])
            if tag == "img" and attrs.get("alt") and not self._hidden():
                self.text.append(attrs["alt"])
            return
        hidden = (
            tag in _SKIP_TAGS
            or "hidden" in attrs
            or attrs.get("aria-hidden") == "true"
            # Codes, user names and other identifiers are marked as not to be translated.
            or attrs.get("translate") == "no"
            or tag in ("code", "kbd", "samp")
        )
        if tag == "details":
            self.details_open.append("open" in attrs)
        self.stack.append((tag, hidden))
        if tag == "summary":
            self.in_summary += 1

    def handle_endtag(self, tag):
        while self.stack:
            open_tag, _hidden = self.stack.pop()
            if open_tag == "summary":
                self.in_summary -= 1
            if open_tag == "details" and self.details_open:
                self.details_open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._hidden() or not data.strip():
            return
        if self.details_open and not self.details_open[-1] and not self.in_summary:
            return  # the body of a closed <details>: not shown until opened
        self.text.append(data.strip())


@dataclass
class Page:
    url: str
    status: int
    text: str = ""
    links: list[str] = field(default_factory=list)


def read_page(html: str) -> tuple[str, list[str]]:
    reader = _PageReader()
    reader.feed(html)
    return " ".join(reader.text), reader.links


def same_site(href: str) -> str | None:
    """The path (and query) of a link to this site worth following; None otherwise."""
    href, _fragment = urldefrag(href)
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(("/admin/", "/static/", "/media/", "/i18n/", "/accounts/logout")):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def first_detail_link(html: str, list_url: str) -> str | None:
    """The first link of a list's first row (a table body or a card list)."""
    for block in re.findall(r"<tbody>(.*?)</tbody>", html, re.S) + re.findall(
        r'<ul class="cards[^"]*">(.*?)</ul>', html, re.S
    ):
        for href in re.findall(r'href="([^"]+)"', block):
            path = same_site(href)
            if path and path.split("?")[0] != list_url.split("?")[0]:
                return path
    return None


def filename_of(response) -> str:
    """The file name a download offers (Content-Disposition, RFC 6266 filename*)."""
    disposition = response.get("Content-Disposition", "")
    if "filename*=UTF-8''" in disposition:
        return unquote(disposition.split("filename*=UTF-8''", 1)[1].split(";")[0])
    match = re.search(r'filename="([^"]*)"', disposition)
    return match.group(1) if match else ""
