"""The schema is usable: a typed Python client generated from it (openapi-python-client, as
an integrator would) talks to the real app and gets typed answers back, errors included."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.pages import COACHING_ID

PACKAGE = "indsats_client"


@pytest.fixture
def generated(client: TestClient, tmp_path: Path) -> Iterator[Any]:
    schema = tmp_path / "openapi.json"
    schema.write_text(json.dumps(client.get("/openapi.json").json()), encoding="utf-8")
    bin_dir = Path(sys.executable).parent  # the generator formats its output with our ruff
    result = subprocess.run(
        [str(bin_dir / "openapi-python-client"), "generate", "--path", str(schema),
         "--meta", "none", "--output-path", str(tmp_path / PACKAGE)],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    # The one warning allowed: the generator has no text/plain bodies (the page format), so
    # POST/PUT take the JSON record only, which is the typed way anyway.
    warnings = [line for line in result.stdout.splitlines() if line.startswith("WARNING")]
    assert all("/v1/initiatives" in line for line in warnings), result.stdout
    assert result.stdout.count("Unsupported content type text/plain") == len(warnings)
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_a_generated_client_searches_and_reads_typed_errors(
    generated: Any, client: TestClient
) -> None:
    search = importlib.import_module(f"{PACKAGE}.api.search.search")
    get_initiative = importlib.import_module(f"{PACKAGE}.api.initiatives.get_initiative")
    models = importlib.import_module(f"{PACKAGE}.models")

    api = generated.Client(base_url=str(client.base_url))
    api.set_httpx_client(client)  # the app in-process: TestClient is an httpx.Client
    found = search.sync(client=api, q="ordblinde ledige", k=2)
    assert isinstance(found, models.SearchResponse)
    assert [r.rank for r in found.items] == [1, 2]
    assert isinstance(found.items[0].scores, models.Scores)
    assert found.items[0].id.startswith("skanderborg")

    page = get_initiative.sync(client=api, initiative_id=COACHING_ID)
    assert isinstance(page, models.InitiativeDetail) and page.municipality == "Hedensted"
    missing = get_initiative.sync(client=api, initiative_id="findes-ikke")
    assert isinstance(missing, models.Problem) and missing.code == "not_found"
