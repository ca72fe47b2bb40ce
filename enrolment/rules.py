"""The enrolment rules (SPEC §3, §5): pure functions over plain data, no database.

The services gather what the rules need with set queries (every member of a roster,
every overlapping policy of those members: one query each, whatever the roster's
size) and hand it here. The line form, the instant check next to it, the API, the
admin and the roster import all end in ``check_batch``, so a rule says the same thing
wherever the line came from.

Each problem is a ``LineError`` with a stable ``code`` (for reports and tests), the
``field`` it is about (the roster column), the roster ``row`` when there is one, and
the message in the user's language; ``LineError.text`` prefixes row and column
("第 12 行 份数：…") for the upload preview and its error file.

The renewal job (``enrolment.renewals``) judges a whole run's members in SQL: it reads its
thresholds from the same objects (``Eligibility.birth_dates``, ``required_status``, the
``EnrolmentRules`` of each version) and its texts from ``TEXTS``, so a member left out of a
renewal draft reads the first problem ``check_batch`` reports about them, in its order
(``tests/enrolment/eligibility_cases.py`` holds both paths to one table of cases). SPEC §7
adds reasons of its own for a renewal, before the plan's rules: ``renewal_leaving``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrolment.policies import Period, add_months
from members.models import EmploymentStatus
from mutualaid.core.errors import NON_FIELD
from plans.rules import MEMBER_CATEGORIES, PlanTerms

#: Roster columns, by the field names errors carry (the upload maps its headers to these).
COLUMNS = {
    "id_number": gettext_lazy("ID number"),
    "name": gettext_lazy("Full name"),
    "shares": gettext_lazy("Shares"),
    "tier": gettext_lazy("Tier"),
    "category": gettext_lazy("Category"),
    "phone": gettext_lazy("Phone"),
    "employment_status": gettext_lazy("Employment status"),
    "sex": gettext_lazy("Sex"),
    "birth_date": gettext_lazy("Birth date"),
    "member": gettext_lazy("Member"),
}

SEX_CODES = {"F": "female", "M": "male"}  # plan terms → members.Sex values

#: The texts of the problems the renewal job finds too (``enrolment.renewals`` fills them in
#: in SQL): one wording for both paths. ``%(…)`` placeholders as ``check_batch`` fills them.
TEXTS = {
    "sex_female": gettext_lazy("This plan is for women only; the ID number shows a man."),
    "sex_male": gettext_lazy("This plan is for men only; the ID number shows a woman."),
    "age_below_minimum": gettext_lazy(
        "Aged %(age)d on %(date)s: the plan takes members from %(min)d."
    ),
    "age_above_maximum": gettext_lazy(
        "Aged %(age)d on %(date)s: the plan takes members up to %(max)d."
    ),
    "category_not_eligible": gettext_lazy("This plan is only for: %(allowed)s."),
    "not_in_service": gettext_lazy("Only members in service can join this plan."),
    "tier_invalid": gettext_lazy("Choose one of the plan's tiers: %(tiers)s."),
    "shares_max": gettext_lazy("A member may hold at most %(max)d shares of this plan."),
    "overlapping_cover": gettext_lazy(
        "The member already holds this plan from %(start)s to %(end)s, "
        "which overlaps this enrolment."
    ),
    "already_enrolled": gettext_lazy(
        "The member is on another enrolment of this plan for an overlapping "
        "period (%(start)s to %(end)s)."
    ),
    "exclusive_group": gettext_lazy(
        "The member already holds %(plan)s from %(start)s to %(end)s; the two "
        "plans cannot be held over the same period."
    ),
    "exclusive_group_enrolled": gettext_lazy(
        "The member is on an enrolment of %(plan)s for an overlapping period "
        "(%(start)s to %(end)s); the two plans cannot be held together."
    ),
    "deceased": gettext_lazy("Deceased."),
    "left_employer": gettext_lazy("Left the employer."),
    "moved": gettext_lazy("Moved to %(unit)s."),
}

#: SPEC §7: members who died or left are dropped from a renewal whatever the plan's terms
#: (employment status → reason code). A new enrolment's roster rules judge the employment
#: status only by the plan's ``in_service_only`` (SPEC §3), and refuse a member of another
#: unit before the rules run (``enrolment.services``).
LEAVING_STATUSES = {EmploymentStatus.DIED: "deceased", EmploymentStatus.LEFT: "left_employer"}


# --- What the rules read ------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    in_service_only: bool = False
    sex: str | None = None  # "female" / "male" (members' values), None = anyone
    min_age: int | None = None
    max_age: int | None = None
    categories: frozenset[str] = frozenset()

    @classmethod
    def from_terms(cls, raw: Mapping[str, Any] | None) -> Eligibility:
        raw = raw or {}
        return cls(
            in_service_only=bool(raw.get("in_service_only", False)),
            sex=SEX_CODES.get(raw.get("sex") or ""),
            min_age=raw.get("min_age"),
            max_age=raw.get("max_age"),
            categories=frozenset(raw.get("member_categories") or ()),
        )

    @property
    def required_status(self) -> str | None:
        """The employment status the plan requires, if any."""
        return EmploymentStatus.IN_SERVICE if self.in_service_only else None

    def birth_dates(self, day: date) -> tuple[date | None, date | None]:
        """(earliest, latest) birth date of a member within the age range on ``day``, both
        days included (以上/以下 include the number, SPEC §3; ages in full years, as
        ``age_on`` counts them); None where the range is open. Born after ``latest``: below
        the minimum age; before ``earliest``: above the maximum."""
        latest = add_months(day, -12 * self.min_age) if self.min_age is not None else None
        earliest = (
            add_months(day, -12 * (self.max_age + 1)) + timedelta(days=1)
            if self.max_age is not None
            else None
        )
        return earliest, latest


@dataclass(frozen=True)
class Participation:
    min_ratio: Decimal | None = None
    all_below_headcount: int | None = None

    @classmethod
    def from_terms(cls, raw: Mapping[str, Any] | None) -> Participation:
        raw = raw or {}
        ratio = raw.get("min_ratio")
        return cls(
            min_ratio=Decimal(str(ratio)) if ratio is not None else None,
            all_below_headcount=raw.get("all_below_headcount"),
        )


@dataclass(frozen=True)
class EnrolmentRules:
    """The terms of the plan version as the enrolment checks read them, with the period."""

    kind: str  # new | renewal | addition
    period: Period
    plan_id: Any
    plan_name: str
    exclusive_group: str
    sale_mode: str
    max_shares: int | None
    uniform_shares: bool
    mixed_cap: int | None
    renewal_keeps_previous_shares: bool
    premium_per_share: Decimal | None
    tiers: Mapping[str, Decimal]
    eligibility: Eligibility
    participation: Participation
    mid_term_addition: str
    term_months: int
    waiting_days: int
    #: A tier's name → its code: a roster (the template's drop-down) names tiers by name.
    tier_codes: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls, terms: PlanTerms, *, kind: str, period: Period, plan_id, plan_name: str
    ) -> EnrolmentRules:
        return cls(
            kind=kind,
            period=period,
            plan_id=plan_id,
            plan_name=plan_name,
            exclusive_group=terms.exclusive_group or "",
            sale_mode=terms.sale_mode,
            max_shares=terms.max_shares,
            uniform_shares=terms.uniform_shares,
            mixed_cap=terms.max_shares_if_not_uniform,
            renewal_keeps_previous_shares=terms.renewal_keeps_previous_shares,
            premium_per_share=terms.premium_per_share,
            tiers={code: tier.premium for code, tier in terms.tiers.items()},
            eligibility=Eligibility.from_terms(terms.raw.get("eligibility")),
            participation=Participation.from_terms(terms.raw.get("participation")),
            mid_term_addition=terms.mid_term_addition,
            term_months=terms.term_months,
            waiting_days=terms.waiting_period.days,
            tier_codes={tier.name: code for code, tier in terms.tiers.items()},
        )

    @cached_property
    def birth_bounds(self) -> tuple[date | None, date | None]:
        """``eligibility.birth_dates`` on the period's first day (once per batch)."""
        return self.eligibility.birth_dates(self.period.start)

    @property
    def sold_in_tiers(self) -> bool:
        return self.sale_mode == "tiers"


