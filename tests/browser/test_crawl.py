"""Every demo persona walks the portal in Chinese (issue 14): the pages of their menu and
the first detail page of each list. It fails on

- a link on a visited page that answers 404 (breadcrumbs to nodes out of reach did);
- any 5xx, of a page or of a link;
- visible Latin words outside a short allowlist (``tests/crawl.py``); the API's own pages
  are exempt (their words are the API's names);
- at 390 × 844 in Chromium, a document wider than the viewport (a page-wide sideways
  scroll on a phone), or a list cut off inside its frame (a table that scrolls sideways
  on purpose, a statistics table, says so by class).

The demo data is seeded once (``seed_demo``), the pages are read through Django's test
client (fast), and only the width is measured in the browser: one context per persona.
Personas with the same roles at the same node walk the same pages and are walked once; of
the links of one shape on a page (a list's rows) three are asked for; the width is
measured once per page shape and role.
"""

from __future__ import annotations

import re
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from mutualaid.home.demo import DEMO_PASSWORD, demo_logins
from mutualaid.tenancy.models import User
from tests.crawl import first_detail_link, latin_words, read_page, same_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAV = re.compile(r'<nav class="mainnav"[^>]*>(.*?)</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+")
#: Links of one shape asked for per page: a list's rows all link the same way, and a
#: broken row link is broken in every row.
LINKS_PER_SHAPE = 3
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def walk(client: Client, problems: list[str], who: str) -> list[str]:
    """Visit the menu's pages and the first detail page of each; ask for every link once.
    Returns the pages visited (HTML ones, for the width check)."""
    home = client.get("/").content.decode()
    menu = [same_site(href) for href in HREF.findall(NAV.search(home).group(1))]
    pages = list(dict.fromkeys(["/", *filter(None, menu)]))
    status: dict[str, int] = {}
    visited: list[str] = []
    queue = list(pages)
    while queue:
        url = queue.pop(0)
        if url in status:
            continue
        response = client.get(url, follow=True)
        status[url] = response.status_code
        if response.redirect_chain:
            url = same_site(response.redirect_chain[-1][0]) or url
            status[url] = response.status_code
        if response.status_code != 200:
            problems.append(f"{who}: {url} answers {response.status_code}")
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        visited.append(url)
        html = response.content.decode()
        text, links = read_page(html)
        if not url.startswith("/api/"):
            words = sorted(set(latin_words(text)))
            if words:
                problems.append(f"{who}: {url} shows Latin words {words}")
        if url in menu:
            detail = first_detail_link(html, url)
            if detail and detail not in status:
                queue.append(detail)
        shapes: dict[str, int] = {}
        for link in filter(None, map(same_site, links)):
            if link in status or link in queue:
                continue
            shape = shape_of(link)
            shapes[shape] = shapes.get(shape, 0) + 1
            if shapes[shape] > LINKS_PER_SHAPE:
                continue
            answer = client.get(link, follow=True)
            status[link] = answer.status_code
            if answer.status_code == 404 or answer.status_code >= 500:
                problems.append(f"{who}: {url} links {link}, which answers {answer.status_code}")
            elif (
                answer.status_code == 200
                and "text/html" in answer.get("Content-Type", "")
                and not link.startswith("/api/")
            ):
                # A linked page (a form, a deeper detail) is read for words too: it is
                # fetched anyway.
                words = sorted(set(latin_words(read_page(answer.content.decode())[0])))
                if words:
                    problems.append(f"{who}: {link} (linked from {url}) shows Latin words {words}")
    return visited


def shape_of(url: str) -> str:
    """The URL with its ids and numbers as placeholders (/claims/{}/documents/{}/)."""
    return UUID.sub("{}", url.split("?")[0])


#: The document's width against the viewport's, and the lists cut off inside their frame
#: (a table that scrolls sideways on purpose, like a statistics table, says so by class).
MEASURE = """() => [
  document.documentElement.scrollWidth,
  window.innerWidth,
  Array.from(document.querySelectorAll(".table-wrap"))
    .filter(w => w.scrollWidth > w.clientWidth + 1)
    .filter(w => !w.querySelector("table.stats, table.grid-table, table.no-cards"))
    .map(w => (w.querySelector("th") || w).textContent.trim().slice(0, 20)),
]"""


def too_wide(page) -> str | None:
    document, viewport, cut_off = page.evaluate(MEASURE)
    if document > viewport + 1:
        return f"{document} px wide on a {viewport} px phone"
    if cut_off:
        return f"cuts off lists sideways (first headers: {cut_off})"
    return None


def test_every_persona_every_page(live_server, browser):
    started = time.monotonic()
    call_command("seed_demo", force=True, verbosity=0)
    seeded = time.monotonic()
    problems: list[str] = []
    walked: set[tuple] = set()
    pages_seen = 0
    in_browser = 0.0
    measured: set[tuple[str, str]] = set()
    for tenant, username, node, roles in demo_logins():
        if (tenant, node, roles) in walked:
            continue  # same roles at the same node: the same pages
        walked.add((tenant, node, roles))
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD), username
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        visited = walk(client, problems, username)
        pages_seen += len(visited)
        # The same pages on a phone, in one browser context of this persona.
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
        cookie = settings.SESSION_COOKIE_NAME
        context.add_cookies(
            [{"name": cookie, "value": client.cookies[cookie].value, "url": live_server.url}]
        )
        browsing = time.monotonic()
        page = context.new_page()
        for url in visited:
            # One measurement per page shape and role: the layout is the template's.
            if (roles, shape_of(url)) in measured:
                continue
            measured.add((roles, shape_of(url)))
            page.goto(url, wait_until="load")
            if wide := too_wide(page):
                problems.append(f"{username}: {url} {wide}")
        context.close()
        in_browser += time.monotonic() - browsing
    assert User.objects.filter(username__in=[u for _, u, _, _ in demo_logins()]).count() >= 15
    print(
        f"\ncrawl: {len(walked)} personas, {pages_seen} pages, seed {seeded - started:.0f} s, "
        f"walk {time.monotonic() - seeded:.0f} s (of which in Chromium {in_browser:.0f} s)"
    )
    assert not problems, "\n".join(problems)


def test_the_reader_sees_what_a_person_sees():
    text, links = read_page(
        '<p>参保 <code>gx_admin</code> <span translate="no">GX</span></p>'
        "<details><summary>更多</summary>hidden words</details><script>var x;</script>"
        '<a href="/org/">组织</a><input type="hidden" value="secret">'
    )
    assert text == "参保 更多 组织" and links == ["/org/"]
    assert latin_words("导出 Excel、PDF，身份证 ID；保存 Save") == ["Save"]
    assert latin_words("GF2026000001 gx_admin 诊断证明.pdf III度") == []
