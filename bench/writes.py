"""Writes: add, replace and delete through the API at 150, 1,000 and 5,000 pages with the
real model, searches while writes run beside searches alone, and the start-up of a server
whose index is unchanged.

Each size is a data directory of SYNTHETIC pages (bench/synthetic.py) stored as records.
Its snapshot is built with pooled vectors under the real model's identity: embedding 5,000
distinct pages would take half an hour on two cores, and only the standing corpus's
vectors are pooled; every page a write stores is embedded by the real model, as in
production. Then `indsats serve` starts on it (its time to /readyz is the start-up with an
unchanged index: nothing to parse, gloss or embed), and over loopback HTTP:

- writes one after another: add (POST of a new page, every passage new), replace (PUT of a
  stored page with one paragraph added), delete (DELETE); p50/p95 of each;
- searches (distinct queries, so the query cache answers none) from one client alone, then
  the same while another client writes add, replace, delete in turn; p50/p99 of each.

    python -m bench.writes prepare --n 1000 --data DIR --pool-file FILE   (one JSON line)
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.common import (
    ROOT,
    child_env,
    distinct_queries,
    not_run,
    percentiles,
    python,
    run_json,
    verdict,
)
from bench.server import serve
from bench.synthetic import COPY_MARKER, PooledEmbedder, synthetic_corpus

KEY = "bench-writes"


class StandIn(PooledEmbedder):
    """Pooled vectors that pass for the real model's: the server loads the standing index
    without building it, and embeds what writes store with the real model."""

    @property
    def identity(self) -> str:
        return self.real.identity


def prepare(n: int, data: Path, pool_file: Path) -> dict[str, Any]:
    """`n` synthetic pages stored as records in `data`, and their snapshot."""
    from bench.scale import CachedPool
    from engine.domain.corpus import load_corpus
    from engine.domain.records import record_bytes
    from engine.embedding import load_embedder
    from engine.facade.engine import Engine
    from engine.shared.settings import Settings

    started = time.perf_counter()
    settings = Settings(data_dir=data, seeds_dir=ROOT / "seeds")
    corpus = synthetic_corpus(load_corpus([ROOT / "seeds"]), n, min(n, 150))
    settings.pages_dir.mkdir(parents=True, exist_ok=True)
    for item in corpus.initiatives:  # ids from the title: no two alike
        page = _numbered(item, int(item.source.removeprefix("synthetic:")))
        (settings.pages_dir / f"{page.id}.json").write_bytes(record_bytes(page))
    pool = CachedPool(load_embedder(settings), pool_file)
    stand_in = StandIn(pool)
    engine = Engine.open(settings, stand_in)
    pool.save()
    return {
        "pages": len(engine.corpus.initiatives),
        "passages": engine.build_report.embedded + engine.build_report.reused,
        "pool_embedded": pool.embedded,
        "seconds": time.perf_counter() - started,
    }


def formats(data: Path) -> dict[str, Any]:
    """The two stored forms on the pages of `data`: reading each (parsing the text page,
    decoding the record), writing each (render, parse again and compare; check and
    serialise the record), in ms a page (the best of three passes), and their sizes."""
    from engine.domain.parser import parse_bytes
    from engine.domain.records import read_record, record_bytes
    from engine.domain.render import render_page

    records = [p.read_bytes() for p in sorted((data / "pages").glob("*.json"))]
    pages = [read_record(r, "side") for r in records]
    texts = [render_page(page).encode("utf-8") for page in pages]

    def best(action: Any, items: list[Any]) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            for item in items:
                action(item)
            times.append((time.perf_counter() - started) * 1000 / len(items))
        return min(times)

    return {
        "pages": len(pages),
        "read_text_ms": best(lambda t: parse_bytes(t, "side"), texts),
        "read_record_ms": best(lambda r: read_record(r, "side"), records),
        "write_text_ms": best(render_page, pages),
        "write_record_ms": best(record_bytes, pages),
        "text_bytes": sum(map(len, texts)) / len(texts),
        "record_bytes": sum(map(len, records)) / len(records),
    }


def _numbered(item: Any, n: int) -> Any:
    """The page with its copy marker up front, where a slug keeps it (two long titles gave
    one id), and where the pool still strips it: one real vector serves every copy."""
    from engine.domain.parser import page_id

    title = f"Indsats [kopi {n}] {COPY_MARKER.sub('', item.title)}"
    return replace(item, title=title, id=page_id(item.municipality, title), source="")


def run(work: Path, sizes: list[int], ops: int, searches: int, settings: dict[str, str]) -> Any:
    pool_file = work / "writes-pool.json"
    out: dict[str, Any] = {"ops": ops, "searches": searches, "sizes": {}}
    queries = distinct_queries(200)
    for n in sizes:
        data = work / f"writes-{n}"
        env = child_env(data, **settings)
        args = ["--n", str(n), "--data", str(data), "--pool-file", str(pool_file)]
        built = run_json([python(), "-m", "bench.writes", "prepare", *args], env, 3600)
        if n == 1000:
            out["formats"] = run_json([python(), "-m", "bench.writes", "formats", *args], env, 600)
        with serve(data, {**settings, "api_key": KEY}) as server:
            measured = _measure(server.port, n, ops, searches, queries)
        out["sizes"][str(n)] = {"prepare": built, "startup_s": server.ready_s, **measured}
    return out


def _measure(port: int, n: int, ops: int, searches: int, queries: list[str]) -> dict[str, Any]:
    client = _Http(port)
    stored = json.loads(client.call("GET", "/v1/initiatives?k=100"))["items"]
    targets = [s["id"] for s in stored]
    writes = _Writes(client, targets[: len(targets) // 2])
    times: dict[str, list[float]] = {"add": [], "replace": [], "delete": []}
    for i in range(ops):
        for kind in times:
            times[kind].append(writes.one(kind, i))
    pool = itertools.cycle(f"{q} {i}" for i, q in enumerate(queries))
    alone = _searches(port, pool, lambda done: done >= searches)
    finished = threading.Event()
    failures: list[BaseException] = []

    def write_stream() -> None:  # add, replace, delete in turn, `ops` of each
        try:
            stream = _Writes(_Http(port), targets[len(targets) // 2 :])
            for i in range(3 * ops):
                stream.one(("add", "replace", "delete")[i % 3], ops + i)
        except BaseException as exc:
            failures.append(exc)
        finally:
            finished.set()

    writer = threading.Thread(target=write_stream)
    writer.start()
    # Searches for as long as the writes run, and at least as many as alone.
    during = _searches(port, pool, lambda done: finished.is_set() and done >= searches)
    writer.join()
    if failures:
        raise failures[0]
    return {
        "writes": {kind: percentiles(ms) for kind, ms in times.items()},
        "search_alone": percentiles(alone),
        "search_during_writes": percentiles(during),
        "writes_during_searches": 3 * ops,
    }


def _searches(port: int, pool: Any, enough: Any) -> list[float]:
    client = _Http(port)
    out: list[float] = []
    while not enough(len(out)):
        query = next(pool)
        started = time.perf_counter()
        client.call("GET", "/v1/search?" + _query(query))
        out.append((time.perf_counter() - started) * 1000)
    return out


def _query(text: str) -> str:
    import urllib.parse

    return urllib.parse.urlencode({"q": text, "k": 10})


class _Writes:
    """Adds new pages, replaces stored ones (again and again: each PUT adds a paragraph),
    deletes the pages it added; each call's latency in ms."""

    def __init__(self, client: _Http, targets: list[str]) -> None:
        self.client = client
        self.targets = itertools.cycle(targets)
        self.added: list[str] = []
        self.page = (ROOT / "seeds" / "000_e2e46fb973fdfa75.txt").read_text("utf-8")

    def one(self, kind: str, i: int) -> float:
        if kind == "add":
            title = f"Skrevet under måling {i} {time.time_ns()}"
            text = self.page.replace("Jobrettet coaching til afklaring af jobmuligheder", title)
            started = time.perf_counter()
            made = self.client.call("POST", "/v1/initiatives", text.encode(), "text/plain")
            self.added.append(json.loads(made)["id"])
            return (time.perf_counter() - started) * 1000
        if kind == "delete":
            return self.client.timed("DELETE", f"/v1/initiatives/{self.added.pop(0)}")
        target = next(self.targets)
        record = json.loads(self.client.call("GET", f"/v1/initiatives/{target}"))
        section = record["sections"][0]
        section["text"] += f"\n\nEt nyt afsnit, skrevet under måling {i}."
        fields = ("municipality", "title", "target_groups", "headline_score", "sections")
        body = {k: record[k] for k in fields} | {"tests": _tests(record["tests"])}
        data = json.dumps(body, ensure_ascii=False).encode()
        return self.client.timed("PUT", f"/v1/initiatives/{target}", data, "application/json")


