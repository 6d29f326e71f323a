"""Fixtures the engine's unit tests share."""

from __future__ import annotations

import pytest

from engine.domain.models import Corpus
from engine.search.indexing import open_index
from engine.search.searcher import Searcher
from engine.search.thesaurus import Thesaurus
from engine.shared.settings import Settings
from tests.fakes import FakeEmbedder


@pytest.fixture()
def searcher(seed_corpus: Corpus, tmp_settings: Settings) -> Searcher:
    """A searcher over the seed pages with the fake embedder, built in a private data dir."""
    embedder = FakeEmbedder()
    thesaurus = Thesaurus.load()
    index, _ = open_index(tmp_settings, seed_corpus, embedder, thesaurus=thesaurus)
    return Searcher(seed_corpus, index, embedder, tmp_settings, thesaurus=thesaurus)
