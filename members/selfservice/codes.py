"""One-time codes and the sign-in's rate limits.

- A code is 6 digits from ``secrets``; only its HMAC-SHA256 (keyed by SECRET_KEY through
  ``salted_hmac``, salted with the tenant, member and purpose) is stored, compared in
  constant time. ``dummy_work`` does the same hashing when there is no member, so an
  unknown ID number costs the same as a known one.
- Rate limits count in the shared cache (Redis, ``CACHES``), the store the API's throttle
  counts in (``mutualaid.api.throttling``), so a limit holds across every web worker:
  per ID number (its HMAC, never the number itself, is the key) and per client address
  (as django-axes reads it, ``AXES_IPWARE_*``). When the cache does not answer the
  request goes through with a warning, like the API's throttle: the codes' own limits
  (60 s between codes, 5 tries, then a lock) are in the database and still hold.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from mutualaid.core.limits import within_limit

CODE_LENGTH = 6
#: A code is valid this long (seconds).
CODE_TTL = 5 * 60
#: A new code only this long after the last one (seconds).
RESEND_AFTER = 60
#: Wrong codes allowed; the fifth wrong one locks the code.
MAX_TRIES = 5
#: After a lock, no new code for this long (seconds).
LOCK_SECONDS = 15 * 60

_SALT = "mutualaid.members.one-time-code"


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def digest(code: str, *, tenant_id, member_id, purpose: str) -> str:
    return salted_hmac(
        _SALT, f"{tenant_id}:{member_id}:{purpose}:{code}", algorithm="sha256"
    ).hexdigest()


def matches(code: str, stored: str, *, tenant_id, member_id, purpose: str) -> bool:
    return constant_time_compare(
        digest(code, tenant_id=tenant_id, member_id=member_id, purpose=purpose), stored
    )


def dummy_work(code: str = "000000") -> None:
    """The hashing a known member costs, for an unknown one (timing)."""
    digest(code, tenant_id="-", member_id="-", purpose="-")


def id_key(id_number: str) -> str:
    return salted_hmac(_SALT + ".id", id_number, algorithm="sha256").hexdigest()[:32]


def _limit(name: str) -> tuple[int, int]:
    limits = getattr(settings, "MEMBER_SIGN_IN_LIMITS", {})
    return limits.get(name, DEFAULT_LIMITS[name])


#: name → (requests, per seconds). "id": codes asked for one ID number; "address": codes
#: asked from one client address; "verify": codes typed from one client address.
DEFAULT_LIMITS = {
    "id": (5, 3600),
    "address": (20, 3600),
    "verify": (30, 600),
}


def hit(name: str, ident: str) -> bool:
    """Count one request against the limit ``name`` for ``ident``; False when over it."""
    count, seconds = _limit(name)
    return within_limit(f"member-sign-in:{name}:{ident}", count, seconds)
