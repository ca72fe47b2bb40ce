"""Counting requests against a limit in the shared cache (Redis), for doors that have no
signed-in user to throttle: the member's sign-in, the public application form.

client_address(request)            the client's address as django-axes reads it for the
                                   sign-in's lockouts (one reader for every limit)
within_limit(key, count, seconds)  count one request in a fixed window; False once over

When the cache does not answer, requests go through with a warning (like the API's
throttle): the doors' own database rules still hold.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def client_address(request) -> str:
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or "unknown"


def within_limit(key: str, count: int, seconds: int) -> bool:
    """Count one request under ``key`` (a window of ``seconds`` from its first request);
    True while at most ``count`` were counted."""
    try:
        cache.add(key, 0, timeout=seconds)
        return cache.incr(key) <= count
    except (RedisError, OSError, ValueError) as error:
        logger.warning("limit %s skipped: the cache does not answer (%r)", key, error)
        return True
