"""docs/BENCHMARKS.md is generated from docs/BENCHMARKS.json, and its verdicts follow them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from bench.common import ROOT
from bench.report import write_report

FIGURES = ROOT / "docs" / "BENCHMARKS.json"


@pytest.fixture()
def results() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIGURES.read_text("utf-8"))
    return data


def _targets(results: dict[str, Any], tmp_path: Path) -> dict[str, str]:
    out = tmp_path / "BENCHMARKS.md"
    write_report(results, out)
    text = out.read_text("utf-8")
    table = text.split("## Targets (issue 7)", 1)[1].split("\n\n", 2)[1]
    rows = [line.split(" | ", 1) for line in table.splitlines()[2:]]
    return {target.strip("| "): result for target, result in rows}


def test_committed_report_is_the_committed_figures(results: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "BENCHMARKS.md"
    write_report(results, out)
    assert out.read_text("utf-8") == (ROOT / "docs" / "BENCHMARKS.md").read_text("utf-8")


def test_every_target_has_a_verdict(results: dict[str, Any], tmp_path: Path) -> None:
    targets = _targets(results, tmp_path)
    assert len(targets) == 6
    assert all(v.startswith(("**met**", "**not met**")) for v in targets.values())


def test_scale_verdict_follows_the_figures(results: dict[str, Any], tmp_path: Path) -> None:
    key = next(k for k in _targets(results, tmp_path) if k.startswith("100k synthetic"))
    slower = copy.deepcopy(results)
    largest = max(slower["scale"]["sizes"], key=int)
    for run in slower["scale"]["sizes"][largest]["serve"]["search_ms"]:
        run["p50"] *= 10
    assert _targets(slower, tmp_path)[key].startswith("**not met**")
    worse = copy.deepcopy(results)
    worse["scale"]["sizes"][largest]["serve"]["recall_at_10"] = 0.5
    assert _targets(worse, tmp_path)[key].startswith("**not met**")


def test_quick_report_leaves_out_the_full_runs_analysis(
    results: dict[str, Any], tmp_path: Path
) -> None:
    quick = {**results, "quick": True}
    out = tmp_path / "quick.md"
    write_report(quick, out)
    text = out.read_text("utf-8")
    assert "**quick mode**" in text
    assert "## Analysis" not in text and "bench/analysis.md" in text
