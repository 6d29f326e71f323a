"""`indsats serve` reports bad settings once, before any worker starts."""

from __future__ import annotations

from typer.testing import CliRunner

from cli.app import app


def test_bad_settings_are_reported_without_a_traceback() -> None:
    result = CliRunner().invoke(app, ["serve"], env={"INDSATS_CORS_ORIGINS": "ikke-json"})
    assert result.exit_code == 2
    assert "INDSATS_CORS_ORIGINS kan ikke læses" in result.output
    assert "Traceback" not in result.output


def test_port_out_of_range_is_refused() -> None:
    result = CliRunner().invoke(app, ["serve", "--port", "70000"])
    assert result.exit_code == 2
