"""A batch of roster rows checked: cells cleaned, registered members found, and every rule
of ``enrolment.rules`` run over the whole set by ``check_batch``. Nothing here writes.

Adding a line, changing one, importing a roster of thousands and preparing a renewal all go
through ``evaluate``, so a rule says the same thing on the pages, the API, the admin and the
upload (one validation path). The queries are set-based and their number does not grow with
the roster: one for the rows' registered members, one for the lines already on it, one for
the policies and one for the open enrolments of all of them (``cover_of``), and for a renewal
one for last year's shares.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from enrolment.db import AnyOf
from enrolment.models import (
    Enrolment,
    EnrolmentKind,
    Policy,
    PolicyStatus,
)
from enrolment.policies import addition_premium, line_premium
from enrolment.roster_source import open_roster_rows, roster_lines
from enrolment.rules import (
    Candidate,
    CoverRow,
    EnrolmentRules,
    Report,
    check_batch,
    keeps_previous_shares,
)
from enrolment.services.common import rules_for
from members import validation as v
from members.models import Member, MemberCategory
from mutualaid.tenancy.scoping import Actor
from plans.rules import MEMBER_CATEGORIES

# --- Cells -------------------------------------------------------------------------------------

_CATEGORY_WORDS: dict[str, str] = {}


def _category_words() -> dict[str, str]:
    """Category cell text → code: the codes, the Chinese names, common variants, English."""
    if not _CATEGORY_WORDS:
        from django.utils import translation

        for code, label in MEMBER_CATEGORIES.items():
            _CATEGORY_WORDS[code] = code
            _CATEGORY_WORDS[label] = code
        _CATEGORY_WORDS.update({"新就业形态": "new_employment", "在职职工": "worker"})
        with translation.override("en"):
            for choice in MemberCategory:
                _CATEGORY_WORDS["".join(str(choice.label).lower().split())] = choice.value
    return _CATEGORY_WORDS


def _clean_text(raw: Any) -> str:
    if raw is None:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(raw)).split())


def parse_category(raw: Any) -> str | None:
    """A roster's category cell: a code (``worker``) or a name (职工, 农民工 …); "" → None.
    Raises InvalidValue for anything else."""
    text = _clean_text(raw)
    if not text:
        return None
    words = _category_words()
    code = words.get(text) or words.get(text.lower())
    if code is None:
        labels = "、".join(MEMBER_CATEGORIES.values())
        raise v.InvalidValue(
            _("Unknown category “%(value)s”: use one of %(labels)s.")
            % {"value": str(raw).strip(), "labels": labels},
            code="category_invalid",
            field="category",
        )
    return code


def parse_shares(raw: Any) -> int | None:
    """A shares cell: 3, "3", "３", "3份", 3.0 from a spreadsheet; blank → None."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise v.InvalidValue(
            _("The number of shares must be a whole number."), code="shares_invalid", field="shares"
        )
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
    else:
        text = _clean_text(raw).removesuffix("份")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite() and number == number.to_integral_value():
            return int(number)
    raise v.InvalidValue(
        _("The number of shares must be a whole number."), code="shares_invalid", field="shares"
    )


# --- A batch of rows ---------------------------------------------------------------------------


@dataclass
class Batch:
    """Rows checked: their candidates and report, and what writing the valid ones needs."""

    rules: EnrolmentRules
    cands: list[Candidate]
    report: Report
    #: index → (name, phone, IdInfo) for people not registered yet.
    new_people: dict[int, tuple[str, str, v.IdInfo]]
    premiums: dict[int, Decimal]

    def valid(self) -> list[Candidate]:
        return [c for c in self.cands if not self.report.has(c)]


def _add_invalid(report: Report, cand: Candidate, error: v.InvalidValue) -> None:
    for field_name, errors in error.error_dict.items():
        for item in errors:
            report.add(cand, field_name, item.code or "invalid", item.messages[0])


def registered_members(tenant_id, numbers: Sequence[str]) -> dict[str, dict[str, Any]]:
    """ID number → the registered member's facts the checks use, for these numbers."""
    if not numbers:
        return {}
    return {
        row["id_number"]: row
        for row in Member.objects.filter(tenant_id=tenant_id)
        .filter(AnyOf("id_number", numbers))
        .values(
            "id",
            "id_number",
            "name",
            "organisation_id",
            "organisation__name",
            "organisation__path",
            "sex",
            "birth_date",
            "category",
            "employment_status",
        )
    }


#: Columns a roster may carry beside the ID number, checked against it (members.validation).
_STATED = (("sex", v.check_stated_sex), ("birth_date", v.check_stated_birth_date))


