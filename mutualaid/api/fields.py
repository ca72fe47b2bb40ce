"""Serializer fields that show personal numbers as the caller may see them.

``BankAccountField`` masks unless the serializer's context names an actor who sees whole
accounts (``mutualaid.tenancy.access``): a serializer built without an actor masks, so a
forgotten context errs on the side of privacy.
"""

from __future__ import annotations

from rest_framework import serializers

from mutualaid.tenancy.access import shown_bank_account


class BankAccountField(serializers.CharField):
    """A read-only account number: whole for finance and office admins, else
    ``6222 **** **** 1234``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault(
            "help_text", "Whole for finance and office admins; masked (6222 **** **** 1234) else."
        )
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return shown_bank_account(str(value or ""), self.context.get("actor"))
