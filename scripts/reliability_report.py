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
    "crash_snapshot": "kill -9 of a write at file-system steps, while its snapshot is built beside",
    "concurrency": "Parallel writes and searches, two workers",
    "load": "Load: wrk, 32 connections",
    "soak": "Soak: fixed number of requests, resident memory",
    "pip_audit": "Dependency audit (pip-audit)",
    "disk_full": "Full disk during writes (tmpfs and injected ENOSPC)",
    "damaged_files": "Byte-level damage to each file of the data dir, at start-up and running",
    "hostile": "Hostile clients (real server process)",
    "startup_faults": "Failed starts and data directories that cannot be written",
    "limits": "What one request may cost",
    "cases": "Cases of a fault-class test file",
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
    "crash_snapshot": ["write_steps", "kills", "old_snapshot_after_kill",
                       "new_snapshot_after_kill", "mixed"],
    "concurrency": ["writer_threads", "acknowledged_writes", "reads", "errors", "lost_writes"],
    "load": ["clients", "duration_s", "requests", "requests_per_second", "non_2xx",
             "socket_errors", "latency_p99_ms"],
    "soak": ["requests", "rss_start_mib", "rss_end_mib", "non_2xx", "socket_errors"],
    "pip_audit": ["status", "reason", "audited", "vulnerabilities_with_fix"],
    "disk_full": ["writes_tried", "acknowledged_writes", "refused_with_507", "lost"],
    "damaged_files": ["cases", "requests", "server_errors", "lost_pages"],
    "hostile_huge_header": ["header_bytes_offered", "bytes_sent_before_refusal", "status"],
    "hostile_slow_bodies": ["connections", "answered_408", "rss_before_mib",
                            "rss_after_round_1_mib", "rss_after_round_2_mib"],
    "hostile_batch_flood": ["batches_accepted", "batches_refused_429", "polite_requests",
                            "polite_non_200", "polite_p50_ms_alone",
                            "polite_p50_ms_during_flood"],
    "startup_faults": ["full_disk_starts", "entries_set_aside", "read_only_writes_refused"],
    "limits_answers_per_page": ["cap", "refused_8000_answers_s", "stored_at_cap_s",
                                "next_small_write_s"],
    "cases": ["cases", "passed", "failed", "skipped"],
}  # fmt: skip

# The fault classes of the second round (issue list), each with the figure set that shows
# the trials and what was lost: (class, figure name, trials key, lost key or None = failures).
FAULTS = [
    ("Full disk while writing (real 3 MB tmpfs)", "disk_full_tmpfs", "writes_tried", "lost"),
    ("Full disk while writing (injected ENOSPC)", "disk_full_injected", "writes_tried", "lost"),
    ("Damaged CURRENT, manifest, VERSION, index files, page, tombstone (all damages)",
     "damaged_files_all", "cases", "lost_pages"),
    ("Damaged files, the sample `make test` runs", "damaged_files_sample", "cases", "lost_pages"),
    ("Deleting every page; empty corpus", "cases_test_empty_corpus", "cases", None),
    ("Lone surrogates, invalid UTF-8 on the CLI, rich markup in page text",
     "cases_test_text_input", "cases", None),
    ("Directories, FIFOs, links and 2 MB+ pages among the pages", "cases_test_unreadable_pages",
     "cases", None),
    ("Huge header (100 MB offered), slow heads and bodies, malformed HTTP, 405 Allow, nosniff, "
     "key in query string and log, key with white space", "cases_test_hostile_clients", "cases",
     None),
    ("Slow bodies: most of a declared 1 MiB, then nothing", "hostile_slow_bodies", "connections",
     None),
]  # fmt: skip


# The fault classes of the third round (issue 25), the same way.
FAULTS_3 = [
    ("Pages without checklist answers (an empty practice catalogue), with and without seeds, "
     "across restarts", "cases_test_empty_corpus", "cases", None),
    ("Failed starts (full disk at start, a directory as data/lock, a file as data/index or "
     "data/pages), read-only data dirs (injected and mounted)", "cases_test_startup_faults",
     "cases", None),
    ("Writes refused on a read-only data dir", "startup_faults", "read_only_writes_refused",
     None),
    ("What one request may cost: 8,000 answers on every path, batch size, a client's share",
     "cases_test_request_limits", "cases", None),
    ("One client flooding the largest batches beside another's searches (searches answered)",
     "hostile_batch_flood", "polite_requests", "polite_non_200"),
    ("Terminal escapes in stored text (text, log lines, --json), with the earlier text cases",
     "cases_test_text_input", "cases", None),
    ("HEAD, 405 under /static, nosniff on a 500, the key in any encoding, one worker's access "
     "line, with the earlier hostile-client cases", "cases_test_hostile_clients", "cases", None),
]  # fmt: skip


def fault_table(figures: dict[str, Any]) -> list[str]:
    return _faults("round 2", FAULTS, figures) + _faults("round 3", FAULTS_3, figures)


def _faults(title: str, faults: list[Any], figures: dict[str, Any]) -> list[str]:
    lines = [f"### Fault classes ({title})", "", "| fault class | figures | trials | lost |",
             "|---|---|---|---|"]  # fmt: skip
    for label, name, trials, lost in faults:
        values = figures.get(name)
        if values is None:
            lines.append(f"| {label} | `{name}` | not run yet | - |")
            continue
        failures = values.get("failed", 0)
        gone = f"nothing ({values[lost]})" if lost else f"nothing ({failures} failures)"
        if (lost and values[lost]) or failures:
            gone = f"**{values[lost] if lost else failures}**"
        lines.append(f"| {label} | `{name}` | {values.get(trials)} | {gone} |")
    return [*lines, ""]


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
    lines: list[str] = fault_table(figures) + summary(names, figures)
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
