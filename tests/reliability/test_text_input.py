"""Text that is not what it claims: lone UTF-16 surrogates in JSON, invalid UTF-8 on the
command line and on stdin, and page text that looks like rich markup.

A lone surrogate (`"\\ud800"`) is valid JSON but no Unicode text; it used to pass the
request models and fail when the answer echoed it (a 500 without a key). Invalid UTF-8 on
the command line reaches Python as surrogate escapes, the same thing from another door.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.reliability.conftest import ClientFactory
from tests.reliability.harness import KEY, ROOT, SEED_PAGE, SEED_TITLE, page

JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    "body",
    [
        '{"situation": "\\ud800ledige"}',
        '{"situation": "ledige \\udfff"}',
        '{"situation": "ledige", "municipality": "\\ud800Hedensted"}',
        '{"situation": "ledige", "target_group": "\\udc80"}',
    ],
)
def test_lone_surrogates_in_a_recommendation_are_422(client: TestClient, body: str) -> None:
    r = client.post("/v1/recommend", content=body.encode("ascii"), headers=JSON)
    assert r.status_code == 422, (r.status_code, r.text[:300])
    error = r.json()
    assert error["code"] == "invalid_input"
    assert "Unicode" in error["detail"] or "UTF-8" in error["detail"], error["detail"]


@pytest.mark.parametrize(
    ("body", "failing"),
    [
        ('{"queries": ["ordblinde", "\\ud800ledige"]}', [1]),
        ('{"queries": ["ledige"], "municipality": "\\ud800x"}', [0]),
        ('{"queries": ["ledige", "coaching"], "target_group": "\\udbff"}', [0, 1]),
    ],
)
def test_lone_surrogates_in_a_batch_fail_their_queries(
    client: TestClient, body: str, failing: list[int]
) -> None:
    """A batch answers per query: a query with a lone surrogate (or a batch filter with one)
    gets the 422's error in its place, and its text is echoed with U+FFFD."""
    r = client.post("/v1/search/batch", content=body.encode("ascii"), headers=JSON)
    if r.status_code == 422:  # a filter of the whole batch: the request model refuses it
        assert '"municipality"' in body or '"target_group"' in body
        error = r.json()
        assert error["code"] == "invalid_input" and "UTF-8" in error["detail"], error
        return
    assert r.status_code == 200, (r.status_code, r.text[:300])
    items = r.json()["items"]
    for n, item in enumerate(items):
        if n in failing:
            assert item["error"]["code"] == "invalid_input", item
            assert "Unicode" in item["error"]["detail"]
        else:
            assert "error" not in item, item


def test_a_proper_surrogate_pair_is_text(client: TestClient) -> None:
    """An emoji written as a JSON surrogate pair is one valid character, not an error."""
    r = client.post(
        "/v1/recommend", content=b'{"situation": "ledige \\ud83d\\ude00"}', headers=JSON
    )
    assert r.status_code == 200, r.text[:300]


def test_invalid_utf8_in_the_query_string_is_no_500(client: TestClient) -> None:
    for url in ["/v1/search?q=%ED%A0%80ledige", "/v1/search?q=%FF%FE", "/v1/initiatives/%FF"]:
        r = client.get(url)
        assert r.status_code < 500, (url, r.status_code, r.text[:300])


# -- the CLI prints page text literally ---------------------------------------------------------
MARKUP_TITLE = "Kurser [/bold] for [red]ledige[/] :x: [link=http://x]her[/link]"


def _markup_page(tmp_path: Path) -> Path:
    pages = tmp_path / "markup-pages"
    pages.mkdir()
    text = SEED_PAGE.replace(SEED_TITLE, MARKUP_TITLE, 1)
    (pages / "markup.txt").write_text(text, encoding="utf-8")
    return pages


