"""The seam between the Engine and the search/recommend modules (issues #3 and #4).

The Engine only needs: open the index for a corpus (building it when missing or stale and
the caller holds the exclusive lock), search, find similar initiatives, recommend. Keeping
that here keeps `service.py` free of index details.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from engine.errors import IndexUnavailableError
from engine.models import Corpus, Initiative
from engine.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchParts:
    embedder: Any
    searcher: Any
    recommender: Any = None
    version: str = ""

    def search(self, query: str, **options: Any) -> Any:
        raise IndexUnavailableError("Søgning er ikke bygget endnu.")

    def similar(self, item: Initiative, k: int) -> Any:
        raise IndexUnavailableError("Søgning er ikke bygget endnu.")

    def recommend(self, situation: str, **options: Any) -> Any:
        raise IndexUnavailableError("Anbefalinger er ikke bygget endnu.")


def index_version(settings: Settings) -> str:
    """The live index version name; '' when there is none. One small read."""
    try:
        return (settings.index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


def open_search(settings: Settings, corpus: Corpus, embedder: Any) -> SearchParts | None:
    """Searcher and recommender for `corpus`, or None when search is not available."""
    return None


def require(parts: SearchParts | None) -> SearchParts:
    if parts is None:
        raise IndexUnavailableError(
            "Søgeindekset er ikke indlæst. Byg det med 'indsats build' og prøv igen."
        )
    return parts
