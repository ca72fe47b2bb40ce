"""Text messages (SMS) behind a small backend interface, like Django's mail backends.

No gateway is reachable from the office network this portal is built on; a deployment
plugs its gateway in by writing a class with ``send_messages`` and naming it in the
``SMS_BACKEND`` setting (environment variable of the same name). Shipped backends:

- ``mutualaid.notifications.sms.ConsoleBackend`` (default): writes each message to stdout;
- ``mutualaid.notifications.sms.FileBackend``: appends JSON lines to ``SMS_FILE_PATH``;
- ``mutualaid.notifications.sms.LocmemBackend``: keeps them in ``sms.outbox`` (tests).

The notifications use it for users who ask for text messages; the member self-service
(one-time codes) reuses ``send_sms``.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

#: What the locmem backend sent (tests read it, as ``django.core.mail.outbox``).
outbox: list[SmsMessage] = []

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str


def clean_mobile(raw: str) -> str:
    """A mainland mobile number (11 digits from 1[3-9]), spaces, dashes and +86 removed;
    "" when it is not one."""
    digits = re.sub(r"[\s\-()]", "", str(raw or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits if _MOBILE.match(digits) else ""


class BaseBackend:
    """Send a list of messages; return how many went out. Must not raise for one bad
    number: a gateway refusing a message is logged by the backend, the rest go on."""

    def __init__(self, fail_silently: bool = False, **kwargs) -> None:
        self.fail_silently = fail_silently

    def send_messages(self, messages: list[SmsMessage]) -> int:  # pragma: no cover
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def __init__(self, *args, stream=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()

    def send_messages(self, messages: list[SmsMessage]) -> int:
        with self._lock:
            for message in messages:
                self.stream.write(f"SMS to {message.to}: {message.text}\n")
            self.stream.flush()
        return len(messages)


class FileBackend(BaseBackend):
    def __init__(self, *args, file_path: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.path = Path(file_path or getattr(settings, "SMS_FILE_PATH", "var/sms.jsonl"))

    def send_messages(self, messages: list[SmsMessage]) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        at = timezone.now().isoformat()
        with self.path.open("a", encoding="utf-8") as handle:
            for message in messages:
                handle.write(json.dumps({**asdict(message), "at": at}, ensure_ascii=False) + "\n")
        return len(messages)


class LocmemBackend(BaseBackend):
    def send_messages(self, messages: list[SmsMessage]) -> int:
        outbox.extend(messages)
        return len(messages)


def get_backend(backend: str | None = None, **kwargs) -> BaseBackend:
    path = backend or getattr(settings, "SMS_BACKEND", "mutualaid.notifications.sms.ConsoleBackend")
    return import_string(path)(**kwargs)


def send_sms(to: str, text: str, *, backend: BaseBackend | None = None) -> int:
    """Send one text message; 0 when ``to`` is not a mobile number."""
    number = clean_mobile(to)
    if not number:
        return 0
    return (backend or get_backend()).send_messages([SmsMessage(to=number, text=text)])
