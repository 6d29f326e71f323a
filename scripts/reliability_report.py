"""Write the figures of the last reliability runs into docs/RELIABILITY.md.

The tests record what they measured in build/reliability/figures.json (tests/reliability/
figures.py); this script replaces the part of the doc between the two markers with tables
made from that file, so the doc shows measured numbers, never hand-typed ones.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "build" / "reliability" / "figures.json"
DOC = ROOT / "docs" / "RELIABILITY.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"
TITLES = {
    "parser_properties": "Parser properties (hypothesis)",
    "schemathesis": "Schemathesis against /openapi.json (real server process)",
    "crash_index_rebuild": "kill -9 of an index rebuild at file-system steps",
    "crash_indsats_build": "kill -9 of `indsats build` (steps and timed)",
    "crash_writes": "kill -9 of a serving process during writes",
    "concurrency": "Parallel writes and searches, two workers",
    "load": "Load: wrk, 32 connections",
    "soak": "Soak: fixed number of requests, resident memory",
    "pip_audit": "Dependency audit (pip-audit)",
}


HEADLINES = {
    "parser_properties": ["properties", "max_examples_per_property", "failures"],
    "schemathesis": ["operations", "max_examples_per_operation", "server_errors",
                     "schema_violations"],
    "crash_index_rebuild": ["kills", "old_index_after_kill", "new_index_after_kill",
                            "mixed_or_empty"],
    "crash_indsats_build": ["step_kills", "timed_kills", "old_index_after_kill",
                            "new_index_after_kill", "mixed_or_empty"],
    "crash_writes": ["trials", "kills_during_a_write", "acknowledged_writes", "lost"],
    "concurrency": ["writer_threads", "acknowledged_writes", "reads", "errors", "lost_writes"],
    "load": ["clients", "duration_s", "requests", "requests_per_second", "non_2xx",
             "socket_errors", "latency_p99_ms"],
    "soak": ["requests", "rss_start_mib", "rss_end_mib", "non_2xx", "socket_errors"],
    "pip_audit": ["status", "reason", "audited", "vulnerabilities_with_fix"],
}  # fmt: skip


def summary(names: list[str], figures: dict[str, Any]) -> list[str]:
    lines = ["### Summary", "", "| run | measured |", "|---|---|"]
    for name in names:
        group = next((g for g in HEADLINES if name.startswith(g)), "")
        values = figures[name]
        shown = ", ".join(
            f"{key.replace('_', ' ')} {_cell(values[key])}"
            for key in HEADLINES.get(group, [])
            if key in values
        )
        lines.append(f"| `{name}` | {shown} |")
    return [*lines, ""]


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(map(str, value)) or "none"
    return str(value).replace("|", "\\|").replace("\n", " ")


def figure_table(name: str, values: dict[str, Any]) -> list[str]:
    group = next((g for g in TITLES if name.startswith(g)), name)
    lines = [f"### {TITLES.get(group, name)} (`{name}`)", "", "| figure | value |", "|---|---|"]
    for key, value in values.items():
        if key not in ("measured_at", "machine"):
            lines.append(f"| {key.replace('_', ' ')} | {_cell(value)} |")
    lines += ["", f"Measured {values.get('measured_at')} on {values.get('machine')}.", ""]
    return lines


def bad_input_table(values: dict[str, Any]) -> list[str]:
    lines = [
        "### Bad input catalogue",
        "",
        "| input | request | status | code | message (start) |",
        "|---|---|---|---|---|",
    ]
    for row in values["rows"]:
        cells = [row["input"], f"`{row['request']}`", row["status"], row["code"] or "-",
                 row["message"] or "(accepted)"]  # fmt: skip
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", f"Measured {values.get('measured_at')} on {values.get('machine')}.", ""]
    return lines


def render(figures: dict[str, Any]) -> str:
    order = list(TITLES)
    names = sorted(
        (n for n in figures if n != "bad_inputs"),
        key=lambda n: (next((i for i, g in enumerate(order) if n.startswith(g)), 99), n),
    )
    lines: list[str] = summary(names, figures)
    for name in names:
        lines += figure_table(name, figures[name])
    if "bad_inputs" in figures:
        lines += bad_input_table(figures["bad_inputs"])
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    if not FIGURES.exists():
        print(f"no figures yet: run the tests first ({FIGURES} is missing)", file=sys.stderr)
        return 1
    figures = json.loads(FIGURES.read_text(encoding="utf-8"))
    doc = DOC.read_text(encoding="utf-8")
    head, _, rest = doc.partition(START)
    _, _, tail = rest.partition(END)
    DOC.write_text(f"{head}{START}\n{render(figures)}{END}{tail}", encoding="utf-8")
    print(f"{DOC.relative_to(ROOT)}: {len(figures)} figure sets written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