@dataclass
class Candidate:
    """One line to check: a member (registered or about to be) with their shares or tier."""

    index: int  # position in the batch, stable key for errors
    row: int | None  # roster row number (1-based as the sheet shows it), or None
    id_number: str  # normalised; "" when the ID itself was invalid
    name: str = ""
    member_id: Any = None  # None: not registered yet (the import will register them)
    sex: str | None = None
    birth_date: date | None = None
    category: str = ""
    employment_status: str = "in_service"
    shares: int | None = None
    tier: str = ""
    previous_shares: int = 0


@dataclass(frozen=True)
class CoverRow:
    """Something the member already holds or is enrolled in, from the set query."""

    member_id: Any
    plan_id: Any
    plan_name: str
    exclusive_group: str
    start: date
    end: date
    is_policy: bool  # False: a line of another enrolment still on its way


@dataclass(frozen=True)
class LineError:
    field: str
    code: str
    message: str
    row: int | None = None
    index: int | None = None

    @property
    def column(self) -> str:
        label = COLUMNS.get(self.field)
        return str(label) if label is not None else ""

    @property
    def text(self) -> str:
        """The message, prefixed with the roster row and column when the line came from one."""
        if self.row is None:
            return self.message
        if not self.column:
            return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}
        return _("Row %(row)d, %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "field": self.field,
            "column": self.column,
            "code": self.code,
            "message": self.message,
            "text": self.text,
        }


