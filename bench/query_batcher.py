"""EXPERIMENT (measured by bench/batching.py, not used by the engine): concurrent queries
share one model call ("group commit"), without a timer.

A request thread that finds the model idle embeds its query at once, alone: a lone query
waits for nothing. Queries that arrive while the model is busy queue up; when the running
call returns, the first queued thread becomes the next leader and embeds the whole queue in
one batch. Under load the model therefore runs one batch per call instead of one query per
call (a batch of 8 short queries costs far less than 8 calls), and each thread returns as
soon as its own vector is ready.

Measured on the 2-core benchmark machine it lost: only one model call is in flight at a
time, and a batch of short queries costs about as much per query as single calls, so half
the cores idle (docs/BENCHMARKS.md). It stays here so `make bench` keeps measuring it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class _Slot:
    __slots__ = ("error", "lead", "ready", "text", "vector")

    def __init__(self, text: str) -> None:
        self.text = text
        self.ready = threading.Event()
        self.lead = False
        self.vector: Vectors | None = None
        self.error: BaseException | None = None


class QueryBatcher:
    def __init__(self, embed: Callable[[Sequence[str]], Vectors], max_batch: int = 32) -> None:
        self._embed = embed
        self._max_batch = max(1, max_batch)
        self._lock = threading.Lock()
        self._queue: list[_Slot] = []
        self._busy = False
        self.calls = 0

    def embed(self, text: str) -> Vectors:
        slot = _Slot(text)
        with self._lock:
            if self._busy:
                self._queue.append(slot)
            else:
                self._busy = True
                slot.lead = True
        if not slot.lead:
            slot.ready.wait()
        if slot.lead:
            self._run_batch(slot)
        if slot.error is not None:
            raise slot.error
        assert slot.vector is not None
        return slot.vector

    def _run_batch(self, leader: _Slot) -> None:
        with self._lock:
            batch = [leader, *self._queue[: self._max_batch - 1]]
            del self._queue[: self._max_batch - 1]
        texts = list(dict.fromkeys(s.text for s in batch))
        try:
            vectors = self._embed(texts)
            self.calls += 1
            rows = {t: vectors[i] for i, t in enumerate(texts)}
            for s in batch:
                s.vector = rows[s.text]
        except BaseException as exc:  # every waiter gets the error, none waits forever
            for s in batch:
                s.error = exc
        with self._lock:
            if self._queue:
                successor = self._queue.pop(0)
                successor.lead = True
                successor.ready.set()
            else:
                self._busy = False
        for s in batch:
            if s is not leader:
                s.ready.set()
