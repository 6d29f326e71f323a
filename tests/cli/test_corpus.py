"""`indsats corpus`: human table, one JSON object with --json, exit 1 on rejected files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.app import app

runner = CliRunner()


def test_corpus_json_shape(seeds_dir: Path) -> None:
    result = runner.invoke(app, ["corpus", str(seeds_dir), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"initiatives", "practices", "errors"}
    assert data["errors"] == []
    first = data["initiatives"][0]
    assert {"id", "municipality", "title", "target_groups", "scores", "sections", "tests"} <= set(
        first
    )
    practice_ids = {p["id"] for p in data["practices"]}
    answers = [a for i in data["initiatives"] for t in i["tests"] for a in t["answers"]]
    assert answers and all(a["practice_id"] in practice_ids for a in answers)
    assert {a["level"] for a in answers} == {"ja", "delvist", "nej"}
    brønderslev = next(i for i in data["initiatives"] if i["municipality"] == "Brønderslev")
    assert brønderslev["scores"] == {"evidence": 4.1, "good_practice": 3.8, "education": None}


def test_corpus_table_lists_pages(seeds_dir: Path) -> None:
    result = runner.invoke(app, ["corpus", str(seeds_dir)])
    assert result.exit_code == 0
    assert "5 indsatser, 30 praksisser" in result.stdout
    assert "Brønderslev" in result.stdout


def test_rejected_file_exits_1_and_is_named(seeds_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "fejlside.txt"
    bad.write_text("<!doctype html><title>404</title>")
    result = runner.invoke(app, ["corpus", str(seeds_dir), str(bad), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert len(data["initiatives"]) == 5
    assert data["errors"] == [{"file": str(bad), "message": data["errors"][0]["message"]}]
    assert "HTML" in data["errors"][0]["message"]