class Report:
    """Problems per candidate, in the order found."""

    def __init__(self) -> None:
        self.by_index: dict[int, list[LineError]] = defaultdict(list)

    def add(self, cand: Candidate, field_name: str, code: str, message: str) -> None:
        self.by_index[cand.index].append(
            LineError(field_name, code, message, row=cand.row, index=cand.index)
        )

    def has(self, cand: Candidate, field_name: str | None = None) -> bool:
        """Any problem with this candidate (about ``field_name``, when given)."""
        if field_name is None:
            return cand.index in self.by_index
        return any(e.field == field_name for e in self.by_index.get(cand.index, ()))

    def errors(self) -> list[LineError]:
        return [e for index in sorted(self.by_index) for e in self.by_index[index]]


# --- Per-line rules ------------------------------------------------------------------------


def age_on(birth_date: date, day: date) -> int:
    """Full years on ``day`` (a birthday on 29 February counts from 1 March in other years)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def check_eligibility(rules: EnrolmentRules, cand: Candidate, report: Report) -> None:
    """The member's own conditions (SPEC §3), in this order: the renewal job's SQL names
    the first one that fails, so it tests them in the same order."""
    el = rules.eligibility
    if el.sex and cand.sex and cand.sex != el.sex:
        message = TEXTS["sex_female"] if el.sex == "female" else TEXTS["sex_male"]
        report.add(cand, "id_number", "sex_not_eligible", str(message))
    if cand.birth_date is not None:
        earliest, latest = rules.birth_bounds
        if latest is not None and cand.birth_date > latest:
            message = TEXTS["age_below_minimum"] % _age(rules, cand)
            report.add(cand, "id_number", "age_below_minimum", message)
        if earliest is not None and cand.birth_date < earliest:
            message = TEXTS["age_above_maximum"] % _age(rules, cand)
            report.add(cand, "id_number", "age_above_maximum", message)
    if el.categories and cand.category and cand.category not in el.categories:
        report.add(
            cand,
            "category",
            "category_not_eligible",
            TEXTS["category_not_eligible"] % {"allowed": allowed_categories(el)},
        )
    if el.required_status and cand.employment_status != el.required_status:
        report.add(cand, "employment_status", "not_in_service", str(TEXTS["not_in_service"]))


def _age(rules: EnrolmentRules, cand: Candidate) -> dict[str, Any]:
    """What an age refusal names: the age on the first day, that day and the range."""
    return {
        "age": age_on(cand.birth_date, rules.period.start),
        "date": rules.period.start.isoformat(),
        "min": rules.eligibility.min_age,
        "max": rules.eligibility.max_age,
    }


def allowed_categories(el: Eligibility) -> str:
    """The plan's member categories, by name, as its refusals list them."""
    return "、".join(MEMBER_CATEGORIES.get(c, c) for c in sorted(el.categories))


