"""The schema generates a clean client: openapi-python-client, as an integrator would run it,
against the schema a real server process serves, and the typed client used against that
server over HTTP (issue 26 item 6). `tests/api/test_typescript_client.py` does the same for
openapi-typescript."""

from __future__ import annotations

import enum
import importlib
import inspect
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.pages import COACHING_ID, NEW_ID, NEW_TITLE
from tests.reliability.harness import KEY, Server, running

PACKAGE = "indsats_client"
# What pytest collects by default: a generated test_record.py was collected as a test.
COLLECTED = ("test_", "_test.py")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("client-server")
    with running(base / "data", base / "server.log") as srv:
        yield srv


@pytest.fixture(scope="module")
def generated(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("client")
    schema = out / "openapi.json"
    schema.write_text(json.dumps(httpx.get(server.base + "/openapi.json").json()), "utf-8")
    bin_dir = Path(sys.executable).parent  # the generator formats its output with our ruff
    result = subprocess.run(
        [str(bin_dir / "openapi-python-client"), "generate", "--path", str(schema),
         "--meta", "none", "--output-path", str(out / PACKAGE)],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    # The one warning allowed: the generator has no text/plain bodies (the page format), so
    # POST/PUT take the JSON record only, which is the typed way anyway.
    warnings = [line for line in result.stdout.splitlines() if line.startswith("WARNING")]
    assert all("/v1/initiatives" in line for line in warnings), result.stdout
    assert result.stdout.count("Unsupported content type text/plain") == len(warnings)
    sys.path.insert(0, str(out))
    try:
        yield out / PACKAGE
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def _operations(root: Path) -> dict[str, Any]:
    """operationId -> its generated module."""
    return {
        path.stem: _module(f"api.{path.parent.name}.{path.stem}")
        for path in sorted((root / "api").glob("*/*.py"))
        if path.stem != "__init__"
    }


def test_the_generated_code_is_clean(generated: Path) -> None:
    # one enum class per closed set (the answer level came out six times)
    models = _module("models")
    enums = [c for c in vars(models).values() if isinstance(c, type) and issubclass(c, enum.Enum)]
    values = Counter(frozenset(member.value for member in e) for e in enums)
    assert len(enums) >= 6 and max(values.values()) == 1, values
    # nothing a test runner would collect from an integrator's tree
    files = [p.name for p in generated.rglob("*.py")]
    assert not [f for f in files if f.startswith(COLLECTED[0]) or f.endswith(COLLECTED[1])]
    # every field an answer always sends is required: no "or unset" on a response model
    answers = [models.SearchResponse, models.SearchResult, models.RecommendResponse,
               models.InitiativeDetail, models.Problem, models.PracticeRecommendation,
               models.SimilarResponse, models.Facets]  # fmt: skip
    for model in answers:
        for field, hint in inspect.get_annotations(model).items():
            assert "Unset" not in str(hint), (model.__name__, field, hint)
    # GETs return their model, a Problem or None (a 304 among others), never Any; the
    # headers a client sends are arguments
    schema = json.loads((generated.parent / "openapi.json").read_text("utf-8"))
    gets = {
        op["operationId"]
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method == "get" and path.startswith("/v1/")
    }
    operations = _operations(generated)
    assert gets < set(operations)
    for name, operation in operations.items():
        signature = inspect.signature(operation.sync)
        assert "x_request_id" in signature.parameters, name
        if name in gets:
            assert "Any" not in str(signature.return_annotation), (name, signature)
            assert "if_none_match" in signature.parameters, name
    for name in ("replace_initiative", "delete_initiative"):
        assert "if_match" in inspect.signature(_operations(generated)[name].sync).parameters


def test_the_generated_client_works_against_the_server(generated: Path, server: Server) -> None:
    client_module = importlib.import_module(PACKAGE)
    models = _module("models")
    ops = _operations(generated)
    # the key as the generated AuthenticatedClient sends it, with nothing configured
    writer = client_module.AuthenticatedClient(base_url=server.base, token=KEY)
    reader = client_module.Client(base_url=server.base)

    found = ops["search"].sync(client=reader, q="ordblinde ledige", k=2)
    assert isinstance(found, models.SearchResponse) and found.k == 2 and found.offset == 0
    assert [r.rank for r in found.items] == [1, 2]
    assert found.items[0].match >= found.items[1].match
    assert isinstance(found.items[0].passages[0], models.Passage)

    page = ops["get_initiative"].sync(client=reader, initiative_id=COACHING_ID)
    assert isinstance(page, models.InitiativeDetail) and page.municipality == "Hedensted"
    assert page.tests[0].test in set(models.Checklist)
    detailed = ops["get_initiative"].sync_detailed(
        client=reader, initiative_id=COACHING_ID, x_request_id="klient-1"
    )
    assert detailed.headers["x-request-id"] == "klient-1"
    tag = detailed.headers["etag"]
    again = ops["get_initiative"].sync_detailed(
        client=reader, initiative_id=COACHING_ID, if_none_match=tag
    )
    assert again.status_code == 304 and again.parsed is None

    record = models.InitiativeRecord.from_dict({**page.to_dict(), "title": NEW_TITLE, "id": None})
    created = ops["create_initiative"].sync(client=writer, body=record)
    assert isinstance(created, models.Created) and created.id == NEW_ID
    stale = ops["replace_initiative"].sync(
        client=writer, initiative_id=COACHING_ID, body=models.InitiativeRecord.from_dict(
            {**page.to_dict(), "headline_score": 3.0}
        ), if_match='"en-gammel-udgave"',
    )  # fmt: skip
    assert isinstance(stale, models.Problem) and stale.code == "precondition_failed"
    assert stale.status == 412

    bad = ops["search"].sync(client=reader, q="ledige", k=0)
    assert isinstance(bad, models.Problem) and [e.field for e in bad.errors] == ["k"]
    missing = ops["get_initiative"].sync(client=reader, initiative_id="findes-ikke")
    assert isinstance(missing, models.Problem) and missing.code == "not_found"
    refused = ops["delete_initiative"].sync(client=reader, initiative_id=NEW_ID)
    assert isinstance(refused, models.Problem) and refused.code == "auth_required"