def test_corpus_prints_markup_in_page_text_literally(tmp_path: Path) -> None:
    from cli.app import app

    pages = _markup_page(tmp_path)
    result = CliRunner().invoke(app, ["corpus", str(pages)], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "[/bold]" in result.stdout and "[red]ledige[/]" in result.stdout
    assert ":x:" in result.stdout and "❌" not in result.stdout


def test_search_and_recommend_print_markup_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import engine.embedding
    from cli.app import app
    from tests.fakes import FakeEmbedder

    monkeypatch.setenv("INDSATS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("INDSATS_SEEDS_DIR", str(_markup_page(tmp_path)))
    monkeypatch.setattr(engine.embedding, "load_embedder", lambda settings: FakeEmbedder())
    runner = CliRunner()
    result = runner.invoke(app, ["search", "Kurser for ledige [/bold]"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert "[/bold]" in result.stdout and ":x:" in result.stdout and "❌" not in result.stdout
    result = runner.invoke(app, ["recommend", "[/] :x: ledige"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert "[/]" in result.stdout and ":x:" in result.stdout


def test_an_error_message_with_markup_is_printed_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.app import app

    monkeypatch.setenv("INDSATS_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(app, ["search", "ledige", "--mode", "[/bold]"])
    assert result.exit_code == 2, result.output
    assert "'[/bold]'" in result.stderr
    assert "Traceback" not in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)


@pytest.fixture(scope="module")
def cli_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with a built index, so each CLI process below only loads it."""
    data = tmp_path_factory.mktemp("cli-utf8") / "data"
    result = _cli(data, [b"build"])
    assert result.returncode == 0, result.stderr
    return data


def _cli(data: Path, args: list[bytes], stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "INDSATS_DATA_DIR": str(data),
        "INDSATS_SEEDS_DIR": str(ROOT / "seeds"),
        "LC_ALL": "C.UTF-8",
        "PYTHONIOENCODING": "",
    }
    cmd = [sys.executable.encode(), b"-m", b"tests.reliability.cli_fake", *args]
    return subprocess.run(cmd, env=env, input=stdin, capture_output=True, timeout=120, cwd=ROOT)


@pytest.mark.parametrize("command", [b"search", b"recommend"])
def test_invalid_utf8_argument_is_a_clear_error(cli_data: Path, command: bytes) -> None:
    result = _cli(cli_data, [command, b"ledige \xff\xfe ordblinde"])
    assert result.returncode == 2, result.stderr[-2000:]
    err = result.stderr.decode("utf-8")
    assert "Traceback" not in err and "UTF-8" in err, err


@pytest.mark.parametrize(("command", "key"), [(b"search", "query"), (b"recommend", "situation")])
def test_invalid_utf8_line_on_stdin_is_answered_in_place(
    cli_data: Path, command: bytes, key: str
) -> None:
    lines = b"ordblinde ledige\nledige \xff\xfe\ncoaching\n"
    result = _cli(cli_data, [command, b"-", b"--json"], stdin=lines)
    assert result.returncode == 2, result.stderr[-2000:]
    assert b"Traceback" not in result.stderr
    out = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert len(out) == 3, out
    assert "error" not in out[0] and "error" not in out[2]
    assert out[1]["error"]["code"] == "invalid_input" and "UTF-8" in out[1]["error"]["detail"]
    assert out[1][key].startswith("ledige ")


STEERING = "\x1b[31mrød\x1b[0m \x9b2J \u202eomvendt\u202c \x07"


def test_stored_text_cannot_steer_the_terminal(make_client: ClientFactory, tmp_path: Path) -> None:
    """A page stored through the API with terminal escapes in its title and text: every
    command shows them as escapes (`\\x1b`), none reaches the terminal as a control."""
    text, new_id = page("farver " + STEERING, extra="Ledige får farver " + STEERING)
    with make_client() as client:
        headers = {"Content-Type": "text/plain", "X-API-Key": KEY}
        assert (
            client.post("/v1/initiatives", content=text.encode(), headers=headers).status_code
            == 201
        )
    data = tmp_path / "data"
    (data / "pages" / "\x1b]0;titel\x07ond.txt").write_text("ikke en side\x1b[2J", "utf-8")
    runs = {
        "search": _cli(data, [b"search", "Prøveindsats farver".encode()]),
        "search --json": _cli(data, [b"search", "Prøveindsats farver".encode(), b"--json"]),
        "recommend": _cli(data, [b"recommend", "ledige får farver".encode()]),
        "corpus": _cli(data, [b"corpus", str(data / "pages").encode()]),
    }
    for name, result in runs.items():  # corpus: 1 for the rejected file, named in the log too
        assert result.returncode == (1 if name == "corpus" else 0), (name, result.stderr[-2000:])
        for raw in (b"\x1b", b"\x07", "\x9b".encode(), "\u202e".encode()):
            assert raw not in result.stdout and raw not in result.stderr, (name, raw)
    assert "farver \\x1b[31mrød" in runs["search"].stdout.decode()
    assert "\\x1b]0;titel\\x07ond.txt" in runs["corpus"].stderr.decode()
    found = json.loads(runs["search --json"].stdout)
    assert found["items"][0]["id"] == new_id
    assert found["items"][0]["title"] == "Prøveindsats farver " + STEERING  # the same value
