"""One real-model searcher over the seeds for every relevance test (built once a session)."""

from __future__ import annotations

import pytest

from engine.embedding.base import Embedder
from engine.indexing import open_index
from engine.models import Corpus
from engine.search import Searcher
from engine.settings import Settings
from engine.thesaurus import Thesaurus


@pytest.fixture(scope="session")
def searcher(
    seed_corpus: Corpus, real_embedder: Embedder, tmp_path_factory: pytest.TempPathFactory
) -> Searcher:
    settings = Settings(data_dir=tmp_path_factory.mktemp("relevance"))
    thesaurus = Thesaurus.load()
    index, _ = open_index(settings, seed_corpus, real_embedder, thesaurus=thesaurus)
    return Searcher(seed_corpus, index, real_embedder, settings, thesaurus=thesaurus)
