"""The work inbox (待办): what waits for one staff user, gathered from every app.

The kernel knows no app. Each app registers *sources* from its ``AppConfig.ready()``
(as ``members.extensions`` does for the member page): a source says who it is for
(roles, and optionally a test of the actor's node), and how to read its items for an
actor — a queryset already scoped to the actor's subtree, filtered to what waits and
ordered most urgent (or oldest) first — plus how one row is shown.

Reading a source costs at most two queries whatever the data: the first ``FIRST`` rows,
and only when there are that many, a count capped at ``COUNT_CAP`` (a LIMITed subquery
on the source's index, so a queue of 100,000 costs what a queue of 1,000 does). The home
page's query count therefore depends on the user's roles, never on the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from mutualaid.tenancy.scoping import Actor

#: Items shown per source on the home page.
FIRST = 5
#: Counts stop here ("1000+"): a count is a promise of work, not a statistic.
COUNT_CAP = 1000


class Urgency:
    """How an item is coloured: late (past its deadline or SLA), soon (close to it)."""

    LATE = "late"
    SOON = "soon"
    NONE = ""


@dataclass(frozen=True)
class InboxItem:
    title: str
    link: str
    #: One line under the title: a reason, an amount, a deadline.
    detail: str = ""
    urgency: str = Urgency.NONE
    #: The date that orders and colours it (a deadline, or the day it arrived).
    when: dt.date | None = None


@dataclass
class InboxSection:
    key: str
    label: str
    count: int
    items: list[InboxItem]
    #: The list page where all of them are (filtered), "" when the items are all there is.
    link: str = ""
    #: The count hit ``COUNT_CAP``.
    more: bool = False
    #: A section with a message instead of items (a missing calendar, a day's summary).
    message: str = ""
    lines: list[tuple[str, str]] = field(default_factory=list)

    @property
    def shown(self) -> str:
        """The count as shown: "1000+" when capped."""
        return f"{self.count}+" if self.more else str(self.count)


@dataclass(frozen=True)
class InboxSource:
    """One kind of waiting work.

    ``rows(actor)``: the scoped, filtered, ordered queryset (select_related included);
    ``item(actor, row)``: how a row is shown; ``link()``: the filtered list page.
    ``applies(actor)``: beyond the roles (e.g. only cadres at a city/county/industry node).
    ``build(actor)``: instead of rows, a whole section (or None) for what is not a queue.
    ``prepare(actor, rows, memo)``: once per section before ``item`` (e.g. deadlines from
    the tenant's work calendar); ``memo`` is shared by the sections of one page, so what
    two sources need (the calendar) is read once.
    ``rank``: position on the page (lower first): the urgent queues of a role first.
    """

    key: str
    label: Any
    roles: tuple[str, ...]
    rank: int = 100
    rows: Callable[[Actor], QuerySet] | None = None
    item: Callable[[Actor, Any], InboxItem] | None = None
    link: Callable[[], str] | None = None
    applies: Callable[[Actor], bool] | None = None
    build: Callable[[Actor], InboxSection | None] | None = None
    prepare: Callable[[Actor, list, dict], None] | None = None


_sources: dict[str, InboxSource] = {}


def register(source: InboxSource) -> None:
    _sources[source.key] = source


def sources_for(actor: Actor) -> list[InboxSource]:
    out = [
        source
        for source in _sources.values()
        if actor.has_role(*source.roles) and (source.applies is None or source.applies(actor))
    ]
    return sorted(out, key=lambda source: (source.rank, source.key))


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> int:
    """``min(count, cap)`` in one query that reads at most ``cap`` index entries."""
    return qs.model._default_manager.filter(pk__in=qs.order_by().values("pk")[:cap]).count()


def section_of(
    actor: Actor, source: InboxSource, *, first: int = FIRST, memo: dict | None = None
) -> InboxSection | None:
    """The source's section for the actor, None when nothing waits."""
    if source.build is not None:
        return source.build(actor)
    assert source.rows is not None and source.item is not None
    qs = source.rows(actor)
    rows = list(qs[:first])
    if not rows:
        return None
    count = len(rows) if len(rows) < first else capped_count(qs)
    if source.prepare is not None:
        source.prepare(actor, rows, {} if memo is None else memo)
    return InboxSection(
        key=source.key,
        label=str(source.label),
        count=count,
        more=count >= COUNT_CAP,
        items=[source.item(actor, row) for row in rows],
        link=source.link() if source.link is not None else "",
    )


def inbox(actor: Actor, *, first: int = FIRST) -> list[InboxSection]:
    """Every section that has something waiting for the actor, in rank order."""
    sections = []
    memo: dict = {}
    for source in sources_for(actor):
        section = section_of(actor, source, first=first, memo=memo)
        if section is not None:
            sections.append(section)
    return sections


def inbox_counts(actor: Actor) -> dict[str, int]:
    """Source key → how many wait (0 included), for every source the actor has."""
    counts = {}
    for source in sources_for(actor):
        section = section_of(actor, source, first=1)
        counts[source.key] = 0 if section is None else section.count
    return counts
