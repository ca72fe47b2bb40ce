"""Cleaning what people type or upload, the same way for pages, files and the API: money,
masks of personal numbers. Pure functions; errors are ``DomainError`` naming the field.
"""

from __future__ import annotations


def mask_id_number(number: str) -> str:
    """``3401**********1234``: the first four and last four characters."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_bank_account(account: str) -> str:
    """``6222 **** **** 1234`` for a card (16 digits or more): the first four name the
    issuing bank, as on a bank slip; ``**** 5678`` for a shorter (corporate) account. Always
    the same number of stars, so the mask does not tell the length either."""
    account = account or ""
    if len(account) < 8:
        return "****" if account else ""
    if len(account) >= 16:
        return f"{account[:4]} **** **** {account[-4:]}"
    return f"**** {account[-4:]}"
