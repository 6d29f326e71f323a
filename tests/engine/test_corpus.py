"""Loading directories: bad files are reported by name, every other page still loads."""

from __future__ import annotations

import shutil
from pathlib import Path

from engine.domain.corpus import load_corpus


def _copy_seeds(seeds_dir: Path, target: Path) -> Path:
    target.mkdir()
    for page in seeds_dir.glob("*.txt"):
        shutil.copy(page, target / page.name)
    return target


def test_seeds_load_without_errors(seeds_dir: Path) -> None:
    corpus = load_corpus([seeds_dir])
    assert len(corpus.initiatives) == 5 and not corpus.errors
    assert len({i.id for i in corpus.initiatives}) == 5


def test_bad_files_are_rejected_and_the_rest_loads(seeds_dir: Path, tmp_path: Path) -> None:
    pages = _copy_seeds(seeds_dir, tmp_path / "pages")
    (pages / "fejl.txt").write_text("<html><body>503 Service Unavailable</body></html>")
    (pages / "billede.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (pages / "latin1.txt").write_bytes("Århus\n".encode("latin-1"))
    (pages / "notes.md").write_text("not a page: ignored by suffix")
    corpus = load_corpus([pages])
    assert len(corpus.initiatives) == 5
    reasons = {Path(e.file).name: e.message for e in corpus.errors}
    assert set(reasons) == {"fejl.txt", "billede.txt", "latin1.txt"}
    assert "HTML" in reasons["fejl.txt"]
    assert "binær" in reasons["billede.txt"]
    assert "UTF-8" in reasons["latin1.txt"]


def test_duplicate_page_is_reported_not_loaded_twice(seeds_dir: Path, tmp_path: Path) -> None:
    pages = _copy_seeds(seeds_dir, tmp_path / "pages")
    original = next(iter(sorted(pages.glob("*.txt"))))
    shutil.copy(original, pages / "zz_copy.txt")
    corpus = load_corpus([pages])
    assert len(corpus.initiatives) == 5
    (error,) = corpus.errors
    assert error.file.endswith("zz_copy.txt") and original.name in error.message


def test_missing_directory_is_an_error_not_a_crash(tmp_path: Path) -> None:
    corpus = load_corpus([tmp_path / "nowhere"])
    assert corpus.initiatives == ()
    assert corpus.errors[0].message == "filen eller mappen findes ikke"


def test_ids_do_not_depend_on_file_order(seeds_dir: Path, tmp_path: Path) -> None:
    pages = tmp_path / "renamed"
    pages.mkdir()
    for n, page in enumerate(sorted(seeds_dir.glob("*.txt"), reverse=True)):
        shutil.copy(page, pages / f"{n:03d}.txt")
    assert {i.id for i in load_corpus([pages]).initiatives} == {
        i.id for i in load_corpus([seeds_dir]).initiatives
    }
    assert {p.id for p in load_corpus([pages]).practices} == {
        p.id for p in load_corpus([seeds_dir]).practices
    }
