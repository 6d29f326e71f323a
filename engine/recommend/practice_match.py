"""How well each practice's own words answer a situation, as a calibrated probability.

A practice is recommended for what it says, not for how many pages mention it: the
situation is read like a search query (`engine/search/analysis.py`) and set against the
practice's own words (its core, without "mindst 9 ud af 10" and the "Jobcenteret har en fast
praksis" framing). The signals, per practice:
- `cosine_z`: the model's cosine of the situation and the practice's words (glossed like
  the passages), as a z-score over the catalogue: e5's cosines lie close together, and a
  practice is judged beside the others, so one that fits every situation a little never
  stands out;
- `lexical`: BM25 of its words (typed words, the thesaurus' words for the same concepts),
  as a share of the most those terms could add, and `coverage`, the share of the
  situation's content words it speaks of;
- `gap` and `top`: how far its rank score (`cosine_z` + `RANK_COVERAGE` x `coverage`) lies
  below the best practice's, and whether it is the best;
- `support`: the share of the best matching pages (weighted by their `match`) that have it
  on their checklist; checklists belong to target groups, so this separates a sick-leave
  practice from a dagpenge one, but it adjusts, it cannot carry a practice alone;
- `page_match`: how well the best page fits (the search's `match`), and the question's own
  signals (`english`, `field`): with them a situation that names a practice outright gets
  it although no page fits it well, and nonsense gets nothing (the model's cosine itself
  cannot tell: off-topic texts reach the same cosines, tune half AUC 0.44).
A logistic model over these (`calibration.json`, "practices", fitted by `indsats calibrate` on
the tune half of the judged situations) gives `match` (0..1); practices at or above its
threshold fit.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from engine.domain.models import Practice
from engine.domain.practices import practice_core
from engine.domain.text import is_everyday, words
from engine.embedding.base import Embedder
from engine.search.analysis import AnalysedQuery
from engine.search.calibration import MatchModel, question_signals
from engine.search.results import SearchResponse
from engine.search.searcher import Searcher
from engine.search.signals import coverage, lexical_signals
from engine.search.thesaurus import Thesaurus, gloss
from index.lexical_bm25 import LexicalIndex

Floats = npt.NDArray[np.float64]
# Where a text divides into parts a reason can quote: punctuation and the words that join
# clauses. A situation of at most `WHOLE_WORDS` words is quoted whole.
_CLAUSE = re.compile(
    r"[,;:.!?()\n]+|\s(?:og|men|eller|fordi|så|når|hvis|selvom|via|som|der|hvor|and|but|or|"
    r"because|so|when|which|who|that)\s",
    re.IGNORECASE,
)
WHOLE_WORDS = 7
WINDOW = 5
# A practice's place among the others: its cosine's z-score plus this times its coverage
# (tune halves, top-1 acceptable: cosine alone 0.39, with coverage at 4.5 0.44; at 1.5 0.41).
RANK_COVERAGE = 4.5


@dataclass(frozen=True, slots=True)
class PracticeFit:
    """Per practice (catalogue order): the calibrated `match` and the signals behind it."""

    match: Floats
    signals: dict[str, Floats]
    threshold: float

    @property
    def fits(self) -> npt.NDArray[np.bool_]:
        return np.asarray(self.match >= self.threshold)


def practice_document(practice: Practice, thesaurus: Thesaurus) -> str:
    """What the model reads of a practice: its own words, glossed like the passages are."""
    core = practice_core(practice.text)
    words = gloss(thesaurus.expand(core))
    return f"{core} ({', '.join(words)})" if words else core


def practice_vectors(
    documents: Sequence[str], known: Mapping[str, npt.NDArray[np.float32]], embedder: Embedder
) -> dict[str, npt.NDArray[np.float32]]:
    """Each practice document's vector: `known`'s where it has it, embedded otherwise."""
    missing = list(dict.fromkeys(d for d in documents if d not in known))
    fresh = dict(zip(missing, embedder.embed_passages(missing), strict=True)) if missing else {}
    return {d: fresh[d] if d in fresh else known[d] for d in dict.fromkeys(documents)}


class PracticeMatcher:
    """Per corpus version: the practices' vectors and their BM25 index, in memory.

    The vectors of practices and of their parts are kept from one version to the next
    (`previous`) and across restarts (`known`, from the snapshot on disk): a catalogue
    changes rarely, and embedding every practice again took ~30 ms each with e5."""

    def __init__(
        self,
        searcher: Searcher,
        practices: Sequence[Practice],
        previous: PracticeMatcher | None = None,
        known: Mapping[str, npt.NDArray[np.float32]] = {},
    ) -> None:
        self.searcher = searcher
        self.practices = tuple(practices)
        embedder = searcher.embedder
        self.documents = [practice_document(p, searcher.thesaurus) for p in self.practices]
        kept = {**known, **(previous.known_vectors() if previous is not None else {})}
        vectors = practice_vectors(self.documents, kept, embedder)
        self._vectors = (
            np.stack([vectors[d] for d in self.documents])
            if self.documents
            else np.zeros((0, embedder.dimension), dtype=np.float32)
        )
        cores = [practice_core(p.text) for p in self.practices]
        self._lexical = LexicalIndex.build(cores, searcher.analyzer) if cores else None
        self._answered = [frozenset(a.initiative_id for a in p.answers) for p in self.practices]
        self._cores = cores
        self._part_vectors: dict[str, npt.NDArray[np.float32]] = (
            dict(previous._part_vectors) if previous is not None else {}
        )
        self._lock = threading.Lock()

    def known_vectors(self) -> dict[str, npt.NDArray[np.float32]]:
        """Each practice's document and its vector, for the next version."""
        return dict(zip(self.documents, self._vectors, strict=True))

    def signals(
        self, query: AnalysedQuery, pages: SearchResponse, dense: bool = True
    ) -> dict[str, Floats]:
        """Every signal of `PRACTICE_FEATURES` for each practice (`dense` False: no model)."""
        n = len(self.practices)
        if self._lexical is None:
            return {}
        _, share = lexical_signals(self._lexical, query)
        covered = coverage(self._lexical, query)
        out: dict[str, Floats] = {
            "lexical": np.asarray(share, dtype=np.float64),
            "coverage": covered,
            "support": self._support(pages),
            "page_match": np.full(n, pages.results[0].match if pages.results else 0.0),
        }
        rank = RANK_COVERAGE * covered + out["lexical"]
        if dense:
            vector = query.vector(self.searcher.embedder.embed_query)
            cosine: Floats = np.asarray(self._vectors @ vector, dtype=np.float64)
            spread = float(cosine.std()) or 1.0
            out["cosine_z"] = np.asarray((cosine - float(cosine.mean())) / spread)
            rank = out["cosine_z"] + RANK_COVERAGE * covered
        out["gap"] = np.asarray(rank - float(rank.max()), dtype=np.float64)
        out["top"] = np.asarray(out["gap"] == 0.0, dtype=np.float64)
        question = question_signals(query.language, query.field_words)
        return out | {k: np.full(n, v) for k, v in question.items()}

    def fit(self, query: AnalysedQuery, pages: SearchResponse, model: MatchModel) -> PracticeFit:
        signals = self.signals(query, pages, dense="cosine_z" in model.features)
        if not signals:
            return PracticeFit(np.zeros(0), {}, model.threshold)
        return PracticeFit(model.probability(signals), signals, model.threshold)

    def _support(self, pages: SearchResponse) -> Floats:
        top = pages.results[: self.searcher.ranking.support_pages]
        total = sum(r.match for r in top)
        if not top or total <= 0:
            return np.zeros(len(self.practices))
        return np.asarray(
            [sum(r.match for r in top if r.id in answered) / total for answered in self._answered]
        )

    def matching_parts(
        self, situation: str, indices: Sequence[int], everyday: frozenset[str]
    ) -> dict[int, tuple[str, str]]:
        """For each practice in `indices`: the part of the situation (its own words, quoted
        as written) and the part of the practice whose meanings lie closest, by the model.
        Only parts with a telling word (`telling`) are quoted."""
        if not indices:
            return {}
        embedder = self.searcher.embedder
        own = situation_parts(situation, everyday)
        if not own:
            return {}
        asked = np.stack([embedder.embed_query(part) for part in own])
        out: dict[int, tuple[str, str]] = {}
        for n in indices:
            theirs = practice_parts(self._cores[n], everyday) or [self._cores[n]]
            vectors = self._vectors_of(theirs)
            cosine = vectors @ asked.T  # practice parts x situation parts
            best_practice, best_situation = np.unravel_index(int(np.argmax(cosine)), cosine.shape)
            out[n] = (own[int(best_situation)], theirs[int(best_practice)])
        return out

    def _vectors_of(self, parts: Sequence[str]) -> npt.NDArray[np.float32]:
        with self._lock:
            missing = [p for p in parts if p not in self._part_vectors]
        if missing:
            vectors = self.searcher.embedder.embed_passages(missing)
            with self._lock:
                self._part_vectors.update(zip(missing, vectors, strict=True))
        with self._lock:
            return np.stack([self._part_vectors[p] for p in parts])


