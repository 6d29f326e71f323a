"""The schema makes a TypeScript client that type-checks under `strict`: openapi-typescript's
types, and a file that uses them the way a browser integrator would (issue 26 item 6).

The two npm packages are pinned and installed once into `build/ts-client/` (git-ignored);
CI reaches the npm registry like the other package registries. Without node and npm, or
when npm cannot install, the test skips and says why.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from api.app import create_app
from tests.api.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "build" / "ts-client"
PACKAGES = {"openapi-typescript": "7.13.0", "typescript": "5.9.3"}

# Each line holds only if the schema says what the API does: required fields are not
# optional, enums are unions, errors are problems, the headers and parameters are declared,
# and an unknown parameter does not compile either.
USE = """
import type { components, paths } from "./schema";

type Schemas = components["schemas"];
const found = {} as Schemas["SearchResponse"];
const k: number = found.k;
const offset: number = found.offset;
const match: number = found.items[0].match;
const passage: string = found.items[0].passages[0].text;
const mode: "hybrid" | "dense" | "lexical" = found.mode;

const advice = {} as Schemas["RecommendResponse"];
const order: "score" | "gaps_first" = advice.practice_order;
const score: number = advice.practices[0].score;
const level: "ja" | "delvist" | "nej" = advice.practices[0].followed_by[0].answer;

type Search = paths["/v1/search"]["get"];
const ok: Schemas["SearchResponse"] = {} as Search["responses"][200]["content"]["application/json"];
const bad = {} as Search["responses"][422]["content"]["application/problem+json"];
const field: string = bad.errors[0].field;
const code: string = bad.code;
const query: Search["parameters"]["query"] = { q: "ledige", municipality: "Hedensted" };
const headers: Search["parameters"]["header"] = { "If-None-Match": "*", "X-Request-ID": "id-1" };
// @ts-expect-error: a misspelled parameter is refused by the types as by the API
const misspelled: Search["parameters"]["query"] = { q: "ledige", muncipality: "Aarhus" };

type Replace = paths["/v1/initiatives/{initiative_id}"]["put"];
const conditional: Replace["parameters"]["header"] = { "If-Match": '"etag"' };
const stale = {} as Replace["responses"][412]["content"]["application/problem+json"];
// openapi-typescript 7 treats a field with a default as always there, requests too (k)
const body: Schemas["RecommendRequest"] = { situation: "ledige", k: 5, own_municipality: "Aarhus" };

export const used = [k, offset, match, passage, mode, order, score, level, ok, field, code,
  query, headers, misspelled, conditional, stale, body];
"""


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def tools() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed: the TypeScript client is not checked")
    package = {"private": True, "devDependencies": PACKAGES}
    manifest = TOOLS / "package.json"
    installed = all((TOOLS / "node_modules" / name / "package.json").exists() for name in PACKAGES)
    if not installed or not manifest.exists() or json.loads(manifest.read_text()) != package:
        TOOLS.mkdir(parents=True, exist_ok=True)
        manifest.write_text(json.dumps(package, indent=2), encoding="utf-8")
        npm = ["npm", "install", "--no-audit", "--no-fund", "--save-exact", "--prefer-offline"]
        done = _run(npm, TOOLS)
        if done.returncode != 0:
            pytest.skip(f"npm could not install {PACKAGES} (offline?): {done.stderr[-500:]}")
    return TOOLS / "node_modules" / ".bin"


def test_the_typescript_client_type_checks_under_strict(tools: Path, tmp_path: Path) -> None:
    schema = create_app(make_settings(tmp_path / "data")).openapi()
    (tmp_path / "openapi.json").write_text(json.dumps(schema), encoding="utf-8")
    made = _run([str(tools / "openapi-typescript"), "openapi.json", "-o", "schema.d.ts"], tmp_path)
    assert made.returncode == 0, made.stdout + made.stderr
    (tmp_path / "use.ts").write_text(USE, encoding="utf-8")
    checked = _run(
        [str(tools / "tsc"), "--strict", "--noEmit", "--target", "es2022", "--module", "esnext",
         "--moduleResolution", "bundler", "use.ts"],
        tmp_path,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