def renewal_leaving(
    *, employment_status: str, moved_to: str | None = None
) -> tuple[str, str] | None:
    """Why a member of last year's roster does not continue into the renewal whatever the
    plan's terms (SPEC §7): (code, message), or None. ``moved_to``: the name of the unit the
    member now belongs to, when not the renewing one."""
    code = LEAVING_STATUSES.get(employment_status)
    if code is not None:
        return code, str(TEXTS[code])
    if moved_to is not None:
        return "moved", TEXTS["moved"] % {"unit": moved_to}
    return None


def check_shares(rules: EnrolmentRules, cand: Candidate, report: Report) -> None:
    """Shares (or tier) of one line on its own: present, whole, within the plan's maximum.

    ``max_shares`` binds renewals too; only the mixed cap gives way to kept shares."""
    if rules.sold_in_tiers:
        if cand.tier not in rules.tiers:
            report.add(
                cand,
                "tier",
                "tier_invalid",
                TEXTS["tier_invalid"] % {"tiers": ", ".join(rules.tiers)},
            )
        return
    if cand.shares is None:
        if not report.has(cand, "shares"):  # not when the cell could not be read at all
            report.add(cand, "shares", "shares_required", _("Enter the number of shares."))
    elif cand.shares < 1:
        report.add(cand, "shares", "shares_min", _("Enter at least 1 share."))
    elif rules.max_shares is not None and cand.shares > rules.max_shares:
        report.add(
            cand,
            "shares",
            "shares_max",
            TEXTS["shares_max"] % {"max": rules.max_shares},
        )


def keeps_previous_shares(rules: EnrolmentRules, cand: Candidate) -> bool:
    """A renewal line keeping last year's count: exempt from the uniform rule and the mixed cap."""
    return (
        rules.kind == "renewal"
        and rules.renewal_keeps_previous_shares
        and cand.previous_shares > 0
        and cand.shares == cand.previous_shares
    )


