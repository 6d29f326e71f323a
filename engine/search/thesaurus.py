"""The employment field's vocabulary (`engine/data/thesaurus.json`), for query expansion.

Consultants write "sygemeldte" where a page says "sygedagpengemodtagere", "folk på
kontanthjælp" for "aktivitetsparate kontanthjælpsmodtagere", and an English-speaking
colleague writes "sick leave". Each group lists the words a consultant treats as one concept,
in Danish (with everyday phrasings) and in English, and names the concepts closely tied to it
("related": when sickness benefit cannot be extended, a jobafklaringsforløb follows). The file
was written from knowledge of Danish employment law and practice, not from the pages the
project is tested on (README, "Relevance"). Pages are never rewritten: the query gains the
group's Danish words at a lower weight, and the dense model gets an English gloss.
Matching works on Snowball stems, so inflections ("sygemeldt"/"sygemeldte") match.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from engine.domain.text import DanishAnalyzer


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    concept: str
    danish: tuple[str, ...]
    english: tuple[str, ...]
    related: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Expansion:
    """What a text matched: the groups, the groups they link to (not matched themselves), and
    for each matched stem of the text the groups that matched it."""

    groups: tuple[Group, ...]
    related: tuple[Group, ...] = ()
    covered: tuple[tuple[str, tuple[int, ...]], ...] = ()

    def groups_of(self, stem: str) -> tuple[Group, ...]:
        """The matched groups that cover `stem` of the text (empty when none does)."""
        for covered, indexes in self.covered:
            if covered == stem:
                return tuple(self.groups[i] for i in indexes)
        return ()


class Thesaurus:
    def __init__(self, groups: Sequence[Group]) -> None:
        self.groups = tuple(groups)
        # Stop words stay in: "på dagpenge" and "får dagpenge" are phrases of their own.
        self._analyzer = DanishAnalyzer(stopwords=())
        self._by_concept = {g.concept: g for g in self.groups}
        # What the glosses of indexed passages depend on: part of the corpus hash, so an
        # edited thesaurus rebuilds the index without expanding every passage to notice.
        rows = [[g.concept, list(g.danish), list(g.english)] for g in self.groups]
        self.digest = hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()
        # Each term as a stem sequence, keyed by its first stem, so a text is scanned once
        # instead of once per term (the index build expands every passage).
        self._patterns: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        self._stems: dict[str, tuple[str, ...]] = {}
        for index, group in enumerate(self.groups):
            for term in group.danish + group.english:
                stems = self.term_stems(term)
                if stems:
                    self._patterns.setdefault(stems[0], []).append((stems, index))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Thesaurus:
        groups = []
        for i, raw in enumerate(data.get("groups", [])):
            danish, english = raw.get("da", []), raw.get("en", [])
            related = raw.get("related", [])
            if not all(isinstance(v, list) for v in (danish, english, related)):
                raise ValueError(f"thesaurus group {i}: 'da', 'en' and 'related' must be lists")
            groups.append(
                Group(
                    concept=str(raw.get("concept", i)),
                    danish=tuple(map(str, danish)),
                    english=tuple(map(str, english)),
                    related=tuple(map(str, related)),
                )
            )
        known = {g.concept for g in groups}
        for group in groups:
            if unknown := set(group.related) - known:
                raise ValueError(f"thesaurus group {group.concept!r}: unknown related {unknown}")
        return cls(groups)

    @classmethod
    def load(cls, path: Path | None = None) -> Thesaurus:
        """The bundled thesaurus (read once a process: every snapshot uses it, and reading
        it took 60 ms), or one from `path` (same JSON shape)."""
        if path is None:
            return _bundled()
        return cls.from_dict(json.loads(path.read_text("utf-8")))

    def term_stems(self, term: str) -> tuple[str, ...]:
        stems = self._stems.get(term)
        if stems is None:
            stems = self._stems[term] = tuple(self._analyzer.stems(term))
        return stems

    def expand(self, text: str) -> Expansion:
        return self.expand_stems(self._analyzer.stems(text))

    def expand_stems(self, sequence: Sequence[str]) -> Expansion:
        """Like `expand`, for a text already stemmed with stop words kept (and typos mended)."""
        stems = tuple(sequence)
        found: dict[int, None] = {}
        covering: dict[str, dict[int, None]] = {}
        for i, stem in enumerate(stems):
            for pattern, index in self._patterns.get(stem, ()):
                if stems[i : i + len(pattern)] == pattern:
                    found[index] = None
                    for part in pattern:
                        covering.setdefault(part, {})[index] = None
        order = sorted(found)
        position = {index: n for n, index in enumerate(order)}
        groups = tuple(self.groups[i] for i in order)
        matched = {g.concept for g in groups}
        related = tuple(
            self._by_concept[name]
            for name in dict.fromkeys(n for g in groups for n in g.related)
            if name not in matched
        )
        covered = tuple(
            (stem, tuple(sorted(position[i] for i in indexes)))
            for stem, indexes in covering.items()
        )
        return Expansion(groups, related, covered)


def gloss(expansion: Expansion, per_group: int = 2, limit: int | None = None) -> tuple[str, ...]:
    """A few English words per matched group, appended to a text for the dense model:
    MiniLM reads English far better than Danish, so an English gloss ("sick leave") lets it
    place a Danish passage or query ("sygemeldte") in the right spot."""
    words = tuple(dict.fromkeys(t for g in expansion.groups for t in g.english[:per_group]))
    return words[:limit]


@lru_cache(maxsize=1)
def _bundled() -> Thesaurus:
    text = resources.files("engine").joinpath("data/thesaurus.json").read_text("utf-8")
    return Thesaurus.from_dict(json.loads(text))
