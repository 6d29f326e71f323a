"""`indsats build/search/eval` through the Typer app, with the fake embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from engine.shared.settings import Settings

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("fake_cli_env")


def test_build_then_nothing_to_do_then_force() -> None:
    first = runner.invoke(app, ["build"])
    assert first.exit_code == 0, first.output
    assert "bygget (der er ikke bygget et indeks endnu)" in first.stdout
    second = runner.invoke(app, ["build"])
    assert second.exit_code == 0 and "intet at bygge" in second.stdout
    forced = runner.invoke(app, ["build", "--force"])
    assert forced.exit_code == 0 and "--force" in forced.stdout


def test_new_page_triggers_rebuild_that_reuses_vectors(seeds_dir: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["build"]).exit_code == 0
    pages = Settings(data_dir=tmp_path / "data").pages_dir
    pages.mkdir(parents=True, exist_ok=True)  # the engine made it
    text = (seeds_dir / "000_e2e46fb973fdfa75.txt").read_text(encoding="utf-8")
    new = text.replace("Jobrettet coaching til afklaring", "Gruppecoaching til afklaring", 1)
    (pages / "ny.txt").write_text(new, encoding="utf-8")
    result = runner.invoke(app, ["build"])
    assert result.exit_code == 0, result.output
    assert "siderne er ændret" in result.stdout
    assert " 0 genbrugt" not in result.stdout


def test_search_json_and_human_output() -> None:
    result = runner.invoke(app, ["search", "ordblindeundervisning", "-k", "2", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["k"] == 2 and len(data["items"]) == 2
    assert data["items"][0]["municipality"] == "Skanderborg"
    human = runner.invoke(app, ["search", "ordblindeundervisning", "-k", "1"])
    assert human.exit_code == 0
    assert "Skanderborg" in human.stdout and "Evidenstest 0,6" in human.stdout


def test_filters_and_mode_options() -> None:
    result = runner.invoke(
        app,
        ["search", "samtaler", "--municipality", "Brønderslev", "--mode", "lexical", "--json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["mode"] == "lexical"
    assert {r["municipality"] for r in data["items"]} == {"Brønderslev"}


def test_batch_from_stdin_one_json_object_per_line() -> None:
    result = runner.invoke(app, ["search", "-", "-k", "1"], input="ordblinde\ncoaching\n")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["ordblinde", "coaching"]
    assert all(len(line["items"]) == 1 for line in lines)


def test_batch_keeps_a_line_for_every_line_blank_ones_too() -> None:
    """Answer n belongs to line n: 3 lines in, 3 answers out, the blank one an error."""
    result = runner.invoke(app, ["search", "-", "-k", "1"], input="ordblinde\n\ncoaching\n")
    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3
    assert lines[0]["query"] == "ordblinde" and lines[2]["query"] == "coaching"
    assert lines[1] == {
        "query": "",
        "error": {
            "type": "/problems/invalid_input",
            "title": "Ugyldig forespørgsel",
            "status": 422,
            "detail": "Søgeteksten er tom; skriv hvad du leder efter.",
            "instance": "/v1/search/batch",
            "code": "invalid_input",
            "errors": [
                {"field": "queries[1]", "message": "Søgeteksten er tom; skriv hvad du leder efter."}
            ],
        },
    }


def test_batch_reports_a_bad_line_in_place_and_exits_2() -> None:
    long = "x" * 3000
    result = runner.invoke(app, ["search", "-"], input=f"ordblinde\n{long}\ncoaching\n")
    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3 and lines[1]["error"]["code"] == "invalid_input"
    assert "items" in lines[2]


@pytest.mark.parametrize(
    "args", [["search", "  "], ["search", "x", "-k", "0"], ["search", "x", "--mode", "magic"]]
)
def test_bad_arguments_give_a_danish_message_and_exit_2(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "Fejl:" in result.output


def test_eval_reports_each_mode_beside_the_baseline() -> None:
    result = runner.invoke(app, ["eval", "--json", "--set", "seeds"])
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.stdout)["sets"]
    assert report["name"] == "seeds" and report["pages"] == 5 and report["queries"] >= 70
    assert set(report["search"]) == {"hybrid", "dense", "lexical", "baseline"}
    assert all(set(v) == {"nDCG@3", "MRR", "R@5"} for v in report["search"].values())
    assert set(report["kinds"]) == {"da", "en"} and "hit@5" in report["practices"]
    table = runner.invoke(app, ["eval", "--set", "seeds"])
    assert table.exit_code == 0 and "baseline" in table.stdout and "nDCG@3" in table.stdout


def test_eval_names_the_unknown_set() -> None:
    result = runner.invoke(app, ["eval", "--set", "nope"])
    assert result.exit_code == 2 and "nope" in result.output and "seeds" in result.output


def test_off_topic_search_says_nothing_fits_and_a_real_one_does_not() -> None:
    off = runner.invoke(app, ["search", "xqzv blorp"])
    assert off.exit_code == 0 and "Ingen indsats passer godt" in off.stdout
    real = runner.invoke(app, ["search", "ordblinde ledige"])
    assert real.exit_code == 0 and "Ingen indsats passer godt" not in real.stdout
    assert "passer" in real.stdout and "%" in real.stdout
