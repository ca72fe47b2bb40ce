"""Cleaning what people type or upload, the same way for pages, files and the API: money,
masks of personal numbers. Pure functions; errors are ``DomainError`` naming the field.
"""

from __future__ import annotations


def mask_id_number(number: str) -> str:
    """``3401**********1234``: the first four and last four characters."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
