"""The architecture rules that a reader of the tree relies on, checked on every test run.

`make lint` runs the same import contracts; this makes CI (which runs `make test`) fail on a
layer violation too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("durable", "engine", "index", "api", "cli")
MAX_LINES = 400


def test_import_contracts_hold() -> None:
    """pyproject.toml [tool.importlinter]: layers point down, index/ imports no engine."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    command = str(lint_imports) if lint_imports.exists() else shutil.which("lint-imports")
    if command is None:
        pytest.fail("lint-imports is missing: pip install -e '.[dev]' (make install)")
    result = subprocess.run(
        [command, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("package", [*PACKAGES, "bench", "api/static/js"])
def test_modules_stay_short(package: str) -> None:
    files = [*(ROOT / package).rglob("*.py"), *(ROOT / package).rglob("*.js")]
    # Vendored code (the design system) and bench's own txtai environment are not ours.
    ours = [f for f in files if "dkfds" not in f.parts and not any(".venv" in p for p in f.parts)]
    assert ours
    long = {
        str(f.relative_to(ROOT)): n
        for f in ours
        if (n := len(f.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split these by concern (at most ~{MAX_LINES} lines): {long}"
