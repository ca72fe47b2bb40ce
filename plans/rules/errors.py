"""Domain errors of the benefit engine.

Messages are Chinese because they reach office admins verbatim through forms and
the API; ``InvalidTerms.errors`` keeps the per-field structure for form binding.
"""

from __future__ import annotations


class RulesError(Exception):
    """Base class for everything the engine raises on purpose."""


class UnknownFormula(RulesError, LookupError):
    """A benefit item names a formula kind the registry does not know."""


class InvalidTerms(RulesError, ValueError):
    """Plan-version terms failed validation; ``errors`` maps field path → messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        lines = [f"{field}: {msg}" for field, msgs in errors.items() for msg in msgs]
        super().__init__("保障计划条款有误:\n" + "\n".join(lines))
