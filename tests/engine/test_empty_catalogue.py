"""Pages without checklist answers make an empty practice catalogue, an ordinary state:
searches find the pages, recommendations answer with the pages and no practices, writes
work. It used to fail every load (`LexicalIndex.build([])` in the recommender)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.domain.models import Level
from engine.facade.engine import Engine
from engine.recommend.recommender import RecommendRequest
from engine.search.query import SearchQuery
from engine.shared.errors import UnknownPracticeError
from engine.shared.settings import Settings
from tests.fakes import FakeEmbedder

ROOT = Path(__file__).resolve().parents[2]


def page_without_checklists(title: str) -> str:
    return (
        f"Hedensted\n\n2,2\nEvidenstest\n\n{title}\n\n • Ledige\n\n"
        "Kommunens beskrivelse af indsatsen\n\nVi holder samtaler om jobsøgning med ledige.\n\n"
        "Gode råd\n\nSæt tid af til samtalerne.\n"
    )


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    (tmp_path / "seeds").mkdir()
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=tmp_path / "seeds")
    engine = Engine.open(settings, FakeEmbedder())
    engine.add_page(page_without_checklists("Samtaler uden tjekliste"))
    return engine


def test_pages_without_checklists_are_searched_and_recommended_from(engine: Engine) -> None:
    assert len(engine.corpus.initiatives) == 1 and engine.practices() == ()
    found = engine.search(SearchQuery("samtaler om jobsøgning"))
    assert [r.id for r in found.results] == ["hedensted-samtaler-uden-tjekliste"]
    answer = engine.recommend(RecommendRequest("samtaler om jobsøgning", municipality="Hedensted"))
    assert [r.id for r in answer.initiatives] == ["hedensted-samtaler-uden-tjekliste"]
    assert answer.practices == () and answer.other_practices == ()
    with pytest.raises(UnknownPracticeError):  # input is still checked
        engine.recommend(RecommendRequest("samtaler", answers={"findes-ikke": Level.JA}))


def test_writes_and_a_restart_work_on_an_empty_catalogue(engine: Engine) -> None:
    second = engine.add_page(page_without_checklists("Endnu en indsats"))
    engine.delete_page("hedensted-samtaler-uden-tjekliste")
    again = Engine.open(engine.settings, FakeEmbedder())
    assert [i.id for i in again.corpus.initiatives] == [second.id]
    assert again.recommend(RecommendRequest("samtaler")).initiatives[0].id == second.id
