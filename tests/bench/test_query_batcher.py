"""Concurrent queries share model calls, get their own vectors, and never hang on errors."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from bench.query_batcher import QueryBatcher, Vectors


def vector_of(text: str) -> Vectors:
    rng = np.random.default_rng(sum(map(ord, text)) + len(text))
    return rng.standard_normal(8).astype(np.float32)


class GatedModel:
    """The first call waits until `expected` other queries are queued behind it, so the test
    knows a second batch must form (no sleeps deciding the outcome)."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.batches: list[list[str]] = []
        self.batcher: QueryBatcher | None = None

    def __call__(self, texts: Sequence[str]) -> Vectors:
        if not self.batches:
            deadline = time.monotonic() + 10
            assert self.batcher is not None
            while len(self.batcher._queue) < self.expected and time.monotonic() < deadline:
                time.sleep(0.001)
        self.batches.append(list(texts))
        return np.stack([vector_of(t) for t in texts])


def test_lone_query_is_embedded_alone() -> None:
    model = GatedModel(0)
    batcher = QueryBatcher(model)
    model.batcher = batcher
    np.testing.assert_array_equal(batcher.embed("ordblinde"), vector_of("ordblinde"))
    assert model.batches == [["ordblinde"]]


def test_concurrent_queries_share_calls_and_get_their_own_vectors() -> None:
    texts = [f"forespørgsel {i}" for i in range(16)] + ["forespørgsel 3"]  # one duplicate
    model = GatedModel(len(texts) - 1)
    batcher = QueryBatcher(model, max_batch=32)
    model.batcher = batcher
    with ThreadPoolExecutor(len(texts)) as pool:
        results = list(pool.map(batcher.embed, texts))
    for text, vector in zip(texts, results, strict=True):
        np.testing.assert_array_equal(vector, vector_of(text))
    assert len(model.batches) == 2
    assert len(model.batches[1]) == len(set(texts)) - 1  # the rest, duplicate embedded once
    assert sorted(t for b in model.batches for t in b) == sorted(set(texts))


def test_batches_respect_the_maximum() -> None:
    texts = [f"q{i}" for i in range(9)]
    model = GatedModel(len(texts) - 1)
    batcher = QueryBatcher(model, max_batch=4)
    model.batcher = batcher
    with ThreadPoolExecutor(len(texts)) as pool:
        results = list(pool.map(batcher.embed, texts))
    assert [len(b) for b in model.batches] == [1, 4, 4]
    for text, vector in zip(texts, results, strict=True):
        np.testing.assert_array_equal(vector, vector_of(text))


def test_an_error_reaches_every_waiter_and_the_batcher_recovers() -> None:
    gate = threading.Event()
    calls = 0

    def failing(texts: Sequence[str]) -> Vectors:
        nonlocal calls
        calls += 1
        if calls <= 2:
            gate.wait(5)
            raise RuntimeError("model crashed")
        return np.stack([vector_of(t) for t in texts])

    batcher = QueryBatcher(failing)
    errors: list[BaseException] = []

    def ask(text: str) -> None:
        try:
            batcher.embed(text)
        except RuntimeError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(f"q{i}",)) for i in range(5)]
    for t in threads:
        t.start()
    while len(batcher._queue) < 4 and any(t.is_alive() for t in threads):
        time.sleep(0.001)
    gate.set()
    for t in threads:
        t.join(10)
    assert not any(t.is_alive() for t in threads)
    assert len(errors) == 5
    np.testing.assert_array_equal(batcher.embed("igen"), vector_of("igen"))


@pytest.mark.parametrize("bad", [0, -3])
def test_nonsense_batch_size_still_embeds(bad: int) -> None:
    batcher = QueryBatcher(lambda texts: np.stack([vector_of(t) for t in texts]), max_batch=bad)
    np.testing.assert_array_equal(batcher.embed("x"), vector_of("x"))
