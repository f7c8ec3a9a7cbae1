"""A Redis cache that keeps the site answering while Redis is down.

The cache holds the rate limits (allauth's log-in limits, django-ratelimit on /verify/) and
used TOTP codes. With Django's ``RedisCache`` a stopped Redis turns every one of those pages
into a 500. Here a connection error sends the call to a local in-memory cache of this
process instead, logged once per outage, and Redis is tried again a few seconds later: the
limits keep counting (per process) rather than failing open, and nothing breaks.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import redis.exceptions
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

#: Errors that mean "Redis cannot be reached", not "this value is wrong".
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    """``RedisCache`` with a local fallback during an outage (``RETRY_AFTER`` seconds
    between two attempts to reach Redis again)."""

    RETRY_AFTER = 5.0

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("RETRY_AFTER", self.RETRY_AFTER))
        # A Redis that hangs must not hang the page: a short timeout, then the fallback.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._fallback = LocMemCache(f"fallback-{id(self)}", {"TIMEOUT": params.get("TIMEOUT")})
        self._down_since: float | None = None
        self._lock = threading.Lock()

    @property
    def is_down(self) -> bool:
        return self._down_since is not None

    def _use_redis(self) -> bool:
        down_since = self._down_since
        return down_since is None or time.monotonic() - down_since >= self.retry_after

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if self._use_redis():
            try:
                result = getattr(super(), method)(*args, **kwargs)
            except UNREACHABLE as exc:
                with self._lock:
                    if self._down_since is None:
                        logger.error(
                            "Cache unreachable (%s): using this process's memory until it is back",
                            exc,
                        )
                    self._down_since = time.monotonic()
            else:
                if self._down_since is not None:
                    with self._lock:
                        if self._down_since is not None:
                            logger.warning("Cache reachable again")
                        self._down_since = None
                return result
        return getattr(self._fallback, method)(*args, **kwargs)

    def add(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("add", *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("touch", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete_many", *args, **kwargs)

    def clear(self) -> Any:
        self._fallback.clear()
        return self._call("clear")

    def ping(self) -> bool:
        """For /healthz: can Redis itself be reached now (whatever the fallback does)?"""
        try:
            return bool(self._cache.get_client(write=False).ping())
        except UNREACHABLE:
            return False
