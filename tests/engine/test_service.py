"""The Engine's rules for stored pages: replace, tombstone, crash leftovers, other workers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from engine.domain.models import Corpus
from engine.domain.parser import parse_page
from engine.domain.render import render_page
from engine.facade.answers import QueryFailure
from engine.facade.engine import Engine
from engine.search.query import InitiativeFilter, validate_text
from engine.search.results import SearchResponse
from engine.shared.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PageFormatError,
    PreconditionFailedError,
)
from engine.shared.settings import Settings
from tests.fakes import FakeEmbedder

ROOT = Path(__file__).resolve().parents[2]
COACHING = ROOT / "seeds" / "000_e2e46fb973fdfa75.txt"
COACHING_ID = "hedensted-jobrettet-coaching-til-afklaring-af-jobmuligheder"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", seeds_dir=ROOT / "seeds")


@pytest.fixture
def engine(settings: Settings) -> Engine:
    return Engine.open(settings, FakeEmbedder())


def _page(title: str) -> str:
    text = COACHING.read_text(encoding="utf-8")
    return text.replace("Jobrettet coaching til afklaring af jobmuligheder", title, 1)


def test_render_roundtrips_every_seed(seed_corpus: Corpus) -> None:
    for item in seed_corpus.initiatives:
        again = parse_page(render_page(item), "rendered")
        expected = replace(item, source="rendered", updated_at=None)  # a file time, not content
        # practice ids come from the catalogue, not the parser; inferred levels are written
        # out with an explicit prefix
        strip = [
            replace(
                t,
                answers=tuple(replace(a, practice_id="", level_inferred=False) for a in t.answers),
            )
            for t in expected.tests
        ]
        assert again == replace(expected, tests=tuple(strip)), item.id


def test_add_replace_delete(engine: Engine) -> None:
    added = engine.add_page(_page("Coaching for nyledige"))
    assert added.id == "hedensted-coaching-for-nyledige"
    assert all(a.practice_id for _, a in added.answers())  # joined the catalogue
    with pytest.raises(ConflictError):
        engine.add_page(_page("Coaching for nyledige"))
    changed = _page("Coaching for nyledige").replace("Gode råd\n", "Gode råd\n\nHold fast.\n", 1)
    replaced = engine.replace_page(added.id, changed)
    assert "Hold fast." in str(replaced.page.sections) and not replaced.created
    engine.delete_page(added.id)
    with pytest.raises(NotFoundError, match=added.id):
        engine.initiative(added.id)


def test_replace_refuses_a_page_with_another_id(engine: Engine) -> None:
    with pytest.raises(PageFormatError, match="hedensted-noget-andet"):
        engine.replace_page(COACHING_ID, _page("Noget andet"))
    with pytest.raises(PageFormatError):
        engine.replace_page(COACHING_ID, "ikke en side")


def test_seed_replacement_and_tombstone_survive_reopen(settings: Settings, engine: Engine) -> None:
    engine.replace_page(
        COACHING_ID, _page("Jobrettet coaching til afklaring af jobmuligheder") + "\n"
    )
    other = "hedensted-hedensted-modellen"
    engine.delete_page(other)
    again = Engine.open(settings, FakeEmbedder())
    assert again.initiative(COACHING_ID).source.endswith(f"{COACHING_ID}.json")
    with pytest.raises(NotFoundError):
        again.initiative(other)
    assert len(again.corpus.initiatives) == 4


def test_a_page_beats_a_tombstone_left_by_a_crash(settings: Settings, engine: Engine) -> None:
    engine.add_page(_page("Coaching for nyledige"))
    # a crash between "write tombstone" and "remove page" of a delete leaves both
    (settings.pages_dir / "hedensted-coaching-for-nyledige.deleted").write_bytes(b"")
    assert Engine.open(settings, FakeEmbedder()).initiative("hedensted-coaching-for-nyledige")


def test_broken_stored_files_are_load_errors(settings: Settings) -> None:
    settings.pages_dir.mkdir(parents=True)
    (settings.pages_dir / "oedelagt.txt").write_bytes(b"<html><body>fejl</body></html>")
    engine = Engine.open(settings, FakeEmbedder())
    messages = {Path(e.file).name: e.message for e in engine.load_errors()}
    assert "HTML" in messages["oedelagt.txt"]
    assert len(engine.corpus.initiatives) == 5


def test_a_page_dropped_in_by_hand_loads_and_stays_manageable(settings: Settings) -> None:
    pages = settings.pages_dir
    pages.mkdir(parents=True)
    (pages / "ny side.txt").write_text(_page("Coaching"), encoding="utf-8")
    engine = Engine.open(settings, FakeEmbedder())
    assert engine.initiative("hedensted-coaching").source.endswith("ny side.txt")

    changed = _page("Coaching").replace("Gode råd\n", "Gode råd\n\nNyt råd.\n", 1)
    engine.replace_page("hedensted-coaching", changed)
    assert sorted(p.name for p in pages.glob("*.*")) == ["hedensted-coaching.json"]
    (pages / "kopi.txt").write_text(_page("Coaching"), encoding="utf-8")
    (pages / "hedensted-coaching.txt").write_text(_page("Coaching"), encoding="utf-8")
    engine = Engine.open(settings, FakeEmbedder())
    # <id>.json wins, then <id>.txt, then any other name
    assert "Nyt råd." in str(engine.initiative("hedensted-coaching").sections)
    errors = {Path(e.file).name: e.message for e in engine.load_errors()}
    assert "samme id" in errors["kopi.txt"] and "samme id" in errors["hedensted-coaching.txt"]

    engine.delete_page("hedensted-coaching")
    assert sorted(p.name for p in pages.glob("*.txt")) == ["kopi.txt"]
    # kopi.txt still gives the id and a page beats a tombstone: it is back, as stored
    assert Engine.open(settings, FakeEmbedder()).initiative("hedensted-coaching")


def test_refresh_picks_up_another_engines_write(settings: Settings, engine: Engine) -> None:
    other = Engine.open(settings, FakeEmbedder())
    assert engine.refresh() is False
    other.add_page(_page("Coaching for nyledige"))
    assert engine.refresh() is True
    assert engine.initiative("hedensted-coaching-for-nyledige")
    assert engine.refresh() is False


def test_listing_filters(engine: Engine) -> None:
    page = engine.initiatives(InitiativeFilter(municipality="SKANDERBORG"), k=1, offset=1)
    assert page.total == 2 and len(page.items) == 1
    assert engine.initiatives(InitiativeFilter(min_evidence=5.0)).total == 0


def test_text_limits_are_one_rule_for_queries_and_situations(engine: Engine) -> None:
    from engine.recommend.recommender import RecommendRequest
    from engine.search.query import SearchQuery

    with pytest.raises(InvalidInputError, match="2000"):
        validate_text("x" * 2001, 2000)
    with pytest.raises(InvalidInputError, match="tom"):
        validate_text("   ", 2000)
    assert validate_text(" x \n y ", 2000) == "x y"
    too_long = "x" * 2001
    for call in (
        lambda: engine.search(SearchQuery(too_long)),
        lambda: engine.recommend(RecommendRequest(too_long)),
    ):
        with pytest.raises(InvalidInputError, match="højst 2000 er tilladt"):
            call()
    # a batch answers the good query and puts the rule's message in the bad one's place
    good, bad = engine.search_many([SearchQuery("fint"), SearchQuery(too_long)])
    assert isinstance(good, SearchResponse)
    assert isinstance(bad, QueryFailure) and "højst 2000 er tilladt" in bad.message


def test_concurrent_writers_in_two_workers_never_both_win(settings: Settings) -> None:
    import threading

    engines = [Engine.open(settings, FakeEmbedder()), Engine.open(settings, FakeEmbedder())]
    outcomes: list[str] = []
    start = threading.Barrier(4)

    def post(engine: Engine, title: str) -> None:
        start.wait()
        try:
            engine.add_page(_page(title))
            outcomes.append("created")
        except ConflictError:
            outcomes.append("conflict")

    threads = [
        threading.Thread(target=post, args=(engines[0], "Samme side")),
        threading.Thread(target=post, args=(engines[1], "Samme side")),
        threading.Thread(target=post, args=(engines[0], "Anden side")),
        threading.Thread(target=post, args=(engines[1], "Tredje side")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["conflict", "created", "created", "created"]
    for engine in engines:
        engine.refresh()
        ids = {i.id for i in engine.corpus.initiatives}
        assert {"hedensted-samme-side", "hedensted-anden-side", "hedensted-tredje-side"} <= ids
        assert len(ids) == 8
    # the index both serve covers all of them
    fresh = Engine.open(settings, FakeEmbedder())
    assert fresh.index_version == engines[0].index_version == engines[1].index_version


def test_a_batch_too_large_is_refused_whole(engine: Engine) -> None:
    """The work of one batch is bounded by the characters it asks to search."""
    from engine.search.query import SearchQuery
    from engine.shared.errors import PayloadTooLargeError

    limit = engine.settings.max_batch_chars
    fits = [SearchQuery("ledige " * 285)] * (limit // 2000)
    assert len(engine.search_many(fits)) == len(fits)
    with pytest.raises(PayloadTooLargeError) as err:
        engine.search_many([*fits, SearchQuery("ledige " * 285)])
    assert f"højst {limit}" in err.value.message


def test_replace_creates_a_page_that_is_not_there_unless_a_version_is_expected(
    engine: Engine,
) -> None:
    with pytest.raises(PreconditionFailedError):
        engine.replace_page("hedensted-ny-side", _page("Ny side"), expect=lambda page: True)
    with pytest.raises(NotFoundError):
        engine.initiative("hedensted-ny-side")
    put = engine.replace_page("hedensted-ny-side", _page("Ny side"))
    assert put.created and put.page.id == "hedensted-ny-side"
    assert not engine.replace_page("hedensted-ny-side", _page("Ny side")).created
