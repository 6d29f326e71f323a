"""Each client's share of the expensive work: batch searches, counted in query characters.

One batch is bounded by `INDSATS_MAX_BATCH_CHARS` (the engine's rule, 413 above); this
bounds how much of it one client may ask for a minute, so four clients' worth of batches
from one address cannot keep every core busy while others wait: past its budget a client
gets 429 with `Retry-After`. The window is `limits`' sliding-window counter (two counters a
client, whatever the cost of a request), kept in memory by each worker process; a client is
its address as uvicorn sees it (behind a proxy that sets X-Forwarded-For, the forwarded one).
"""

from __future__ import annotations

import math
import time

from fastapi import Request
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from api.problems import ApiError


class ClientBudget:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._item = RateLimitItemPerMinute(max(per_minute, 1))
        self._limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    def charge(self, request: Request, cost: int) -> None:
        """Count `cost` against the client's budget, or refuse the request with 429."""
        if self.per_minute <= 0 or cost <= 0:
            return
        client = request.client.host if request.client else "ukendt"
        if self._limiter.hit(self._item, "batch", client, cost=min(cost, self.per_minute)):
            return
        stats = self._limiter.get_window_stats(self._item, "batch", client)
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        raise ApiError(
            "too_many_requests",
            f"Denne klient har brugt sin andel af søgearbejdet for nu ({self.per_minute} tegn "
            f"i samlede søgninger pr. minut); prøv igen om {wait} s, eller send færre tegn.",
            headers={"Retry-After": str(wait)},
        )
