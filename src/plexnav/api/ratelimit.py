"""Login rate limiting: a sliding window of failed attempts per account and per address.

In memory, per process (a multi-process deployment multiplies the allowance by the number
of workers; put a shared limiter in front if that matters).  After ``max_failures`` failed
logins for one username (or four times as many from one client address) within
``window`` seconds, further attempts are refused with 429 until the oldest failure ages out.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

ADDRESS_FACTOR = 4


class LoginThrottle:
    def __init__(self, max_failures: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    @staticmethod
    def keys(login: str, address: str | None) -> list[tuple[str, int]]:
        return [(f"user:{login.strip().lower()}", 1), (f"addr:{address or 'unknown'}", ADDRESS_FACTOR)]

    def _prune(self, key: str, now: float) -> deque[float]:
        stamps = self._failures[key]
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()
        if not stamps:
            del self._failures[key]
            return deque()
        return stamps

    def retry_after(self, login: str, address: str | None) -> int | None:
        """Seconds to wait before another attempt, or None if one is allowed now."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key, factor in self.keys(login, address):
                stamps = self._prune(key, now)
                if len(stamps) >= self.max_failures * factor:
                    wait = max(wait, stamps[0] + self.window - now)
        return max(1, int(wait + 0.999)) if wait > 0 else None

    def failed(self, login: str, address: str | None) -> None:
        now = self.clock()
        with self._lock:
            for key, _ in self.keys(login, address):
                self._failures[key].append(now)

    def succeeded(self, login: str) -> None:
        with self._lock:
            self._failures.pop(f"user:{login.strip().lower()}", None)
