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

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(os.environ.get("INDSATS_FIGURES", ROOT / "build" / "reliability" / "figures.json"))


def record(name: str, values: dict[str, Any]) -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
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
    tmp = OUT.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(OUT)
