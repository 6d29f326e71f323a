"""`indsats recommend` through the Typer app, with the fake embedder."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.app import app

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("fake_cli_env")


def test_recommend_json_shape() -> None:
    result = runner.invoke(
        app, ["recommend", "fast kontaktperson i løntilskud", "--own-municipality", "Skanderborg",
              "-k", "3", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {
        "situation",
        "no_good_match",
        "practice_order",
        "initiatives",
        "practices",
        "other_practices",
        "advice",
    }
    assert 1 <= len(data["practices"]) + len(data["other_practices"]) <= 3
    assert len(data["initiatives"]) == 3
    practice = data["practices"][0]
    assert {
        "rank",
        "score",
        "id",
        "text",
        "test",
        "evidence",
        "followed_by",
        "your_answer",
        "gap",
        "reason",
        "recommended",
        "status",
        "fit",
        "strength",
    } <= set(practice)
    assert all(not p["recommended"] and p["status_text"] for p in data["other_practices"])
    assert practice["your_answer"] in {"nej", "delvist"}  # Skanderborg's Ja are left out
    assert {"counts", "units_ja", "units_other", "contrast", "shrunk_contrast", "note"} <= set(
        practice["evidence"]
    )
    assert all({"initiative_id", "municipality", "section", "text"} == set(a)
               for a in data["advice"])  # fmt: skip


def test_recommend_human_output_is_danish() -> None:
    result = runner.invoke(app, ["recommend", "fast kontaktperson i løntilskud", "-k", "2"])
    assert result.exit_code == 0, result.output
    assert "Praksisser for" in result.stdout and "Følges" in result.stdout


def test_recommend_batch_from_stdin_reports_bad_lines_in_place() -> None:
    lines = "fast kontaktperson\n\nordblinde ledige\n" + "x" * 3000 + "\n"
    result = runner.invoke(app, ["recommend", "-", "--json"], input=lines)
    assert result.exit_code == 2
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 4  # one answer per line, the blank one too
    assert rows[0]["situation"] == "fast kontaktperson" and rows[0]["practices"]
    assert rows[1] == {"situation": "", "error": rows[1]["error"]}
    assert rows[1]["error"]["code"] == "invalid_input" and "tom" in rows[1]["error"]["detail"]
    assert rows[2]["situation"] == "ordblinde ledige"
    assert rows[2]["practices"] + rows[2]["other_practices"]  # none may be recommended here
    assert rows[3]["error"]["code"] == "invalid_input"


def test_unknown_municipality_is_a_clear_error() -> None:
    result = runner.invoke(app, ["recommend", "noget", "--own-municipality", "Atlantis"])
    assert result.exit_code == 2
    assert "Atlantis" in result.stderr and "Kendte kommuner" in result.stderr
    assert "Brønderslev" in result.stderr


def test_recommend_filters_the_pages_like_search_does() -> None:
    """--municipality and --min-evidence choose which pages count (the API's filters), as
    in search; the jobcentre asking is --own-municipality."""
    every = json.loads(runner.invoke(app, ["recommend", "fast kontaktperson", "--json"]).stdout)
    assert {i["municipality"] for i in every["initiatives"]} != {"Hedensted"}
    result = runner.invoke(
        app, ["recommend", "fast kontaktperson", "--municipality", "hedensted", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["initiatives"]
    assert {i["municipality"] for i in data["initiatives"]} == {"Hedensted"}
    assert {a["municipality"] for a in data["advice"]} <= {"Hedensted"}

    result = runner.invoke(
        app, ["recommend", "fast kontaktperson", "--min-evidence", "4", "--json"]
    )
    assert result.exit_code == 0, result.output
    strong = json.loads(result.stdout)["initiatives"]
    assert strong and len(strong) < len(every["initiatives"])
    assert all(i["scores"]["evidence"] >= 4 for i in strong)


@pytest.mark.parametrize("score", ["9", "fire"])
def test_recommend_refuses_a_minimum_score_outside_the_scale(score: str) -> None:
    result = runner.invoke(app, ["recommend", "noget", "--min-evidence", score])
    assert result.exit_code == 2
    assert score in result.stderr and "0-5" in result.stderr
