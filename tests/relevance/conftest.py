"""One real-model searcher over the seeds for every relevance test (built once a session)."""

from __future__ import annotations

import pytest

from engine.domain.models import Corpus
from engine.embedding.base import Embedder
from engine.search.indexing import open_index
from engine.search.searcher import Searcher
from engine.search.thesaurus import Thesaurus
from engine.settings import Settings


@pytest.fixture(scope="session")
def searcher(
    seed_corpus: Corpus, real_embedder: Embedder, tmp_path_factory: pytest.TempPathFactory
) -> Searcher:
    settings = Settings(data_dir=tmp_path_factory.mktemp("relevance"))
    thesaurus = Thesaurus.load()
    index, _ = open_index(settings, seed_corpus, real_embedder, thesaurus=thesaurus)
    return Searcher(seed_corpus, index, real_embedder, settings, thesaurus=thesaurus)