def evaluate(
    actor: Actor | None,
    enrolment: Enrolment,
    rows: Sequence[Mapping[str, Any]],
    *,
    replacing=None,
    rules: EnrolmentRules | None = None,
) -> Batch:
    """Clean every row, find registered members, and run every rule: the report of a batch.

    A row is a mapping with ``row`` (its number in the sheet), ``name``, ``id_number``
    (raw: spreadsheet floats and full-width text are handled), ``shares`` (or ``tier``),
    ``category`` and ``phone``; or ``member`` (a Member of the unit) and ``shares``.
    ``replacing``: the member whose line is being changed (it does not count as present)."""
    rules = rules or rules_for(enrolment)
    report = Report()
    cands: list[Candidate] = []
    new_people: dict[int, tuple[str, str, v.IdInfo]] = {}
    infos: dict[int, v.IdInfo] = {}
    texts: dict[int, tuple[str, str, str | None]] = {}

    sold_in_tiers, tier_codes = rules.sold_in_tiers, rules.tier_codes
    for index, raw in enumerate(rows):
        cand = Candidate(index=index, row=raw.get("row"), id_number="")
        cands.append(cand)
        tier = raw.get("tier")
        if tier:
            tier = str(tier).strip()
            # A roster names the tier as the template's drop-down does (its name) or by its code.
            cand.tier = tier_codes.get(tier, tier)
        if sold_in_tiers:
            cand.shares = 1  # a tier is one "share" of its level
        else:
            try:
                cand.shares = parse_shares(raw.get("shares"))
            except v.InvalidValue as error:
                _add_invalid(report, cand, error)
        member = raw.get("member")
        if member is not None:
            cand.member_id = member.pk
            cand.id_number = member.id_number
            cand.name = member.name
            cand.sex, cand.birth_date = member.sex, member.birth_date
            cand.category = member.category
            cand.employment_status = member.employment_status
            if member.organisation_id != enrolment.organisation_id:
                report.add(
                    cand,
                    "member",
                    "member_in_other_unit",
                    _("This member belongs to another unit."),
                )
            continue
        try:
            # ``id_number_raw``: the key the roster reader (enrolment.roster) hands over.
            info = v.validate_id_number(raw.get("id_number", raw.get("id_number_raw")))
        except v.InvalidValue as error:
            _add_invalid(report, cand, error)
        else:
            cand.id_number = info.number
            infos[index] = info
            # A roster's sex and birth date columns, when it has them: checked against the
            # ID number, which is what gets recorded (members.validation).
            for field_name, check in _STATED:
                if field_name in raw:
                    try:
                        check(raw[field_name], info, field=field_name)
                    except v.InvalidValue as error:
                        _add_invalid(report, cand, error)
        name = phone = ""
        category = None
        try:
            name = v.validate_person_name(raw.get("name"))
        except v.InvalidValue as error:
            _add_invalid(report, cand, error)
        try:
            phone = v.validate_phone(raw.get("phone") or "")
        except v.InvalidValue as error:
            _add_invalid(report, cand, error)
        try:
            category = parse_category(raw.get("category"))
        except v.InvalidValue as error:
            _add_invalid(report, cand, error)
        cand.name = name
        texts[index] = (name, phone, category)

    # Registered people among the rows: one query for the whole roster.
    numbers = [c.id_number for c in cands if c.id_number and c.member_id is None]
    registered = registered_members(enrolment.tenant_id, numbers)
    for cand in cands:
        if cand.member_id is not None or cand.index not in texts:
            continue
        name, phone, category = texts[cand.index]
        found = registered.get(cand.id_number) if cand.id_number else None
        if found is None:
            cand.category = category or MemberCategory.WORKER
            if cand.index in infos:
                info = infos[cand.index]
                cand.sex, cand.birth_date = info.sex, info.birth_date
                new_people[cand.index] = (name, phone, info)
            continue
        if found["organisation_id"] != enrolment.organisation_id:
            if actor is not None and found["organisation__path"].startswith(actor.path):
                message = _(
                    "This person is registered in %(unit)s: transfer the member to this unit first."
                ) % {"unit": found["organisation__name"]}
            else:
                message = _(
                    "This person is registered in another unit of this office: ask for a "
                    "transfer to this unit first."
                )
            report.add(cand, "id_number", "member_in_other_unit", message)
            continue
        cand.member_id = found["id"]
        cand.sex, cand.birth_date = found["sex"], found["birth_date"]
        cand.category = found["category"]
        cand.employment_status = found["employment_status"]
        if name and name != found["name"]:
            report.add(
                cand,
                "name",
                "name_mismatch",
                _("The registered member with this ID number is called %(name)s.")
                % {"name": found["name"]},
            )
        if category and category != found["category"]:
            report.add(
                cand,
                "category",
                "category_mismatch",
                _("The member is registered as %(category)s.")
                % {"category": MEMBER_CATEGORIES.get(found["category"], found["category"])},
            )

    member_ids = [c.member_id for c in cands if c.member_id is not None]
    on_roster: set[str] = set()
    previous_shares: dict[Any, int] = {}
    cover: dict[Any, list[CoverRow]] = {}
    if member_ids:
        present = roster_lines(enrolment).filter(AnyOf("member_id", member_ids))
        if replacing is not None:
            present = present.exclude(member_id=replacing)
        present_ids = set(present.values_list("member_id", flat=True))
        on_roster = {c.id_number for c in cands if c.member_id in present_ids}
        if rules.kind == EnrolmentKind.RENEWAL and enrolment.previous_id:
            previous_shares = dict(
                Policy.objects.filter(enrolment_id=enrolment.previous_id)
                .filter(AnyOf("member_id", member_ids))
                .values_list("member_id", "shares")
            )
            for cand in cands:
                cand.previous_shares = previous_shares.get(cand.member_id, 0)
        cover = cover_of(enrolment, rules, member_ids)

    report = check_batch(
        rules,
        cands,
        report=report,
        existing_shares=_existing_shares(enrolment, rules, replacing=replacing),
        on_roster=on_roster,
        cover=cover,
    )
    premiums = {c.index: premium_of(rules, c) for c in cands if not report.has(c)}
    return Batch(rules, cands, report, new_people, premiums)


