"""Counting requests against a limit in the shared cache (Redis), for doors that have no
signed-in user to throttle: the member's sign-in, the public application form.

client_ip(request)                 the client's IP address behind the trusted proxies
                                   (settings.PROXY_COUNT), or None; django-axes' lockouts
                                   read it too (AXES_CLIENT_IP_CALLABLE)
client_address(request)            the same as a limit's key ("unknown" for None)
within_limit(key, count, seconds)  count one request in a fixed window; False once over

When the cache does not answer, requests go through with a warning (like the API's
throttle): the doors' own database rules still hold.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    """The client's IP address: the connection's (``REMOTE_ADDR``), or behind
    ``settings.PROXY_COUNT`` trusted proxies the address the outermost of them saw; None
    when there is none (django-axes' ``AXES_CLIENT_IP_CALLABLE``).

    Each proxy appends to ``X-Forwarded-For`` the address the request came to it from, so
    behind N proxies the N-th entry from the right is what the first one saw; entries further
    left are whatever the client sent and may be forged, so they are never read. A request
    with fewer entries did not come through the proxies: its connection's address counts."""
    meta = request.META
    count = settings.PROXY_COUNT
    if count > 0:
        hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= count:
            return _address(hops[-count])
    return _address(meta.get("REMOTE_ADDR") or "")


def client_address(request) -> str:
    """``client_ip`` as a limit's key: what is not an IP address is one shared "unknown"."""
    return client_ip(request) or "unknown"


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def within_limit(key: str, count: int, seconds: int) -> bool:
    """Count one request under ``key`` (a window of ``seconds`` from its first request);
    True while at most ``count`` were counted."""
    try:
        cache.add(key, 0, timeout=seconds)
        return cache.incr(key) <= count
    except (RedisError, OSError, ValueError) as error:
        logger.warning("limit %s skipped: the cache does not answer (%r)", key, error)
        return True