def check_share_set(
    rules: EnrolmentRules,
    cands: Sequence[Candidate],
    report: Report,
    *,
    existing: Mapping[tuple[int, bool], int] | None = None,
) -> None:
    """The whole-roster share rules (E1–E3, E6, E7) over ``cands`` plus the lines already
    on the roster, given as ``existing``: (shares, keeps previous) → number of lines.

    Uniform plans: every line holds the same count — the count already on the roster,
    else the most common one among ``cands`` (the first seen on a tie); the others are
    refused. Mixed plans: once counts differ, a line may hold at most the mixed cap,
    unless it is a renewal keeping last year's count.
    """
    if rules.sold_in_tiers:
        return
    existing = existing or {}
    pool = [c for c in cands if c.shares is not None and not report.has(c)]
    kept = {c.index for c in pool if keeps_previous_shares(rules, c)}

    if rules.uniform_shares:
        fixed = {shares for (shares, keeps), n in existing.items() if n and not keeps}
        if len(fixed) == 1:
            target = next(iter(fixed))
        else:
            counts = Counter(c.shares for c in pool if c.index not in kept)
            if not counts:
                return
            best = max(counts.values())
            target = next(c.shares for c in pool if counts.get(c.shares) == best)
        for cand in pool:
            if cand.index not in kept and cand.shares != target:
                report.add(
                    cand,
                    "shares",
                    "shares_not_uniform",
                    _(
                        "This plan requires the same number of shares for every member "
                        "of the unit (%(shares)d on this roster)."
                    )
                    % {"shares": target},
                )
        return

    cap = rules.mixed_cap
    if cap is None:
        return
    values = {c.shares for c in pool} | {s for (s, _keeps), n in existing.items() if n}
    if len(values) < 2:
        return
    over_existing = sum(n for (s, keeps), n in existing.items() if s > cap and not keeps)
    for cand in pool:
        if cand.index in kept:
            continue
        if cand.shares > cap:
            report.add(
                cand,
                "shares",
                "mixed_cap",
                _(
                    "When members hold different numbers of shares, each may hold at most "
                    "%(cap)d (a renewal may keep last year's count)."
                )
                % {"cap": cap},
            )
        elif over_existing:
            report.add(
                cand,
                "shares",
                "mixed_cap_existing",
                _(
                    "With %(shares)d shares the counts on the roster would differ, and then "
                    "each member may hold at most %(cap)d: %(n)d members on it hold more."
                )
                % {"shares": cand.shares, "cap": cap, "n": over_existing},
            )


def check_duplicates(
    cands: Sequence[Candidate], report: Report, *, on_roster: Iterable[str] = ()
) -> None:
    """E11: an ID number twice in one batch names every row it is on; one already on the
    roster is refused too."""
    rows_by_number: dict[str, list[Candidate]] = defaultdict(list)
    for cand in cands:
        if cand.id_number:
            rows_by_number[cand.id_number].append(cand)
    for group in rows_by_number.values():
        if len(group) < 2:
            continue
        if all(c.row is not None for c in group):
            rows = ", ".join(str(c.row) for c in group)
            message = _("The same ID number is on rows %(rows)s of the roster.") % {"rows": rows}
        else:
            message = _("The same ID number is given more than once.")
        for cand in group:
            report.add(cand, "id_number", "duplicate_in_roster", message)
    on_roster = set(on_roster)
    for cand in cands:
        if cand.id_number in on_roster:
            report.add(
                cand,
                "id_number",
                "already_on_roster",
                _("This member is already on the roster of this enrolment."),
            )


def check_cover(
    rules: EnrolmentRules,
    cands: Sequence[Candidate],
    report: Report,
    *,
    cover: Mapping[Any, Sequence[CoverRow]],
) -> None:
    """No overlapping cover in the same plan; at most one plan of an exclusive group (E4).

    ``cover`` maps member id → what the member holds or is enrolled in over days that
    overlap the period (the set query already filtered by plan, group and dates)."""
    for cand in cands:
        for row in cover.get(cand.member_id, ()) if cand.member_id is not None else ():
            if not rules.period.overlaps(Period(row.start, row.end)):
                continue
            params = {
                "plan": row.plan_name,
                "start": row.start.isoformat(),
                "end": row.end.isoformat(),
            }
            if row.plan_id == rules.plan_id:
                code = key = "overlapping_cover" if row.is_policy else "already_enrolled"
            elif rules.exclusive_group and row.exclusive_group == rules.exclusive_group:
                code = "exclusive_group"
                key = "exclusive_group" if row.is_policy else "exclusive_group_enrolled"
            else:
                continue
            message = TEXTS[key]
            report.add(cand, "id_number", code, message % params)
            break


