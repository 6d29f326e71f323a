"""A query, read once: its language, typos mended, its concepts, the terms to score.

Every ranking signal starts here, so BM25, the coverage measure, the dense model and the
practice ranking read a query the same way:
- the words, with English stop words dropped when the query is English (the lexicon says
  which language it is) and Danish ones otherwise;
- each word's stem, mended when it is a typo, and joined by the pages' form of the word when
  Snowball stems that differently (`Speller`);
- the thesaurus concepts the stems name; their Danish words join the BM25 query at
  `Ranking.synonym_weight`, the words of related concepts at `Ranking.related_weight`;
- *units*: each content word with the stem sequences that count as saying it (its
  concept's Danish words), which the searcher's coverage measure looks for in a page;
- the text for the dense model: the query with a short English gloss of its concepts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from engine.domain.text import DanishAnalyzer
from engine.embedding.base import Vectors
from engine.search.fusion import Ranking
from engine.search.lexicon import Lexicon
from engine.search.spelling import Speller
from engine.search.thesaurus import Expansion, Group, Thesaurus, gloss

# bm25s' English list plus the question words and pronouns a question starts with.
_ENGLISH_STOPWORDS = (
    "a an and are as at be but by for if in into is it no not of on or such that the "
    "their then there these they this to was will with how what when where which who "
    "whom why do does did can could should would may might must we our ours us you "
    "your i my me from about has have had been being get gets got so than too very "
    "also any some all each other its his her them those am were"
)
ENGLISH_STOPWORDS = frozenset(_ENGLISH_STOPWORDS.split())
GLOSS_LIMIT = 4


@dataclass(frozen=True, slots=True)
class Unit:
    """One content word of the query: its stem and the stem sequences that also say it."""

    stem: str
    alternatives: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalysedQuery:
    text: str
    language: str
    weights: Mapping[str, float]
    units: tuple[Unit, ...]
    expansion: Expansion
    dense_text: str
    corrections: tuple[tuple[str, str], ...] = ()
    _vectors: dict[str, Vectors] = field(default_factory=dict, compare=False, repr=False)

    @property
    def field_words(self) -> int:
        """How many of the content words name a concept of the employment field (the
        thesaurus): the question's own sign of being in the field, which `match` reads."""
        return sum(1 for unit in self.units if self.expansion.groups_of(unit.stem))

    def vector(self, embed: Callable[[str], Vectors]) -> Vectors:
        """The dense text embedded, once: a search asks for it for ranking and again for
        the matches, and the model call is most of a search's time."""
        found = self._vectors.get("dense")
        if found is None:
            found = self._vectors["dense"] = embed(self.dense_text)
        return found


class QueryAnalyzer:
    """Per corpus version: the speller knows the corpus' words."""

    def __init__(
        self,
        analyzer: DanishAnalyzer,
        thesaurus: Thesaurus,
        speller: Speller,
        lexicon: Lexicon,
        ranking: Ranking,
    ) -> None:
        self.analyzer = analyzer
        self.thesaurus = thesaurus
        self.speller = speller
        self.lexicon = lexicon
        self.ranking = ranking
        # Words in context: stop words kept, since the thesaurus has phrases ("på dagpenge").
        self._words = DanishAnalyzer(stopwords=())
        self._group_stems: dict[str, tuple[tuple[str, ...], ...]] = {}
        self._cache: dict[str, AnalysedQuery] = {}
        self._lock = threading.Lock()

    def analyse(self, text: str) -> AnalysedQuery:
        with self._lock:
            cached = self._cache.get(text)
        if cached is not None:
            return cached
        analysed = self._analyse(text)
        with self._lock:
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[text] = analysed
        return analysed

    def _analyse(self, text: str) -> AnalysedQuery:
        words = self._words.words(text)
        language = self.lexicon.language(words)
        stop = ENGLISH_STOPWORDS if language == "en" else self.analyzer.stopwords
        stems: list[str] = []
        content: list[str] = []
        corrections: list[tuple[str, str]] = []
        for word, stem in zip(words, self._words.stem_all(words), strict=True):
            mended = self.speller.correct(word, stem)
            if mended != stem:
                corrections.append((word, mended))
            stems.append(mended)
            if word not in stop:
                content.append(mended)
        expansion = self.thesaurus.expand_stems(stems)
        weights: dict[str, float] = dict.fromkeys(content, 1.0)
        variants = {s: v for s in content if (v := self.speller.variant(s))}
        weights.update(dict.fromkeys(variants.values(), 1.0))
        for groups, weight in (
            (expansion.groups, self.ranking.synonym_weight),
            (expansion.related, self.ranking.related_weight),
        ):
            for group in groups:
                for sequence in self.group_stems(group):
                    for stem in sequence:
                        if weights.get(stem, 0.0) < weight:
                            weights[stem] = weight
        units = tuple(
            Unit(
                stem,
                (((variants[stem],),) if stem in variants else ())
                + tuple(s for g in expansion.groups_of(stem) for s in self.group_stems(g)),
            )
            for stem in dict.fromkeys(content)
        )
        # A short gloss: the model call's time grows with the text, and a longer gloss ranked
        # no better (tune half: every concept's 2 words 0.806 / 0.896 at 217 characters a
        # question, at most 4 words 0.809 / 0.904 at about 160). Without a gloss for English
        # questions it ranked as well but flagged fewer off-topic ones (80 % against 84 %).
        words_en = gloss(expansion, limit=GLOSS_LIMIT)
        dense_text = f"{text} ({', '.join(words_en)})" if words_en else text
        return AnalysedQuery(
            text=text,
            language=language,
            weights=weights,
            units=units,
            expansion=expansion,
            dense_text=dense_text,
            corrections=tuple(corrections),
        )

    def group_stems(self, group: Group) -> tuple[tuple[str, ...], ...]:
        """The content stems of each Danish word of `group` ("på dagpenge" -> ("dagpeng",))."""
        stems = self._group_stems.get(group.concept)
        if stems is None:
            found = (tuple(self.analyzer.stems(term)) for term in group.danish)
            stems = self._group_stems[group.concept] = tuple(dict.fromkeys(s for s in found if s))
        return stems