def telling(part: str, everyday: frozenset[str]) -> bool:
    """Whether a part says something: a word of three letters or more that is neither a
    stop word, nor common in everyday Danish (`is_everyday`), nor one of `everyday`."""
    return any(len(w) >= 3 and w not in everyday and not is_everyday(w) for w in words(part))


def _clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) of each clause of `text`, leading joining words left out."""
    spans, at = [], 0
    for sep in [*_CLAUSE.finditer(text), None]:
        stop = sep.start() if sep is not None else len(text)
        piece = text[at:stop]
        lead = len(piece) - len(piece.lstrip(" -"))
        first = piece[lead:].split(" ", 1)
        if len(first) == 2 and first[0].lower() in {"at", "og", "men", "der", "som"}:
            lead += len(first[0]) + 1
        if text[at + lead : stop].strip():
            spans.append((at + lead, len(text[:stop].rstrip(" -"))))
        at = sep.end() if sep is not None else len(text)
    return spans


def situation_parts(text: str, everyday: frozenset[str]) -> list[str]:
    """Parts of the situation, each exactly as written, that contain a telling word: a
    short situation whole; else each clause, two clauses together when short enough, and
    windows of `WINDOW` words within a long clause."""
    text = " ".join(text.split())
    if len(text.split()) <= WHOLE_WORDS:
        return [text] if telling(text, everyday) else []
    spans = _clauses(text)
    parts = [text[a:b] for a, b in spans]
    joined = (text[a:d] for (a, _), (_, d) in pairwise(spans))
    parts += [p for p in joined if len(p.split()) <= 10]
    for a, b in spans:
        tokens = text[a:b].split()
        if len(tokens) > WHOLE_WORDS:
            windows = (tokens[i : i + WINDOW] for i in range(len(tokens) - WINDOW + 1))
            parts += [" ".join(_trimmed(w)) for w in windows]
    return list(dict.fromkeys(p for p in parts if p and telling(p, everyday)))


def _trimmed(tokens: list[str]) -> list[str]:
    """A window without everyday words at its edges (Danish or English), so a quote ends
    on what it is about ("diagnosed with dyslexia", not "... dyslexia we don't")."""

    def plain(token: str) -> bool:
        word = token.strip(".,;:!?\"'()")
        return not word or is_everyday(word) or is_everyday(word, "en")

    start, end = 0, len(tokens)
    while start < end and plain(tokens[start]):
        start += 1
    while end > start and plain(tokens[end - 1]):
        end -= 1
    return tokens[start:end]


def practice_parts(core: str, everyday: frozenset[str]) -> list[str]:
    """The practice's clauses with at least two words, one of them telling."""
    clauses = (core[a:b] for a, b in _clauses(core))
    return list(dict.fromkeys(c for c in clauses if len(c.split()) >= 2 and telling(c, everyday)))
