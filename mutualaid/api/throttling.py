"""The API's rate limit per user, counted in the shared cache (Redis, ``CACHES``), so it
holds across every web worker.

When the cache does not answer, the request goes through and a warning is logged: the
limit protects the site from a runaway integration, and refusing every API call while
Redis is down would be the bigger outage. The cache's short socket timeouts (settings)
keep such a request from waiting long.
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError
from rest_framework import throttling

logger = logging.getLogger(__name__)


class UserRateThrottle(throttling.UserRateThrottle):
    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as error:
            logger.warning("API throttle skipped: the cache does not answer (%r)", error)
            return True
