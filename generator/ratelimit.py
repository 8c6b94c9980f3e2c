"""Keep a client within an API's request quota, as the server reports it.

The Hugging Face Hub counts API calls per fixed window (anonymous: 500 per 5 minutes) and says
where a client stands in every answer: ``RateLimit: "api";r=<remaining>;t=<seconds to reset>``
and ``RateLimit-Policy: "fixed window";"api";q=<quota>;w=<window>``. The limiter below lets a
request go only while the quota has room, waits for the reset when it has none, and counts on its
own (a sliding window of the configured quota) when a server sends no such headers.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime

from huggingface_hub.utils import parse_ratelimit_headers


class RateLimiter:
    """Decides when the next request may leave; safe to share between threads.

    Until the first answer arrives only one request is in flight, so that a client starting with
    many threads learns its quota before spending it. Requests still in flight when an answer
    reports ``r`` remaining are assumed to count against that ``r``: the estimate errs low.
    """

    def __init__(self, limit: int = 500, window: float = 300.0, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self._clock = clock
        self._cond = threading.Condition()
        self._sent: deque[float] = deque()
        self._in_flight = 0
        self._answered = False
        self._server_counts = False
        self._remaining: int | None = None
        self._reset_at = 0.0

    def acquire(self) -> None:
        """Block until a request may be sent, then count it as sent."""
        with self._cond:
            while (wait := self._wait(self._clock())) > 0:
                self._cond.wait(timeout=wait)
            self._sent.append(self._clock())
            self._in_flight += 1
            if self._remaining is not None:
                self._remaining -= 1

    def release(self, status: int | None, headers: Mapping[str, str] | None) -> None:
        """Record the answer to a request (``status`` None when none came) and wake waiting threads."""
        with self._cond:
            self._in_flight -= 1
            now = self._clock()
            info = parse_ratelimit_headers(headers) if headers is not None else None
            if status is not None:
                self._answered = True
            if info is not None:
                self._server_counts = True
                estimate, reset_at = info.remaining - self._in_flight, now + info.reset_in_seconds
                # Answers can arrive out of order; within one window the lowest count is the true one.
                # A reset well after the known one (t is rounded to whole seconds) means a new window.
                if self._remaining is None or reset_at > self._reset_at + 1.0:
                    self._remaining, self._reset_at = estimate, reset_at
                else:
                    self._remaining = min(self._remaining, estimate)
                if info.limit and info.window_seconds:
                    self.limit, self.window = info.limit, float(info.window_seconds)
            if status == 429:
                self._remaining = 0
                retry_after = retry_after_seconds(headers or {})
                fallback = retry_after if retry_after is not None else min(self.window, 60.0)
                self._reset_at = max(self._reset_at, now + (info.reset_in_seconds if info else fallback))
            self._cond.notify_all()

    def _wait(self, now: float) -> float:
        """Seconds to wait before the next request may go; 0 when it may go now."""
        while self._sent and self._sent[0] <= now - self.window:
            self._sent.popleft()
        if self._reset_at and now >= self._reset_at:
            # The server's window has ended: its next answer will give the new count.
            self._remaining, self._reset_at = None, 0.0
        if self._in_flight and (not self._answered or (self._server_counts and self._remaining is None)):
            return 1.0  # woken early by release()
        if self._remaining is not None and self._remaining <= 0:
            return max(self._reset_at - now, 0.01)
        if not self._server_counts and len(self._sent) >= self.limit:
            return self._sent[0] + self.window - now
        return 0.0


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The delay a ``Retry-After`` header asks for (seconds or an HTTP date), or None."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None