def check_batch(
    rules: EnrolmentRules,
    cands: Sequence[Candidate],
    *,
    report: Report | None = None,
    existing_shares: Mapping[tuple[int, bool], int] | None = None,
    on_roster: Iterable[str] = (),
    cover: Mapping[Any, Sequence[CoverRow]] | None = None,
) -> Report:
    """Every enrolment rule over a batch of lines; the one path all entry points use.

    Per-line rules first; the whole-roster share rules then look only at lines that
    passed them, so a line refused for its ID number does not make the counts "mixed"
    for everyone else (importing only the valid rows gives the roster that was checked).
    """
    report = report or Report()
    check_duplicates(cands, report, on_roster=on_roster)
    for cand in cands:
        check_eligibility(rules, cand, report)
        check_shares(rules, cand, report)
    check_cover(rules, cands, report, cover=cover or {})
    check_share_set(rules, cands, report, existing=existing_shares)
    return report


# --- Whole-enrolment rules -----------------------------------------------------------------


#: Which count of the unit's members the participation rule compared the roster with.
DECLARED, REGISTERED = "declared", "registered"


def participation_base(
    *, declared: int | None, registered_eligible: int, registered_ineligible: int
) -> tuple[int, str]:
    """(eligible members, ``DECLARED`` or ``REGISTERED``): what the roster is held against.

    A unit registers in the portal only the members it enrols, so counting registered
    members lets a unit of 20 that registers 15 pass with 15 (issue 16). When the unit has
    recorded its union membership (``Unit.union_member_count`` > 0), that is the base,
    less the registered members this plan's conditions exclude (a women's plan does not
    count the men the unit registered; unregistered members count as eligible, the unit
    shows otherwise by registering them) — never fewer than the registered eligible ones.
    Without a recorded number: the registered eligible members (docs/decisions.md)."""
    if declared:
        return max(registered_eligible, declared - registered_ineligible), DECLARED
    return registered_eligible, REGISTERED


def participation_problems(
    rules: EnrolmentRules,
    *,
    eligible: int,
    enrolled: int,
    source: str = REGISTERED,
    declared: int | None = None,
) -> list[LineError]:
    """The unit's participation rule, checked on submission (SPEC §3, §5).

    ``eligible``: the unit's members who meet the plan's conditions (``participation_base``:
    counted from its declared union membership or from its registered members, as
    ``source`` says); ``enrolled``: those of them on the roster. Below the headcount
    (不满: the headcount itself is not below it) everyone must join; otherwise at least the
    minimum share (以上: the share itself passes). The message says which count was used.
    Mid-term additions are not judged by it (the caller skips them)."""
    part = rules.participation
    problems = []
    if eligible == 0:
        return problems
    facts = {"eligible": eligible, "enrolled": enrolled, "declared": declared or 0}
    if source == DECLARED:
        counted = (
            _(
                "%(eligible)d eligible counted from the %(declared)d union members the unit "
                "declared, %(enrolled)d on the roster"
            )
            % facts
        )
    else:
        counted = (
            _(
                "%(eligible)d eligible among the members registered in the portal (the unit has "
                "not recorded its union membership), %(enrolled)d on the roster"
            )
            % facts
        )
    if part.all_below_headcount is not None and eligible < part.all_below_headcount:
        if enrolled < eligible:
            problems.append(
                LineError(
                    NON_FIELD,
                    "participation_all",
                    _(
                        "Units with fewer than %(headcount)d eligible members must enrol all of "
                        "them (%(counted)s)."
                    )
                    % {"headcount": part.all_below_headcount, "counted": counted},
                )
            )
        return problems
    if part.min_ratio is not None and Decimal(enrolled) < part.min_ratio * eligible:
        percent = (part.min_ratio * 100).normalize()
        problems.append(
            LineError(
                NON_FIELD,
                "participation_ratio",
                _("At least %(percent)s%% of the unit's eligible members must join (%(counted)s).")
                % {"percent": f"{percent:f}", "counted": counted},
            )
        )
    return problems
