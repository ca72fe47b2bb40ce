"""``discretionary``: an amount decided by the committee (管委会研究), within an optional cap.

绍兴 火灾等天灾人祸补助. The engine cannot compute the amount, only check it against
the cap and insist on a second approver: a number typed by one person that moves
fund money must be seen by another (SPEC §2, four-eyes).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..money import fmt_money
from ..vocab import ReasonCode
from .base import FormulaContext, FormulaResult, ParamReader
from .spec import gettext_noop, money

KIND = "discretionary"
LABEL = "管委会研究决定"

PARAMS = (
    money(
        "cap",
        gettext_noop("Highest amount the committee may grant (yuan)"),
        "最高补助金额",
        help=gettext_noop("Empty: no cap. Every payout of this item needs a second approver."),
    ),
)


@dataclass(frozen=True)
class Params:
    cap: Decimal | None


def read_params(raw: Any) -> tuple[Params | None, list[str]]:
    r = ParamReader(raw, PARAMS)
    cap = r.read("cap")
    if r.errors:
        return None, r.errors
    return Params(cap), []


def validate(raw: Any) -> list[str]:
    return read_params(raw)[1]


def compute(raw: Any, ctx: FormulaContext) -> FormulaResult:
    p, _ = read_params(raw)
    assert p is not None, "validate plan terms before assessing"
    decided, problem = ctx.fact("decided_amount")
    if decided is None:
        return FormulaResult.nothing(
            ReasonCode.MISSING_FACT,
            [f"{problem}: 待管委会研究决定金额", "此项须经两人审批"],
            needs_four_eyes=True,
        )
    steps = [f"管委会决定金额 {fmt_money(decided)}"]
    amount, reason = decided, None
    if p.cap is not None and decided > p.cap:
        steps.append(f"超过最高补助金额 {fmt_money(p.cap)}, 按 {fmt_money(p.cap)} 给付")
        amount, reason = p.cap, ReasonCode.CAP_REACHED
    steps.append("此项须经两人审批")
    return FormulaResult.paid(amount, steps, reason, needs_four_eyes=True)
