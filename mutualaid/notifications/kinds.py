"""Notification kinds: each app registers the message of its kinds (English msgid,
translated when shown). ``params`` fill the message's ``%(name)s`` placeholders."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

MESSAGES: dict[str, Any] = {}


def register(kind: str, message) -> None:
    """``message``: a lazy translated string with ``%(name)s`` placeholders."""
    MESSAGES[kind] = message


def render(kind: str, params: dict[str, Any]) -> str:
    message = MESSAGES.get(kind)
    if message is None:
        return _("Notification")
    try:
        return str(message) % params
    except (KeyError, TypeError, ValueError):
        return str(message)
