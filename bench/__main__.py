"""`python -m bench [--quick] [--only NAME ...]`: run the benchmarks, write docs/BENCHMARKS.md.

Raw results go to bench/results/<UTC time>.json, latest.json and docs/BENCHMARKS.json; the
report is generated from them by bench/report.py, so it can be rewritten without measuring
again: `python -m bench.report docs/BENCHMARKS.json`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from bench import buildspeed, latency, load, models, versus, writes
from bench.common import RESULTS, ROOT, child_env, distinct_queries, machine, run_json

log = logging.getLogger("bench")
STEPS = ("latency", "load", "build", "scale", "versus", "writes", "models")


def _plan(quick: bool) -> dict[str, Any]:
    """How much of each step: the full plan fits `make bench` from a clean clone in under 15
    minutes on the 2-core machine (step times are in the report), `--quick` in a few."""
    if quick:
        return {
            "queries": 100, "latency_repeats": 1, "load_seconds": 3, "load_repeats": 1,
            "build_initiatives": 30, "build_repeats": 1, "scale": [1000, 10000],
            "pool": 150, "scale_repeats": 2, "versus_repeats": 1,
            "writes": [150, 1000], "write_ops": 3, "write_searches": 60, "model_repeats": 2,
        }  # fmt: skip
    return {
        "queries": 200, "latency_repeats": 3, "load_seconds": 5, "load_repeats": 2,
        "build_initiatives": 60, "build_repeats": 3, "scale": [1000, 10000, 100000],
        "pool": 300, "scale_repeats": 3, "versus_repeats": 2,
        "writes": [150, 1000, 5000], "write_ops": 10, "write_searches": 200,
        "model_repeats": 10,
    }  # fmt: skip


def _scale(work: Path, plan: dict[str, Any], queries: list[str], export: Path) -> dict[str, Any]:
    qfile = work / "queries.json"
    qfile.write_text(json.dumps(queries, ensure_ascii=False), "utf-8")
    pool_file = work / "pool.json"
    out: dict[str, Any] = {"pool": plan["pool"], "plan_passes": plan["scale_repeats"], "sizes": {}}
    for n in [0, *plan["scale"]]:
        log.info("scale: %d initiatives", n)
        data = work / f"scale-{n}"
        env = child_env(data, export_dir=str(export))
        common = ["--n", str(n), "--pool", str(plan["pool"]), "--data", str(data)]
        common += ["--pool-file", str(pool_file)]
        built = run_json([sys.executable, "-m", "bench.scale", "build", *common], env, 3600)
        passes = ["--passes", str(plan["scale_repeats"]), "--queries", str(qfile)]
        served = run_json(
            [sys.executable, "-m", "bench.scale", "serve", *common, *passes], env, 3600
        )
        out["sizes"][str(n)] = {"build": built, "serve": served}
        shutil.rmtree(data, ignore_errors=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small runs, a few minutes")
    parser.add_argument("--only", nargs="*", choices=STEPS, default=list(STEPS))
    parser.add_argument("--work", type=Path, default=RESULTS / "work")
    parser.add_argument(
        "--txtai-python", type=Path, default=ROOT / "bench" / ".venv-txtai" / "bin" / "python"
    )
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "BENCHMARKS.md")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    for noisy in ("httpx", "sentence_transformers", "engine", "index", "transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

    plan = _plan(args.quick)
    work: Path = args.work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    export = work / "export"
    os.environ["INDSATS_EXPORT_DIR"] = str(export)
    settings = {"export_dir": str(export)}
    queries = distinct_queries(plan["queries"])
    results: dict[str, Any] = {"quick": args.quick, "plan": plan, "machine": machine()}
    started = time.perf_counter()
    step_seconds: dict[str, float] = {}

    def step(name: str, action: Any) -> None:
        if name not in args.only:
            return
        log.info("== %s", name)
        t0 = time.perf_counter()
        try:
            results[name] = action()
        except Exception as exc:  # a broken step is reported, the others still run
            log.exception("step %s failed", name)
            results[name] = {"error": f"{type(exc).__name__}: {exc}"[:2000]}
        step_seconds[name] = time.perf_counter() - t0

    # The index the servers use: built once, before anything is timed.
    seeds_data = work / "seeds-data"
    run_json(
        [sys.executable, "-c", "from engine.facade.engine import Engine; "
         "from engine.shared.settings import Settings; Engine.open(Settings()); print('{}')"],
        child_env(seeds_data, export_dir=str(export)), 900,
    )  # fmt: skip
    step(
        "latency",
        lambda: latency.run(seeds_data, queries, plan["latency_repeats"], settings),
    )
    step(
        "load",
        lambda: (
            load.run(seeds_data, plan["load_seconds"], plan["load_repeats"], settings, (1, 2))
            if load.wrk_available()
            else {"error": "wrk is not installed (apt-get install wrk)"}
        ),
    )
    step(
        "build",
        lambda: buildspeed.run(work, plan["build_initiatives"], plan["build_repeats"], export),
    )
    step("scale", lambda: _scale(work, plan, queries, export))

    def _versus() -> dict[str, Any]:
        out: dict[str, Any] = {"ours_onnx": [], "ours_torch": [], "txtai": []}
        for _ in range(plan["versus_repeats"]):
            out["ours_onnx"].append(versus.ours(work, queries, "onnx", export))
            out["ours_torch"].append(versus.ours(work, queries, "torch", export))
            if args.txtai_python.exists():
                out["txtai"].append(versus.theirs(work, queries, args.txtai_python))
        if not out["txtai"]:
            out["txtai_error"] = f"no txtai interpreter at {args.txtai_python} (make bench-txtai)"
        return out

    step("versus", _versus)
    step(
        "writes",
        lambda: writes.run(
            work, plan["writes"], plan["write_ops"], plan["write_searches"], settings
        ),
    )
    minilm = {**settings, "model": "bundled:all-MiniLM-L6-v2"}
    step(
        "models",
        lambda: {
            **models.run(work, plan["model_repeats"]),
            # the same HTTP latency as section 1, with the English model, for the comparison
            "minilm_latency": latency.run(work / "minilm-data", queries, 1, minilm),
        },
    )
    results["seconds"] = time.perf_counter() - started
    results["step_seconds"] = step_seconds
    results["machine"]["load_after"] = os.getloadavg()
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    text = json.dumps(results, indent=2, ensure_ascii=False)
    (RESULTS / f"{stamp}.json").write_text(text, "utf-8")
    (RESULTS / "latest.json").write_text(text, "utf-8")
    args.report.with_suffix(".json").write_text(text, "utf-8")  # the raw figures, kept
    from bench.report import write_report

    write_report(results, args.report)
    log.info("wrote %s in %.0f s", args.report, results["seconds"])


if __name__ == "__main__":
    main()