def premium_of(rules: EnrolmentRules, cand: Candidate) -> Decimal:
    """A line's premium under the rules (its shares or tier; pro rata for an addition)."""
    if rules.sold_in_tiers:
        full = line_premium(shares=1, tier_premium=rules.tiers[cand.tier])
    else:
        full = line_premium(shares=cand.shares, premium_per_share=rules.premium_per_share)
    if rules.kind == EnrolmentKind.ADDITION:
        return addition_premium(
            rule=rules.mid_term_addition,
            full_premium=full,
            start=rules.period.start,
            end=rules.period.end,
            term_months=rules.term_months,
        )
    return full


def _existing_shares(
    enrolment: Enrolment, rules: EnrolmentRules, *, replacing=None
) -> Counter[tuple[int, bool]]:
    """(shares, keeps last year's count) → lines, for the roster as it stands (one query);
    an addition counts the common period's policies too (it joins their roster)."""
    counts: Counter[tuple[int, bool]] = Counter()
    lines = roster_lines(enrolment)
    if replacing is not None:
        lines = lines.exclude(member_id=replacing)
    for shares, previous, n in (
        lines.order_by().values_list("shares", "previous_shares").annotate(n=Count("id"))
    ):
        probe = Candidate(index=-1, row=None, id_number="", shares=shares, previous_shares=previous)
        counts[(shares, keeps_previous_shares(rules, probe))] += n
    if rules.kind == EnrolmentKind.ADDITION and enrolment.previous_id:
        for shares, n in (
            Policy.objects.filter(enrolment_id=enrolment.previous_id, status=PolicyStatus.IN_FORCE)
            .order_by()
            .values_list("shares")
            .annotate(n=Count("id"))
        ):
            counts[(shares, False)] += n
    return counts


# --- Cover held or asked for --------------------------------------------------------------------


def cover_of(
    enrolment: Enrolment, rules: EnrolmentRules, member_ids: Sequence[Any]
) -> dict[Any, list[CoverRow]]:
    """What these members hold or are enrolled in over days of the rules' period, in this
    plan or its exclusive group: one query over policies, one over open enrolments."""
    period = rules.period
    same = Q(plan_id=rules.plan_id)
    if rules.exclusive_group:
        same |= Q(exclusive_group=rules.exclusive_group)
    out: dict[Any, list[CoverRow]] = defaultdict(list)
    policies = (
        Policy.objects.filter(tenant_id=enrolment.tenant_id)
        .filter(AnyOf("member_id", member_ids))
        .exclude(status=PolicyStatus.CANCELLED)
        .exclude(enrolment_id=enrolment.pk)
        .filter(same, start__lte=period.end)
        .filter(Q(ended_on__isnull=True, end__gte=period.start) | Q(ended_on__gte=period.start))
        # check_cover names the first conflict: the same one as the renewal job's SQL names.
        .order_by("start", "plan_id", Coalesce("ended_on", "end"))
        .values_list(
            "member_id",
            "plan_id",
            "plan__short_name",
            "plan__name",
            "exclusive_group",
            "start",
            Coalesce("ended_on", "end"),
        )
    )
    for member_id, plan_id, short, name, group, start, end in policies:
        out[member_id].append(CoverRow(member_id, plan_id, short or name, group, start, end, True))
    # Open enrolments' rosters: their lines, and the rosters renewal drafts hold by
    # reference (enrolment.roster_source), in one query.
    lines = open_roster_rows(
        tenant_id=enrolment.tenant_id,
        member_ids=member_ids,
        exclude_enrolment_id=enrolment.pk,
        plan_id=rules.plan_id,
        exclusive_group=rules.exclusive_group,
        start=period.start,
        end=period.end,
    )
    for member_id, plan_id, short, name, group, start, end in lines:
        out[member_id].append(CoverRow(member_id, plan_id, short or name, group, start, end, False))
    return out
