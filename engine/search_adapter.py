"""The seam between the Engine and search/recommendations (issues #3 and #4).

The Engine needs four things from them: open the index for a corpus (the index store builds
it when missing or stale, under the writers' lock), search, find similar initiatives, and
recommend. Keeping the glue here keeps `service.py` free of index details.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from engine.embedding import Embedder, load_embedder
from engine.indexing import index_store
from engine.models import Corpus, Initiative
from engine.recommend import Recommendation, Recommender, RecommendRequest
from engine.search import Searcher, SearchQuery, SearchResponse, open_searcher
from engine.settings import Settings

log = logging.getLogger(__name__)

# What `similar` reads of a page: enough to characterise it, within the query limit.
_SIMILAR_SECTIONS = ("Kommunens beskrivelse af indsatsen", "Erfaringer og resultater")


@dataclass(frozen=True)
class SearchParts:
    embedder: Embedder
    searcher: Searcher
    recommender: Recommender

    @property
    def version(self) -> str:
        return self.searcher.version

    def search(self, query: SearchQuery) -> SearchResponse:
        return self.searcher.search(query)

    def similar(self, item: Initiative, k: int) -> SearchResponse:
        """Pages like `item`: a hybrid search with its title, target groups and description,
        without the page itself."""
        limit = self.searcher.settings.max_query_chars
        parts = [item.title, ", ".join(item.target_groups)]
        parts += [s.text for name in _SIMILAR_SECTIONS if (s := item.section(name)) is not None]
        text = " ".join(" ".join(parts).split())
        if len(text) > limit:
            text = text[:limit].rsplit(" ", 1)[0]
        found = self.searcher.search(SearchQuery(text, k=100))
        others = tuple(r for r in found.results if r.id != item.id)
        total = found.total - (len(found.results) - len(others))
        return SearchResponse(item.title, found.mode, k, 0, total, others[:k])

    def recommend(self, request: RecommendRequest) -> Recommendation:
        return self.recommender.recommend(request)


def index_version(settings: Settings) -> str:
    """The live index version; '' when there is none. One small file read."""
    return index_store(settings).current_version() or ""


def open_search(settings: Settings, corpus: Corpus, embedder: Embedder | None) -> SearchParts:
    """Model, index (loaded, or built when it does not match the corpus) and searcher."""
    model = embedder if embedder is not None else load_embedder(settings)
    searcher, report = open_searcher(settings, embedder=model, corpus=corpus)
    if report.built:
        log.info("Indeks %s bygget: %s", report.version, report.reason)
    return SearchParts(model, searcher, Recommender(searcher))
