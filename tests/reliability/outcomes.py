"""What the reliability tests ran, for docs/RELIABILITY.md: how many parser properties ran
with how many examples and how many failed, and the cases of the fault-class files (how
many ran, passed, failed, skipped). Measured from the run itself, not a test of its own.

A plugin (tests/conftest.py loads it), not conftest hooks: under xdist the tests of one
file run on several workers, so the outcomes are counted where every report arrives (the
controller, or the one process without xdist), and recorded once at the end.
"""

from __future__ import annotations

import os

import pytest

_PROPERTIES = "tests/reliability/test_parser_properties.py"
_PROPERTY = ("hypothesis property", True)
_property_outcomes: dict[str, bool] = {}
# Files whose cases are counted for the fault-class table (each case a check that can fail).
_COUNTED = ("test_text_input", "test_unreadable_pages", "test_empty_corpus",
            "test_hostile_clients", "test_damaged_files", "test_disk_full",
            "test_startup_faults", "test_request_limits")  # fmt: skip
_case_outcomes: dict[str, dict[str, str]] = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    """Marks a property test's report (only the worker that ran it sees the function)."""
    report = yield
    if (
        call.when == "call"
        and item.nodeid.startswith(_PROPERTIES)
        and getattr(getattr(item, "obj", None), "is_hypothesis_test", False)
    ):
        report.user_properties.append(_PROPERTY)  # type: ignore[attr-defined]
    return report


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "PYTEST_XDIST_WORKER" in os.environ:
        return  # the controller counts this report
    stem = report.nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")
    counted = report.when == "call" or (report.when == "setup" and report.outcome != "passed")
    if counted and stem in _COUNTED:
        _case_outcomes.setdefault(stem, {})[report.nodeid] = report.outcome
    if report.when == "call" and tuple(_PROPERTY) in map(tuple, report.user_properties):
        _property_outcomes[report.nodeid] = report.passed


def pytest_sessionfinish(session: pytest.Session) -> None:
    if "PYTEST_XDIST_WORKER" in os.environ:
        return
    from tests.reliability.figures import record

    for stem, outcomes in _case_outcomes.items():
        values = list(outcomes.values())
        record(
            f"cases_{stem}",
            {"cases": len(values), "passed": values.count("passed"),
             "failed": values.count("failed"), "skipped": values.count("skipped")},
        )  # fmt: skip
    if not _property_outcomes:
        return
    from tests.reliability.test_parser_properties import EXAMPLES

    record(
        f"parser_properties_{EXAMPLES}",
        {
            "properties": len(_property_outcomes),
            "max_examples_per_property": EXAMPLES,
            "failures": sum(not passed for passed in _property_outcomes.values()),
        },
    )
