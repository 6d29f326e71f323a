"""The one place a corpus and its index become a `Searcher`.

The served snapshot (`snapshots.py`) and a corpus that is not served (an evaluation set, a
benchmark's pages) both come through here, so `indsats eval` and `indsats calibrate` measure
the search the server answers with: the same thesaurus, lexicon, ranking weights and
calibration rules, refused the same way when a fit was made under other settings.
"""

from __future__ import annotations

from engine.domain.models import Corpus
from engine.embedding.base import Embedder
from engine.search.calibration import Calibration
from engine.search.indexing import PassageIndex, open_index
from engine.search.searcher import Searcher
from engine.search.thesaurus import Thesaurus
from engine.shared.settings import Settings
from index.store import BuildReport, Progress


def searcher(
    settings: Settings,
    corpus: Corpus,
    index: PassageIndex,
    model: Embedder,
    *,
    thesaurus: Thesaurus | None = None,
    calibration: Calibration | None = None,
) -> Searcher:
    """`calibration`: instead of the bundled fits overlaid by `<data_dir>/calibration.json`
    (a set evaluated under the deployment's fits, or fits being made)."""
    thesaurus = thesaurus if thesaurus is not None else Thesaurus.load()
    return Searcher(corpus, index, model, settings, thesaurus=thesaurus, calibration=calibration)


def open_searcher(
    settings: Settings,
    corpus: Corpus,
    model: Embedder,
    *,
    force: bool = False,
    progress: Progress | None = None,
    calibration: Calibration | None = None,
) -> tuple[Searcher, BuildReport]:
    """A corpus that is not served, with its own index under `settings.data_dir` (built if
    missing or stale, or always with `force`), assembled like the served one."""
    thesaurus = Thesaurus.load()
    index, report = open_index(
        settings, corpus, model, force=force, progress=progress, thesaurus=thesaurus
    )
    found = searcher(settings, corpus, index, model, thesaurus=thesaurus, calibration=calibration)
    return found, report
