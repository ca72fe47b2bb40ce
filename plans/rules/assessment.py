"""Engine output: an Assessment, stored with the claim and shown to the reviewer.

Everything is immutable and ordered (tuples, not sets) so that the same input gives
an identical object and an identical ``to_dict()`` — the stored assessment must be
reproducible when an auditor re-runs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .vocab import ReasonCode

LINE_BENEFIT = "benefit"
LINE_CONSOLATION = "consolation"

#: Sentences of the explanation that speak to the office (how many must approve), not to
#: the member: the payout notice handed to the member leaves them out. Matched by words
#: because assessments stored before this rule carry the same sentences unmarked.
FOUR_EYES_PHRASE = "须经两人审批"
INTERNAL_PHRASES = (FOUR_EYES_PHRASE, "待管委会研究决定金额")


def explanation_for_member(explanation: list[str] | tuple[str, ...]) -> list[str]:
    """The explanation without the office's internal sentences (approvals needed)."""
    return [line for line in explanation if not any(p in line for p in INTERNAL_PHRASES)]


@dataclass(frozen=True)
class AssessmentLine:
    """One benefit item (or consolation) considered for the claim, paid or not."""

    item_code: str
    item_name: str
    amount: Decimal
    steps: tuple[str, ...]
    reasons: tuple[ReasonCode, ...] = ()
    kind: str = LINE_BENEFIT
    ends_cover: bool = False
    needs_four_eyes: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_code": self.item_code,
            "item_name": self.item_name,
            "kind": self.kind,
            "amount": str(self.amount),
            "steps": list(self.steps),
            "reasons": [str(r) for r in self.reasons],
            "ends_cover": self.ends_cover,
            "needs_four_eyes": self.needs_four_eyes,
        }


@dataclass(frozen=True)
class Assessment:
    """The result of running a claim through the plan's formulas.

    ``total`` is what is payable (2 places, never negative). ``reasons`` lists, in
    order of first appearance, why anything was not (fully) payable. ``ends_cover``
    is True when a paid line ends the member's cover. ``explanation`` is the whole
    story in plain Chinese, one sentence per entry, for the reviewer and the payout
    notice.
    """

    total: Decimal
    lines: tuple[AssessmentLine, ...]
    reasons: tuple[ReasonCode, ...]
    needs_four_eyes: bool
    ends_cover: bool
    explanation: tuple[str, ...]

    @property
    def payable(self) -> bool:
        return self.total > 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (amounts as strings) for storing with the claim."""
        return {
            "total": str(self.total),
            "lines": [line.to_dict() for line in self.lines],
            "reasons": [str(r) for r in self.reasons],
            "needs_four_eyes": self.needs_four_eyes,
            "ends_cover": self.ends_cover,
            "explanation": list(self.explanation),
        }
