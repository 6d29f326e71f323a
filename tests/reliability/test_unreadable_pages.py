"""Files in the page directories that are not readable pages: each is reported, none is
followed out of the directory, none hangs the loader, none is too big to load."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.domain.corpus import MAX_PAGE_BYTES, load_corpus
from tests.reliability.conftest import ClientFactory
from tests.reliability.harness import KEY, SEED_PAGE, SEED_TITLE, page

SECRET = "hemmelig-første-linje-7c1d"


def _odd_entries(pages: Path, outside: Path) -> dict[str, str]:
    """Entries named like pages that are not regular files; name -> what the report says."""
    pages.mkdir(parents=True, exist_ok=True)
    secret = outside / "system.txt"
    secret.write_text(f"{SECRET}\nmere tekst\n", encoding="utf-8")
    (pages / "mappe.txt").mkdir()
    (pages / "dinglende.txt").symlink_to(outside / "findes-ikke.txt")
    (pages / "link.txt").symlink_to(secret)
    os.mkfifo(pages / "fifo.txt")
    outside_page = outside / "udefra.txt"  # a valid page, but outside the directory
    outside_page.write_text(SEED_PAGE.replace(SEED_TITLE, "Udefra", 1), encoding="utf-8")
    (pages / "udefra.txt").symlink_to(outside_page)
    return {"mappe.txt": "mappe", "dinglende.txt": "link", "link.txt": "link",
            "fifo.txt": "fil", "udefra.txt": "link"}  # fmt: skip


def test_stored_entries_that_are_no_files_are_reported(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    expected = _odd_entries(tmp_path / "data" / "pages", tmp_path)
    with make_client() as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        errors = ready.json()["load_errors"]
        for name, word in expected.items():
            lines = [e for e in errors if e.startswith(f"{name}:")]
            assert len(lines) == 1 and word in lines[0], (name, errors)
        assert SECRET not in ready.text
        assert ready.json()["initiatives"] == 5
        # A write still works beside them, and the odd entries are untouched.
        text, new_id = page("ved-siden-af")
        headers = {"Content-Type": "text/plain", "X-API-Key": KEY}
        created = client.post("/v1/initiatives", content=text.encode(), headers=headers)
        assert created.status_code == 201, created.text
        assert client.get(f"/v1/initiatives/{new_id}").status_code == 200
    pages = tmp_path / "data" / "pages"
    assert (pages / "mappe.txt").is_dir() and (pages / "link.txt").is_symlink()
    assert (tmp_path / "system.txt").read_text(encoding="utf-8").startswith(SECRET)


def test_seed_directory_entries_that_are_no_files_are_reported(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    expected = _odd_entries(seeds, tmp_path)
    (seeds / "ok.txt").write_text(SEED_PAGE, encoding="utf-8")
    corpus = load_corpus([seeds])
    assert [i.title for i in corpus.initiatives] == [SEED_TITLE]
    reported = {Path(e.file).name: e.message for e in corpus.errors}
    assert set(reported) == set(expected), reported
    assert all(SECRET not in m for m in reported.values())


@pytest.mark.parametrize("where", ["seeds", "pages"])
def test_a_page_over_the_size_limit_is_reported_not_loaded(
    make_client: ClientFactory, tmp_path: Path, where: str
) -> None:
    filler = "\n\nErfaringer og resultater\n\n" + ("Ledige får hjælp. " * 1000 + "\n") * (
        MAX_PAGE_BYTES // 18000 + 2
    )
    big = SEED_PAGE.replace(SEED_TITLE, "Meget stor side", 1) + filler
    assert len(big.encode()) > MAX_PAGE_BYTES
    if where == "seeds":
        seeds = tmp_path / "seeds"
        seeds.mkdir()
        (seeds / "stor.txt").write_text(big, encoding="utf-8")
        corpus = load_corpus([seeds])
        assert corpus.initiatives == () and len(corpus.errors) == 1
        assert "MB" in corpus.errors[0].message or "MiB" in corpus.errors[0].message
        return
    pages = tmp_path / "data" / "pages"
    pages.mkdir(parents=True)
    (pages / "stor.txt").write_text(big, encoding="utf-8")
    with make_client() as client:
        ready = client.get("/readyz").json()
        assert ready["initiatives"] == 5
        assert any(e.startswith("stor.txt:") for e in ready["load_errors"]), ready


def test_size_limit_is_above_the_largest_body_a_write_accepts() -> None:
    """Every page the API accepts (body limit 1 MiB) must load again at the next start."""
    from engine.shared.settings import Settings

    assert Settings().max_body_bytes <= MAX_PAGE_BYTES


def test_load_errors_name_files_without_server_paths(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    """A second file with a seed's id is reported as "samme id som <file>": by its name,
    not by where the server keeps it (/readyz showed the absolute path)."""
    pages = tmp_path / "data" / "pages"
    pages.mkdir(parents=True)
    (pages / "kopi-a.txt").write_text(SEED_PAGE, encoding="utf-8")
    (pages / "kopi-b.txt").write_text(SEED_PAGE, encoding="utf-8")
    with make_client() as client:
        ready = client.get("/readyz")
        errors = ready.json()["load_errors"]
        assert any(e.startswith("kopi-b.txt:") and "kopi-a.txt" in e for e in errors), errors
        assert str(tmp_path) not in ready.text, errors
