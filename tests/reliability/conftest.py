"""In-process apps over a temporary data directory, with the fake embedder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from engine.settings import Settings
from tests.fakes import FakeEmbedder
from tests.reliability.harness import KEY, SEEDS

ClientFactory = Callable[..., AbstractContextManager[TestClient]]


def settings_for(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"data_dir": data_dir, "seeds_dir": SEEDS, "api_key": KEY}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def make_client(tmp_path: Path) -> ClientFactory:
    """`with make_client(api_key=None) as client:` an app whose engine has loaded."""

    @contextmanager
    def factory(**overrides: object) -> Iterator[TestClient]:
        app = create_app(settings_for(tmp_path / "data", **overrides), embedder=FakeEmbedder())
        with TestClient(app, raise_server_exceptions=False) as client:
            assert app.state.engine_settled.wait(120), "engine did not load"
            assert app.state.engine_error is None, app.state.engine_error
            yield client

    return factory


@pytest.fixture
def client(make_client: ClientFactory) -> Iterator[TestClient]:
    with make_client() as c:
        yield c


# -- what the parser properties ran with, for docs/RELIABILITY.md ------------------------------
_PROPERTIES = "tests/reliability/test_parser_properties.py"
_property_outcomes: dict[str, bool] = {}
# Files whose cases are counted for the fault-class table (each case a check that can fail).
_COUNTED = ("test_text_input", "test_unreadable_pages", "test_empty_corpus",
            "test_hostile_clients", "test_damaged_files", "test_disk_full",
            "test_startup_faults", "test_request_limits")  # fmt: skip
_case_outcomes: dict[str, dict[str, str]] = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    stem = item.nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")
    counted = call.when == "call" or (call.when == "setup" and report.outcome != "passed")  # type: ignore[attr-defined]
    if counted and stem in _COUNTED:
        _case_outcomes.setdefault(stem, {})[item.nodeid] = report.outcome  # type: ignore[attr-defined]
    if (
        call.when == "call"
        and item.nodeid.startswith(_PROPERTIES)
        and getattr(getattr(item, "obj", None), "is_hypothesis_test", False)
    ):
        _property_outcomes[item.nodeid] = report.passed  # type: ignore[attr-defined]
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Record how many properties ran, with how many examples, and how many failed: a
    measured figure from the run itself, not a test of its own. Likewise the cases of the
    fault-class files: how many ran, passed, failed, skipped."""
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
