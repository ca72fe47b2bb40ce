"""The API's rate limit per token (per user for a signed-in session), counted in the shared
cache (Redis, ``CACHES``), so it holds across every web worker. A refused request answers
429 with ``Retry-After`` (seconds), which DRF sets from ``wait()``.

Each token has its own budget: a runaway integration exhausts its token's, not the
person's other tokens or their session in the browser.

When the cache does not answer, the request goes through and a warning is logged: the
limit protects the site from a runaway integration, and refusing every API call while
Redis is down would be the bigger outage. The cache's short socket timeouts (settings)
keep such a request from waiting long.
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError
from rest_framework import throttling

from mutualaid.api.models import ApiToken

logger = logging.getLogger(__name__)


class UserRateThrottle(throttling.UserRateThrottle):
    def get_cache_key(self, request, view):
        if isinstance(getattr(request, "auth", None), ApiToken):
            return self.cache_format % {"scope": "token", "ident": request.auth.pk}
        return super().get_cache_key(request, view)

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as error:
            logger.warning("API throttle skipped: the cache does not answer (%r)", error)
            return True