def _tests(tests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A page's checklists as a record takes them (what GET adds is left out)."""
    keep = ("test", "name", "score")
    return [
        {k: t[k] for k in keep}
        | {"answers": [{"level": a["level"], "text": a["text"]} for a in t["answers"]]}
        for t in tests
    ]


class _Http:
    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def call(self, method: str, path: str, body: bytes | None = None, kind: str = "") -> bytes:
        headers = {"X-API-Key": KEY} | ({"Content-Type": kind} if kind else {})
        self.conn.request(method, path, body, headers)
        response = self.conn.getresponse()
        payload = response.read()
        if not 200 <= response.status < 300:
            raise RuntimeError(f"{method} {path}: HTTP {response.status}: {payload[:300]!r}")
        return payload

    def timed(self, method: str, path: str, body: bytes | None = None, kind: str = "") -> float:
        started = time.perf_counter()
        self.call(method, path, body, kind)
        return (time.perf_counter() - started) * 1000


def report(r: dict[str, Any] | None, add: Any, targets: list[Any]) -> None:
    """The "Writes" section of docs/BENCHMARKS.md, and the issue's targets."""
    add("## 7. Writes (issue 24)")
    add("")
    if not_run(r, add):
        return
    assert r is not None
    add(
        "Synthetic pages stored as records; the standing corpus's vectors are pooled (as in "
        "section 5), every page a write stores is embedded by the real model. One `indsats "
        f"serve` worker per size; {r['ops']} of each write one after another (add: a new page, "
        "every passage new; replace: a stored page with one paragraph more; delete: a page "
        f"added), then {r['searches']}+ distinct searches (no cache hits) alone and while "
        f"another client writes {r['ops']} of each in turn. Start-up: `indsats serve` to "
        "/readyz with the index unchanged. Milliseconds, p50 / p95 (writes), p50 / p99 "
        "(searches)."
    )
    add("")
    add("| pages | passages | start-up | add | replace | delete | search alone | search "
        "during writes | p99 during / alone |")  # fmt: skip
    add("|---|---|---|---|---|---|---|---|---|")
    for n, v in r["sizes"].items():
        w, alone, during = v["writes"], v["search_alone"], v["search_during_writes"]
        ratio = during["p99"] / alone["p99"]
        cells = [f"{v['prepare']['pages']:,}", f"{v['prepare']['passages']:,}",
                 f"{v['startup_s']:.1f} s"]  # fmt: skip
        cells += [f"{w[k]['p50']:.0f} / {w[k]['p95']:.0f}" for k in ("add", "replace", "delete")]
        cells += [f"{alone['p50']:.1f} / {alone['p99']:.1f}", f"{during['p50']:.1f} / "
                  f"{during['p99']:.1f}", f"{ratio:.2f}"]  # fmt: skip
        add("| " + " | ".join(cells) + " |")
        if n == "1000":
            met = w["add"]["p50"] <= 1000
            targets.append(("Add p50 ≤ 1 s at 1,000 pages, embedding included",
                            verdict(met, f"{w['add']['p50']:.0f} ms")))  # fmt: skip
            targets.append(("Search p99 during writes ≤ 2 × alone at 1,000 pages",
                            verdict(ratio <= 2, f"{ratio:.2f} ×")))  # fmt: skip
        if n == "5000":
            targets.append(("Start-up with an unchanged index ≤ 10 s at 5,000 pages",
                            verdict(v["startup_s"] <= 10, f"{v['startup_s']:.1f} s")))  # fmt: skip
    add("")
    f = r.get("formats")
    if f:
        add(f"The stored form, on the {f['pages']:,} pages of the 1,000-page set (ms a page, "
            "best of three passes): reading a text page (parse) "
            f"{f['read_text_ms']:.3f}, a record (decode and check) {f['read_record_ms']:.3f}; "
            f"writing a JSON record as a text page (render, parse again, compare) "
            f"{f['write_text_ms']:.3f}, as a record (check, serialise) "
            f"{f['write_record_ms']:.3f}; {f['text_bytes']:,.0f} and {f['record_bytes']:,.0f} "
            "bytes a page (docs/ARCHITECTURE.md, \"The stored form\").")  # fmt: skip
        add("")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["prepare", "formats"])
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--pool-file", type=Path, required=True)
    args = parser.parse_args()
    if args.step == "formats":
        print(json.dumps(formats(args.data)))
    else:
        print(json.dumps(prepare(args.n, args.data, args.pool_file)))
