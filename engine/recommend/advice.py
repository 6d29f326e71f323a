"""Advice a consultant can quote: whole sentences from a page's advice sections, never a
fragment cut out of what it leans on.

The search finds advice passages (paragraphs, long ones split at sentence ends); shown as
they are, they read badly. "Med en sådan betalingsmodel ..." makes no sense without the
paragraph before it, and an advice section is not all advice: Hedensted's "Gode råd" tells
the history of its coaching ("I dag har Jobcenter Hedensted to beskæftigelsesrådgivere
..."). So the unit shown is a paragraph (or one bullet of a list) of an advice section that
gives advice (a recommending word or an imperative opening), together with the paragraph
before it when it opens by pointing back ("sådan", "dette", "eksempelvis") and the next
when that one points back to it. Units are ranked by the best search passage they overlap,
then by how many of the situation's words they share; at most two come from one page, so
one long list of tips does not crowd out the other jobcentres.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from engine.domain.models import Initiative
from engine.domain.text import points_back

ADVICE_SECTIONS = ("Gode råd", "Ledelsens anbefaling", "Krav til organisering")
PER_INITIATIVE = 2

# A sentence that recommends: what a consultant would call advice.
_CUE = re.compile(
    r"\b(bør|skal|anbefal\w*|råd|vigtig\w*|væsentlig\w*|afgørende|opmærksomme? på|sørg\w*|"
    r"husk\w*|undgå\w*|kræver|behov for|en fordel|nødvendig\w*|gerne)\b",
    re.IGNORECASE,
)
# ... or opens with an imperative ("Brug ...", "Vær åben ...").
_IMPERATIVE = re.compile(
    r"^[•\-–*\s]*(brug|vær|afsøg|sæt|giv|hav|lad|tænk|start|overvej|inddrag|prioriter|tag|"
    r"lav|find|hold|skab|del|følg|involver|sikr|afsæt|planlæg|tal|spørg)\b",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*[•\-–*]\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“”«(]?[A-ZÆØÅ0-9])")


class PassageLike(Protocol):
    """A search passage (`engine.search.passages.Passage`)."""

    @property
    def initiative_id(self) -> str: ...

    @property
    def section(self) -> str: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True, slots=True)
class AdviceUnit:
    """A piece of advice as the page says it: one or more whole paragraphs (or a bullet)."""

    section: str
    text: str
    sentences: tuple[str, ...]


def _tidy(text: str) -> str:
    return " ".join(text.split())


def _pieces(section_text: str) -> list[str]:
    """Paragraphs, with each bullet of a list on its own; a lead-in line ("Her er vores
    vigtigste råd:") that only introduces a list is dropped, as each bullet stands alone."""
    out: list[str] = []
    for paragraph in section_text.split("\n\n"):
        lines = [line for line in paragraph.splitlines() if line.strip()]
        bullets = [line for line in lines if _BULLET.match(line)]
        if not bullets:
            if lines:
                out.append(_tidy(" ".join(lines)))
            continue
        rest = [line for line in lines if not _BULLET.match(line)]
        lead = [line for line in rest if not line.rstrip().endswith(":")]
        if lead:
            out.append(_tidy(" ".join(lead)))
        out.extend(_tidy(_BULLET.sub("", line)) for line in bullets)
    return [p for p in out if p]


def _sentences(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in _SENTENCE_END.split(text) if s.strip())


def gives_advice(text: str) -> bool:
    return any(_CUE.search(s) or _IMPERATIVE.match(s) for s in _sentences(text))


def advice_units(
    initiative: Initiative, sections: Collection[str] = ADVICE_SECTIONS
) -> list[AdviceUnit]:
    """Every piece of advice on the page, in page order."""
    units: list[AdviceUnit] = []
    for section in initiative.sections:
        if section.name not in sections:
            continue
        pieces = _pieces(section.text)
        taken: set[int] = set()
        for n, piece in enumerate(pieces):
            if n in taken or not gives_advice(piece):
                continue
            start = n - 1 if n > 0 and points_back(piece) and n - 1 not in taken else n
            end = n + 1
            while end < len(pieces) and points_back(pieces[end]):
                end += 1
            taken.update(range(start, end))
            text = " ".join(pieces[start:end])
            units.append(AdviceUnit(section.name, text, _sentences(text)))
    return units


def _overlaps(unit: AdviceUnit, passage_text: str) -> bool:
    passage = _tidy(_BULLET.sub("", passage_text))
    return passage in unit.text or any(_tidy(_BULLET.sub("", s)) in passage for s in unit.sentences)


def pick_advice(
    found: Iterable[tuple[PassageLike, float]],
    initiatives: Mapping[str, Initiative],
    shared_words: Mapping[str, int],
    k: int,
    per_initiative: int = PER_INITIATIVE,
) -> list[tuple[Initiative, AdviceUnit, float]]:
    """The best `k` pieces of advice: `found` are search passages best first with their
    scores, `shared_words` the number of the situation's words in each unit's text."""
    units = {i: advice_units(item) for i, item in initiatives.items()}
    chosen: list[tuple[Initiative, AdviceUnit, float]] = []
    seen: set[tuple[str, str]] = set()
    per: dict[str, int] = {}
    for passage, score in found:
        item = initiatives.get(passage.initiative_id)
        if item is None or per.get(item.id, 0) >= per_initiative:
            continue
        hits = [
            u
            for u in units[item.id]
            if u.section == passage.section and (item.id, u.text) not in seen
            and _overlaps(u, passage.text)
        ]  # fmt: skip
        hits.sort(key=lambda u: -shared_words.get(u.text, 0))
        for unit in hits:
            if per.get(item.id, 0) >= per_initiative or len(chosen) >= k:
                break
            seen.add((item.id, unit.text))
            per[item.id] = per.get(item.id, 0) + 1
            chosen.append((item, unit, score))
        if len(chosen) >= k:
            break
    return chosen
