"""The cache is an optimisation, never a dependency (docs/concurrency.md, "Cache").

:class:`FailSafeRedisCache` is Django's Redis cache that answers like an empty cache while Redis
cannot be reached: reads miss, writes are dropped, nothing raises to the request. After a
failure it leaves Redis alone for a few seconds (``RETRY_SECONDS``), so a Redis that hangs costs
one connect timeout every few seconds, not one per cache call.

Code that must *know* whether a write reached the cache (the dashboards' version bumps) runs it
inside :func:`errors_raised`, where failures raise :class:`CacheUnavailable` instead.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
_state = {"down_until": 0.0, "last_error": ""}
_local = threading.local()


class CacheUnavailable(Exception):
    """Raised inside :func:`errors_raised` when the cache could not be reached."""


def _errors():
    import redis

    return (redis.exceptions.RedisError, OSError)


@contextmanager
def errors_raised():
    """Within this block, a failing cache call raises :class:`CacheUnavailable` (any backend:
    one that cannot fail simply never raises)."""
    previous = getattr(_local, "strict", False)
    _local.strict = True
    try:
        yield
    finally:
        _local.strict = previous


def cache_down() -> str:
    """The last error while the cache is considered down in this process, else ''."""
    return _state["last_error"] if time.monotonic() < _state["down_until"] else ""


class FailSafeRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        # A Redis that does not answer must not hold a request for long.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        params["OPTIONS"] = options
        super().__init__(server, params)

    def _call(self, name, fallback, *args, **kwargs):
        strict = getattr(_local, "strict", False)
        if time.monotonic() < _state["down_until"]:
            if strict:
                raise CacheUnavailable(_state["last_error"])
            return fallback
        try:
            return getattr(super(), name)(*args, **kwargs)
        except _errors() as exc:
            _state["down_until"] = time.monotonic() + RETRY_SECONDS
            _state["last_error"] = f"{type(exc).__name__}: {exc}"
            log.warning("cache unavailable (%s), answering without it for %ss", _state["last_error"], RETRY_SECONDS)
            if strict:
                raise CacheUnavailable(_state["last_error"]) from exc
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        result = self._call("incr", None, key, delta, version)
        if result is None:  # unreachable: as for a missing key
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", False)


def probe(alias: str = "default") -> str:
    """'ok' when the cache answers a write and a read now (bypassing the pause after a failure),
    else 'unavailable'."""
    from django.core.cache import caches

    backend = caches[alias]
    key = "sanqi:healthz"
    try:
        if isinstance(backend, FailSafeRedisCache):
            client = backend._cache.get_client(key, write=True)
            client.set(backend.make_and_validate_key(key), b"1", ex=30)
            ok = client.get(backend.make_and_validate_key(key)) is not None
            if ok:
                _state["down_until"] = 0.0  # it answers again: stop skipping it
            return "ok" if ok else "unavailable"
        backend.set(key, 1, 30)
        return "ok" if backend.get(key) == 1 else "unavailable"
    except Exception as exc:  # noqa: BLE001 - any failure is "unavailable"
        log.warning("cache probe failed: %s", exc)
        return "unavailable"
