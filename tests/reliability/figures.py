"""Figures measured by the reliability tests, collected for docs/RELIABILITY.md.

Each test that measures something records it here; `make reliability-report` (and every
test run) merges them into `build/reliability/figures.json`, from which
`scripts/reliability_report.py` writes the tables in the doc.
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from durable.files import atomic_write, file_lock

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(os.environ.get("INDSATS_FIGURES", ROOT / "build" / "reliability" / "figures.json"))


def record(name: str, values: dict[str, Any]) -> None:
    """Merge one figure into the file; under a lock, because xdist workers record at once."""
    with file_lock(OUT.with_name(OUT.name + ".lock")):
        try:
            data = json.loads(OUT.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            data = {}
        data[name] = {
            **values,
            "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPU, "
            f"Python {platform.python_version()}",
        }
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        atomic_write(OUT, text.encode("utf-8"))
