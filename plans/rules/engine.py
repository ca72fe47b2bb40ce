"""The assessment: a claim's facts run through a policy's plan terms.

``assess(policy, facts)`` is a pure function. Order of the rules, each recorded in
the explanation:

1. cover in force on the event date (coverage period, early end of cover);
2. exclusions found by the reviewer that the plan lists (自杀, 既往症 …);
3. which benefit items answer the event (kind, cause, condition) and their fact
   limits (e.g. death within 180 days);
4. per item: payout-count limit, shares that answer it on the event date (share
   tranches each with their own waiting period), the formula, the item's yearly cap
   against earlier payouts;
5. items that exclude each other: the larger is paid, less what was already paid
   for the same event;
6. consolations: staged waiting-period consolation, the flat waiting-period
   consolation (a covered condition diagnosed in the wait, and nothing else
   payable), death from other causes;
7. the plan's yearly cap per member against all earlier payouts;
8. flags: four-eyes (discretionary items, or a total above the threshold) and
   end of cover.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from .assessment import LINE_BENEFIT, LINE_CONSOLATION, Assessment, AssessmentLine
from .formulas import ALWAYS_FOUR_EYES, FormulaContext, compute_formula
from .money import ZERO, fmt_money, fmt_number, quantize_money
from .policy import ClaimFacts, PolicySnapshot, ShareTranche
from .terms import BenefitItem
from .vocab import CAUSES, EVENT_KINDS, FACTS, REASON_LABELS, ReasonCode

#: SPEC §2: a claim above the tenant's threshold needs a second approver. "Above" is
#: 超过, so exactly ¥10,000 does not.
DEFAULT_FOUR_EYES_THRESHOLD = Decimal("10000.00")


@dataclass
class _Line:
    """Working copy of a line while rules still adjust it."""

    code: str
    name: str
    amount: Decimal
    steps: list[str]
    reasons: list[ReasonCode] = field(default_factory=list)
    kind: str = LINE_BENEFIT
    ends_cover: bool = False
    needs_four_eyes: bool = False
    item: BenefitItem | None = None
    blocked_by_wait: bool = False

    def zero(self, reason: ReasonCode, step: str) -> None:
        self.amount = ZERO
        self.steps.append(step)
        _add(self.reasons, reason)

    def freeze(self) -> AssessmentLine:
        return AssessmentLine(
            item_code=self.code,
            item_name=self.name,
            amount=max(quantize_money(self.amount), ZERO),
            steps=tuple(self.steps),
            reasons=tuple(self.reasons),
            kind=self.kind,
            ends_cover=self.ends_cover,
            needs_four_eyes=self.needs_four_eyes,
        )


def _add(reasons: list[ReasonCode], reason: ReasonCode | None) -> None:
    if reason is not None and reason not in reasons:
        reasons.append(reason)


def assess(
    policy: PolicySnapshot,
    facts: ClaimFacts,
    *,
    four_eyes_threshold: Decimal | None = DEFAULT_FOUR_EYES_THRESHOLD,
) -> Assessment:
    """Assess one claim. Same input, same output; never raises for incomplete facts.

    ``four_eyes_threshold`` is the tenant's setting (None disables the amount rule;
    discretionary items need four eyes regardless).
    """
    return _Assessor(policy, facts, four_eyes_threshold).run()


class _Assessor:
    def __init__(self, policy: PolicySnapshot, facts: ClaimFacts, threshold: Decimal | None):
        self.policy = policy
        self.terms = policy.terms
        self.facts = facts
        self.threshold = threshold
        self.lines: list[_Line] = []
        self.reasons: list[ReasonCode] = []
        self.header: list[str] = []
        self.notes: list[str] = []

    # -- orchestration -------------------------------------------------------------

    def run(self) -> Assessment:
        self._describe_claim()
        if not self._in_force():
            return self._finish()
        if self._excluded():
            return self._finish()
        answering = self._answering_items()
        for item in answering:
            self._assess_item(item)
        self._apply_exclusive_groups()
        self._apply_consolations(answered=bool(answering))
        self._apply_plan_cap()
        return self._finish()

    # -- steps ---------------------------------------------------------------------

    def _describe_claim(self) -> None:
        p, f = self.policy, self.facts
        if p.plan_name:
            self.header.append(f"保障计划: {p.plan_name}")
        held = f"持有 {p.shares} 份"
        if p.tier is not None:
            tier = self.terms.tiers.get(p.tier)
            held = f"档次: {tier.name if tier else p.tier}"
        self.header.append(f"保障期: {p.start.isoformat()} 至 {p.end.isoformat()}; {held}")
        event = EVENT_KINDS.get(f.event_kind, f.event_kind)
        parts = [f"事件: {event}"]
        if f.effective_cause is not None:
            parts.append(f"原因: {CAUSES.get(f.effective_cause, f.effective_cause)}")
        if f.condition is not None:
            parts.append(
                f"疾病/手术: {self.terms.covered_conditions.get(f.condition, f.condition)}"
            )
        parts.append(f"日期: {f.event_date.isoformat()}")
        self.header.append("; ".join(parts))

    def _in_force(self) -> bool:
        p, day = self.policy, self.facts.event_date
        if p.in_force_on(day):
            return True
        if not (p.start <= day <= p.end):
            self.notes.append(
                f"事件日期 {day.isoformat()} 不在保障期 {p.start.isoformat()}"
                f" 至 {p.end.isoformat()} 内, 不予给付"
            )
        else:
            assert p.cover_ended_on is not None
            self.notes.append(
                f"该会员本计划保障已于 {p.cover_ended_on.isoformat()} 终止, "
                f"事件日期 {day.isoformat()} 在终止之后, 不予给付"
            )
        _add(self.reasons, ReasonCode.NO_POLICY_IN_FORCE)
        return False

    def _excluded(self) -> bool:
        listed = [c for c in self.facts.exclusions if c in self.terms.exclusions]
        unlisted = [c for c in self.facts.exclusions if c not in self.terms.exclusions]
        if unlisted:
            self.notes.append(
                f"审核标记的情形({', '.join(unlisted)})不是本计划的除外责任, 不影响给付"
            )
        if not listed:
            return False
        names = "、".join(self.terms.exclusions[c] for c in listed)
        self.notes.append(f"属于本计划除外责任: {names}; 不予给付")
        _add(self.reasons, ReasonCode.EXCLUDED)
        return True

    def _answering_items(self) -> list[BenefitItem]:
        f = self.facts
        by_event = [i for i in self.terms.items if i.answers_event(f.event_kind, f.effective_cause)]
        answering = [i for i in by_event if i.answers_condition(f.condition)]
        if answering:
            return answering
        if self._death_consolation_applies():
            return []  # the consolation answers this death; see _apply_consolations
        event = EVENT_KINDS.get(f.event_kind, f.event_kind)
        c = self.terms.death_consolation
        if (
            f.event_kind == "death"
            and not by_event
            and c is not None
            and c.causes
            and f.effective_cause is None
        ):
            self.notes.append("请填写身故原因, 才能判断是否给付身故慰问金")
            _add(self.reasons, ReasonCode.MISSING_FACT)
            return []
        if by_event and f.condition is None and any(i.conditions for i in by_event):
            self.notes.append("请填写确诊的疾病或手术, 才能判断是否属于保障范围")
            _add(self.reasons, ReasonCode.MISSING_FACT)
        elif by_event:
            name = self.terms.covered_conditions.get(f.condition or "", f.condition)
            self.notes.append(f"「{name}」不在本计划对应给付项目的保障范围内, 不予给付")
            _add(self.reasons, ReasonCode.NOT_COVERED)
        elif f.effective_cause is None and any(f.event_kind in i.events for i in self.terms.items):
            causes = {c for i in self.terms.items if f.event_kind in i.events for c in i.causes}
            names = "、".join(CAUSES.get(c, c) for c in sorted(causes))
            self.notes.append(
                f"请填写{event}的原因(本计划按原因给付: {names}), 才能判断是否属于保障范围"
            )
            _add(self.reasons, ReasonCode.MISSING_FACT)
        else:
            cause = (
                f", 原因: {CAUSES.get(f.effective_cause, f.effective_cause)}"
                if f.effective_cause
                else ""
            )
            self.notes.append(f"本计划没有对应「{event}{cause}」的给付项目, 不予给付")
            _add(self.reasons, ReasonCode.NOT_COVERED)
        return []

    def _item_params(self, item: BenefitItem) -> dict[str, Any]:
        params = dict(item.params)
        if self.policy.tier is not None and self.policy.tier in self.terms.tiers:
            params.update(self.terms.tiers[self.policy.tier].item_params.get(item.code, {}))
        return params

    def _paid_on(self, codes: set[str], *, same_event: bool = False) -> tuple[Decimal, int]:
        """Sum and count of earlier payouts on these items (this period)."""
        total, count = ZERO, 0
        for payout in self.policy.earlier_payouts:
            if payout.item_code not in codes:
                continue
            if (
                same_event
                and self.facts.event_ref is not None
                and payout.event_ref != self.facts.event_ref
            ):
                continue
            total += payout.amount
            count += 1 if payout.amount > 0 else 0
        return total, count

    def _assess_item(self, item: BenefitItem) -> None:
        line = _Line(item.code, item.name, ZERO, [], item=item)
        self.lines.append(line)
        if item.formula in ALWAYS_FOUR_EYES:
            line.needs_four_eyes = True

        for fact, band in item.fact_limits.items():
            label, unit, _ = FACTS[fact]
            value = self.facts.fact(fact)
            if value is None:
                line.zero(
                    ReasonCode.MISSING_FACT,
                    f"缺少{label}, 无法判断是否符合「{band.describe(unit)}」的条件",
                )
                return
            if not band.contains(value):
                line.zero(
                    ReasonCode.NOT_COVERED,
                    f"{label} {fmt_number(value)}{unit}, 不符合「{band.describe(unit)}」的给付条件",
                )
                return
            line.steps.append(
                f"{label} {fmt_number(value)}{unit}, 符合「{band.describe(unit)}」的给付条件"
            )

        if item.max_payouts_per_period is not None:
            _, count = self._paid_on({item.code})
            if count >= item.max_payouts_per_period:
                line.zero(
                    ReasonCode.LIMIT_REACHED,
                    f"本保障期已给付 {count} 次, 达到最多 {item.max_payouts_per_period} 次的限制",
                )
                return

        covered, waiting = self._shares_for(item, line)
        if covered == 0:
            line.blocked_by_wait = bool(waiting)
            if waiting:
                line.zero(ReasonCode.IN_WAITING_PERIOD, "所有份数均在免责期内, 本项不予给付")
            else:
                line.zero(ReasonCode.NOT_COVERED, "事件发生时尚未持有任何份数, 不予给付")
            return

        result = compute_formula(
            item.formula, self._item_params(item), FormulaContext(covered, self.facts)
        )
        line.steps.extend(s for s in result.steps if s)
        line.amount = result.amount
        line.needs_four_eyes = line.needs_four_eyes or result.needs_four_eyes
        _add(line.reasons, result.reason)
        if waiting:
            _add(line.reasons, ReasonCode.IN_WAITING_PERIOD)

        if item.annual_cap is not None and line.amount > 0:
            cap = item.annual_cap.for_shares(covered)
            paid, _ = self._paid_on({item.code})
            remaining = max(cap - paid, ZERO)
            if line.amount > remaining:
                line.steps.append(
                    f"本项目每年累计最多给付 {fmt_money(cap)}, 本保障期已给付 {fmt_money(paid)}, "
                    f"本次最多给付 {fmt_money(remaining)}"
                )
                line.amount = remaining
                _add(line.reasons, ReasonCode.CAP_REACHED)
        line.ends_cover = item.ends_cover

    def _shares_for(self, item: BenefitItem, line: _Line) -> tuple[int, list[ShareTranche]]:
        """Shares answering ``item`` on the event date, and the tranches still waiting."""
        day = self.facts.event_date
        held = [t for t in self.policy.tranches if t.held_on(day)]
        if not item.waiting_applies:
            return sum(t.shares for t in held), []
        waiting = [t for t in held if t.waiting_on(day)]
        for t in waiting:
            last_waiting_day = t.waiting_end - timedelta(days=1)
            line.steps.append(
                f"{t.shares} 份自 {t.start.isoformat()} 起保,"
                f" 免责期至 {last_waiting_day.isoformat()} "
                f"({t.waiting_end.isoformat()} 起承担保障责任); 事件日 {day.isoformat()} 在免责期内"
            )
        covered = sum(t.shares for t in held if not t.waiting_on(day))
        if waiting and covered:
            line.steps.append(f"已过免责期的份数: {covered} 份")
        return covered, waiting

    def _apply_exclusive_groups(self) -> None:
        groups: dict[str, list[_Line]] = {}
        for line in self.lines:
            if line.item is not None and line.item.exclusive_group is not None:
                groups.setdefault(line.item.exclusive_group, []).append(line)
        for group, lines in groups.items():
            winner = max(lines, key=lambda ln: ln.amount)  # first wins a tie: item order
            for other in lines:
                if other is not winner and other.amount > 0:
                    other.zero(
                        ReasonCode.EXCLUSIVE_WITH_OTHER,
                        f"与「{winner.name}」只能给付其一, 取较高者「{winner.name}」, 本项不予给付",
                    )
                    other.ends_cover = False
            if winner.amount <= 0:
                continue
            codes = {i.code for i in self.terms.items if i.exclusive_group == group}
            already, _ = self._paid_on(codes, same_event=True)
            if already > 0:
                names = "、".join(i.name for i in self.terms.items if i.exclusive_group == group)
                remaining = max(winner.amount - already, ZERO)
                winner.steps.append(
                    f"同一事件已给付({names}) {fmt_money(already)}, 扣除后应给付 "
                    f"{fmt_money(winner.amount)} − {fmt_money(already)} = {fmt_money(remaining)}"
                )
                winner.amount = remaining
                _add(winner.reasons, ReasonCode.ALREADY_PAID)

    def _apply_consolations(self, *, answered: bool) -> None:
        terms, day = self.terms, self.facts.event_date
        blocked = [line for line in self.lines if line.blocked_by_wait]
        # The flat consolation is for "患上保障范围内指定疾病" inside the wait: only items
        # that answer a list of covered conditions qualify (a death in the wait does not).
        condition_blocked = any(line.item is not None and line.item.conditions for line in blocked)
        benefits = sum((line.amount for line in self.lines), ZERO)
        staged_paid = False
        if blocked and terms.waiting_period.stages:
            staged_paid = self._staged_consolation()
        if (
            condition_blocked
            and not staged_paid
            and benefits == 0
            and terms.waiting_consolation is not None
        ):
            c = terms.waiting_consolation
            waiting_shares = sum(t.shares for t in self.policy.tranches if t.waiting_on(day))
            amount = c.amount * waiting_shares if c.per_share else c.amount
            steps = ["在免责期内确诊保障范围内的疾病, 且没有其他可给付的项目"]
            if c.per_share:
                steps.append(f"{waiting_shares} 份 × {fmt_money(c.amount)} = {fmt_money(amount)}")
            else:
                steps.append(f"给予慰问金 {fmt_money(amount)}")
            self.lines.append(
                _Line(
                    "waiting_period_consolation",
                    "免责期内慰问金",
                    amount,
                    steps,
                    kind=LINE_CONSOLATION,
                    ends_cover=c.ends_cover,
                )
            )
        if not answered and self._death_consolation_applies():
            c = terms.death_consolation
            assert c is not None
            cause = CAUSES.get(self.facts.effective_cause or "", "其它原因")
            amount = c.amount * self.policy.shares if c.per_share else c.amount
            steps = [f"因{cause}身故, 本计划无对应给付项目", f"给予慰问金 {fmt_money(amount)}"]
            self.lines.append(
                _Line(
                    "death_other_causes_consolation",
                    "因其它原因身故慰问金",
                    amount,
                    steps,
                    kind=LINE_CONSOLATION,
                    ends_cover=c.ends_cover,
                )
            )

    def _death_consolation_applies(self) -> bool:
        c = self.terms.death_consolation
        if c is None or self.facts.event_kind != "death":
            return False
        return not c.causes or self.facts.effective_cause in c.causes

    def _staged_consolation(self) -> bool:
        """Staged waiting period: an item wholly blocked by the wait pays what the stage says.

        Called only when some answering item had no share past its wait; each waiting
        tranche is paid by the stage its own day number falls in (tranches bought on
        different days can sit in different stages).
        """
        day = self.facts.event_date
        wp = self.terms.waiting_period
        amount, steps, ends_cover, paid_flat = ZERO, [], False, False
        for t in self.policy.tranches:
            if not t.waiting_on(day):
                continue
            n = t.day_number(day)
            stage = wp.stage_for_day(n)
            if stage is None or stage.benefit != "consolation":
                steps.append(f"{t.shares} 份: 事件发生在起保后第 {n} 天, 该阶段不给付")
                continue
            if stage.per_share:
                piece = stage.amount * t.shares
                steps.append(
                    f"{t.shares} 份: 事件发生在起保后第 {n}"
                    f" 天(免责期至第 {stage.until_day} 天的阶段), "
                    f"{t.shares} 份 × {fmt_money(stage.amount)} = {fmt_money(piece)}"
                )
            elif not paid_flat:
                piece, paid_flat = stage.amount, True
                steps.append(
                    f"事件发生在起保后第 {n} 天(免责期至第 {stage.until_day} 天的阶段), "
                    f"给予慰问金 {fmt_money(piece)}"
                )
            else:
                continue
            amount += piece
            ends_cover = ends_cover or stage.ends_cover
        if amount <= 0:
            return False
        if ends_cover:
            steps.append("按条款, 给付此慰问金后保障终止")
        self.lines.append(
            _Line(
                "waiting_stage_consolation",
                "免责期分段慰问金",
                amount,
                steps,
                kind=LINE_CONSOLATION,
                ends_cover=ends_cover,
            )
        )
        return True

    def _apply_plan_cap(self) -> None:
        cap_terms = self.terms.annual_cap
        if cap_terms is None:
            return
        cap = cap_terms.for_shares(self.policy.shares)
        paid = sum((p.amount for p in self.policy.earlier_payouts), ZERO)
        remaining = max(cap - paid, ZERO)
        total = sum((line.amount for line in self.lines), ZERO)
        if total <= remaining:
            return
        text = (
            f"本计划每人每年累计最多给付 {fmt_money(cap)}, 本保障期已给付 {fmt_money(paid)}, "
            f"本次最多给付 {fmt_money(remaining)}"
        )
        self.notes.append(text)
        for line in self.lines:  # in line order: earlier items keep their amount first
            if line.amount <= remaining:
                remaining -= line.amount
                continue
            line.steps.append(
                f"受年度累计上限限制, 本项由 {fmt_money(line.amount)} 减为 {fmt_money(remaining)}"
            )
            line.amount = remaining
            remaining = ZERO
            _add(line.reasons, ReasonCode.CAP_REACHED)

    # -- result --------------------------------------------------------------------

    def _finish(self) -> Assessment:
        lines = tuple(line.freeze() for line in self.lines)
        total = max(quantize_money(sum((ln.amount for ln in lines), ZERO)), ZERO)
        reasons = list(self.reasons)
        for ln in lines:
            for r in ln.reasons:
                _add(reasons, r)
        ends_cover = any(ln.ends_cover and ln.amount > 0 for ln in lines)
        four_eyes_items = any(ln.needs_four_eyes for ln in lines)
        above = self.threshold is not None and total > self.threshold
        explanation = list(self.header)
        for ln in lines:
            explanation.append(f"【{ln.item_name}】")
            explanation.extend(f"  {s}" for s in ln.steps)
            if ln.amount > 0:
                explanation.append(f"  本项应给付 {fmt_money(ln.amount)}")
            else:
                why = "; ".join(REASON_LABELS[r] for r in ln.reasons) or "无可给付金额"
                explanation.append(f"  本项不予给付({why})")
        explanation.extend(self.notes)
        explanation.append(f"合计应给付 {fmt_money(total)}")
        if ends_cover:
            explanation.append("给付后, 该会员在本计划的保障终止")
        if four_eyes_items:
            explanation.append("本案含管委会决定金额的项目, 须经两人审批")
        elif above:
            explanation.append(f"给付金额超过 {fmt_money(self.threshold or ZERO)}, 须经两人审批")
        return Assessment(
            total=total,
            lines=lines,
            reasons=tuple(reasons),
            needs_four_eyes=four_eyes_items or above,
            ends_cover=ends_cover,
            explanation=tuple(explanation),
        )
