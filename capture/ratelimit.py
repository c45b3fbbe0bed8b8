"""A per-user token bucket (in process memory: with N worker processes a user gets up to N times the rate)."""

from __future__ import annotations

import threading
import time

__all__ = ["RateLimiter"]


class RateLimiter:
    """``per_minute`` requests per user on average, bursts of up to ``burst``. ``per_minute`` 0 disables it."""

    def __init__(self, per_minute: int, burst: int, max_users: int = 100_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(1, burst))
        self.max_users = max_users
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, user: str, now: float | None = None) -> float:
        """Take one request from ``user``'s bucket. Returns 0.0 when allowed, else seconds until it would be."""
        if self.rate <= 0:
            return 0.0
        t = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(user, (self.burst, t))
            tokens = min(self.burst, tokens + (t - last) * self.rate)
            if tokens >= 1.0:
                if len(self._buckets) >= self.max_users and user not in self._buckets:
                    self._evict(t)
                self._buckets[user] = (tokens - 1.0, t)
                return 0.0
            self._buckets[user] = (tokens, t)
            return (1.0 - tokens) / self.rate

    def _evict(self, now: float) -> None:
        """Forget users whose bucket has refilled (they are indistinguishable from new users)."""
        full_after = self.burst / self.rate
        self._buckets = {u: v for u, v in self._buckets.items() if now - v[1] < full_after}
        if len(self._buckets) >= self.max_users:
            self._buckets.clear()
