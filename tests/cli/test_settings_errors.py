"""A mistake in an `INDSATS_*` variable is bad input like any other: every command says in
Danish which variable is wrong and what it must be, with exit status 2 and no traceback."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.app import app

runner = CliRunner()
COMMANDS = (
    ["search", "ledige"],
    ["search", "-"],
    ["recommend", "ledige"],
    ["build"],
    ["corpus"],
    ["eval"],
    ["calibrate"],
    ["serve", "--port", "1"],
)


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_every_command_reports_a_bad_setting_in_danish(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INDSATS_BATCH_SIZE", "abc")
    result = runner.invoke(app, args, input="ledige\n", terminal_width=200)
    assert result.exit_code == 2, (result.output, result.exception)
    assert "INDSATS_BATCH_SIZE er 'abc', men skal være et helt tal." in result.output
    assert "Fejl:" in result.output and "Traceback" not in result.output, result.output
    assert "fjern den for at bruge standardværdien" in result.output


@pytest.mark.parametrize(
    ("variable", "value", "danish"),
    [
        ("INDSATS_BACKEND", "gpu", "INDSATS_BACKEND er 'gpu', men skal være 'onnx' eller 'torch'."),
        ("INDSATS_BATCH_SIZE", "0", "INDSATS_BATCH_SIZE er '0', men skal være mindst 1."),
        ("INDSATS_READ_TIMEOUT", "-1", "INDSATS_READ_TIMEOUT er '-1', men skal være større end 0."),
        ("INDSATS_DENSE_WEIGHT", "høj", "INDSATS_DENSE_WEIGHT er 'høj', men skal være et tal"),
        (
            "INDSATS_CORS_ORIGINS",
            "x",
            "INDSATS_CORS_ORIGINS kan ikke læses: værdien skal være JSON",
        ),
    ],
)
def test_the_message_says_what_the_value_must_be(
    variable: str, value: str, danish: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    result = runner.invoke(app, ["search", "ledige"], terminal_width=300)
    assert result.exit_code == 2, (result.output, result.exception)
    assert danish in result.output, result.output
