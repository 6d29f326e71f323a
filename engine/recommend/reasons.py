"""The reason a consultant reads beside a practice, in plain Danish.

First why the practice fits this situation: the part of the description it answers, quoted
as the consultant wrote it, and the part of the practice that answers it (the model's
closest pair, `engine/recommend/practice_match.py`); without the model, the description's own words
that the practice shares. Then who follows it, by initiative title and municipality (the
first three, then how many more), and how strong that is: the mean Evidenstest score
of those who follow it fully against those who do not, with a warning when few jobcentres
stand behind the numbers and, for Evidenstest practices, that the score counts the practice
itself. The numbers stay in the API (`evidence`, `followed_by`); the sentences use words.

A word that most practices (or most pages) use - "borgere", "jobkonsulenter", "ledige" - is
no reason for one practice or page more than another, so a word found in more than
`COMMON_SHARE` of them (and in at least three) is never given as the reason; nor are stop
words and everyday words that say nothing about a practice ("følgende", "mange", "gode").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from engine.domain.models import Initiative, Level, Practice
from engine.domain.practices import practice_core
from engine.domain.text import format_decimal, is_everyday
from engine.recommend.eligibility import (
    FOLLOWED_BY_ALL,
    FOLLOWERS_SCORE_LOWER,
    NO_FULL_FOLLOWER,
    OUTSIDE_FILTERS,
    Follower,
    Verdict,
)
from engine.search.analysis import Unit

COMMON_SHARE = 0.3
FEW_JOBCENTRES = 6
MAX_WORDS = 4
MAX_NAMED = 3
# Everyday words that say nothing about what a practice is: no reason on their own.
_EVERYDAY = """
    følgende mindst altid fast faste sikre sikrer mange mere meget flere flest god gode godt
    bedre bedst stor store større lille små ny nye første anden andre hele egen egne dag dage
    år tid gang gange hver hvert følge følger fulgt får give giver gøre gør bruge bruger
    arbejde arbejder job jobs måde måder del dele ting lav lave laver ske sker
"""
GENERIC = frozenset(_EVERYDAY.split())
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")

STATUS_TEXT = {
    FOLLOWERS_SCORE_LOWER: (
        "Anbefales ikke: indsatser, der følger den, har en lavere evidensscore end dem, der "
        "ikke gør."
    ),
}


class Stemmer(Protocol):
    def stem_all(self, words: Sequence[str]) -> list[str]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Reason:
    """The reason in its parts (the page shows the followers as links between them)."""

    fit: str
    followers: str
    strength: str
    yours: str

    @property
    def text(self) -> str:
        return " ".join(s for s in (self.fit, self.followers, self.strength, self.yours) if s)


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " og " + items[-1]


def _quoted(words: Iterable[str]) -> str:
    return _join([f'"{w}"' for w in words])


def _named(followers: Sequence[Follower], with_score: bool = True) -> str:
    """'"Titel" (Brønderslev, evidensscore 4,1)' for each, the first few by name."""
    parts = []
    for f in followers[:MAX_NAMED]:
        shown = with_score and f.evidence_score is not None
        score = f", evidensscore {format_decimal(f.evidence_score or 0.0)}" if shown else ""
        parts.append(f'"{f.title or f.initiative_id}" ({f.municipality}{score})')
    if len(followers) > MAX_NAMED:
        rest = len(followers) - MAX_NAMED
        parts.append(f"{rest} {'anden' if rest == 1 else 'andre'}")
    return _join(parts)


class ReasonWriter:
    """Built once per corpus: knows which words are too common to be a reason."""

    def __init__(
        self,
        stemmer: Stemmer,
        practices: Sequence[Practice],
        initiatives: Sequence[Initiative] = (),
        previous: ReasonWriter | None = None,
    ) -> None:
        """`previous`: the writer of the last corpus version, whose pages' words are kept
        for the pages whose text is unchanged (5,000 pages: 2.4 s for all of them)."""
        self.stemmer = stemmer
        self.generic = frozenset(stemmer.stem_all(sorted(GENERIC)))
        self.common = _common([self._stems(practice_core(p.text)) for p in practices])
        before = previous._by_text if previous is not None else {}
        self._by_text: dict[tuple[object, ...], dict[str, str]] = {}
        for item in initiatives:
            text = (item.title, item.target_groups, item.sections)
            known = before.get(text)
            self._by_text[text] = known if known is not None else self._page_words(item)
        self._pages = {
            i.id: self._by_text[(i.title, i.target_groups, i.sections)] for i in initiatives
        }
        self.common_on_pages = _common([set(words) for words in self._pages.values()])

    def _stems(self, text: str) -> set[str]:
        return set(self.stemmer.stem_all(_words(text)))

    def _page_words(self, item: Initiative) -> dict[str, str]:
        """stem -> the page's first spelling of it, over title, target groups and text."""
        text = " ".join([item.title, *item.target_groups, *(s.text for s in item.sections)])
        spelled = _words(text)
        return dict(reversed(list(zip(self.stemmer.stem_all(spelled), spelled, strict=True))))

    def situation_stems(self, units: Iterable[Unit]) -> frozenset[str]:
        """The description's words as the search reads them (`AnalysedQuery.units`: typos
        mended, each with the single words that say the same, "ordblinde" also
        "dysleksi"), without the everyday ones. Related concepts' words and the parts of
        phrases ("går" of "går ledig") are no reason on their own."""
        stems = {u.stem for u in units}
        stems |= {alt[0] for u in units for alt in u.alternatives if len(alt) == 1}
        return frozenset(stems) - self.generic

    @property
    def generic_words(self) -> frozenset[str]:
        """Everyday words, as written: never quoted as a reason on their own."""
        return GENERIC

    def matched_words(
        self, stems: frozenset[str], practice: Practice, situation: str = ""
    ) -> tuple[str, ...]:
        """The description's own words (as the consultant wrote them) whose stems the
        practice shares; without `situation`, the practice's spelling of them."""
        own = {s for w in _words(practice_core(practice.text)) for s in self.stemmer.stem_all([w])}
        shared = (own & stems) - self.common
        found: dict[str, None] = {}
        for word in _words(situation or practice_core(practice.text)):
            if self.stemmer.stem_all([word])[0] in shared:
                found.setdefault(word, None)
        return tuple(found)[:MAX_WORDS]

    def similar_pages(
        self, stems: frozenset[str], ids: Iterable[str]
    ) -> dict[str, tuple[str, ...]]:
        """Of the best search results `ids`, those that share a telling word with the
        description, with the words (as the page spells them)."""
        out: dict[str, tuple[str, ...]] = {}
        for initiative_id in ids:
            words = self._pages.get(initiative_id, {})
            shared = [w for s, w in words.items() if s in stems and s not in self.common_on_pages]
            if shared:
                out[initiative_id] = tuple(shared[:MAX_WORDS])
        return out

    def write(
        self,
        practice: Practice,
        verdict: Verdict,
        parts: tuple[str, str] | None,
        words: Sequence[str],
        yours: Level | None,
    ) -> Reason:
        """Why it fits, who follows it and how strong that is, and the jobcentre's answer."""
        return Reason(
            fit=_fit(parts, words),
            followers=_followers(verdict),
            strength=_strength(practice, verdict),
            yours=f"I har svaret {yours.label}." if yours is not None else "",
        )

    @staticmethod
    def status_text(verdict: Verdict) -> str:
        return STATUS_TEXT.get(verdict.status, "")


def _words(text: str) -> list[str]:
    return [
        w
        for w in (m.lower() for m in _WORD.findall(text))
        if len(w) >= 3 and w not in GENERIC and not is_everyday(w)
    ]


def _common(documents: Sequence[set[str]]) -> frozenset[str]:
    frequency: Counter[str] = Counter()
    for stems in documents:
        frequency.update(stems)
    # At least in three: in a tiny catalogue two documents sharing a word says little.
    limit = max(COMMON_SHARE * len(documents), 2)
    return frozenset(stem for stem, n in frequency.items() if n > limit)


def _fit(parts: tuple[str, str] | None, words: Sequence[str]) -> str:
    if parts is not None:
        situation, practice = parts
        return f'I skriver "{situation}"; praksissen handler om "{practice}".'
    if words:
        return f"Den passer til jeres beskrivelse, der nævner {_quoted(words)}."
    return "Den ligner jeres beskrivelse i betydning."


def _followers(verdict: Verdict) -> str:
    if verdict.full:
        sentence = f"Følges fuldt af {_named(verdict.full)}."
        if verdict.partial:
            sentence += f" Delvist af {_named(verdict.partial)}."
        return sentence
    if verdict.partial:  # nobody fully: the strength sentence says what that means
        return f"{_named(verdict.partial)} følger den delvist."
    return ""


def _strength(practice: Practice, verdict: Verdict) -> str:
    if verdict.support == FOLLOWED_BY_ALL:
        return "Alle indsatser, der svarer på den, følger den, så der er ingen at sammenligne med."
    if verdict.support in (NO_FULL_FOLLOWER, OUTSIDE_FILTERS):
        where = " inden for jeres afgrænsning" if verdict.support == OUTSIDE_FILTERS else ""
        return (
            f"Ingen indsats{where} følger den fuldt endnu, så der er ingen tal for, hvad den gør "
            "for evidensscoren; den er med, fordi den passer til jeres beskrivelse og står på "
            "den landsdækkende tjekliste."
        )
    if verdict.mean_full is None or verdict.mean_others is None:
        return ""
    sentence = (
        "Indsatser, der følger den fuldt, har i snit en evidensscore på "
        f"{format_decimal(verdict.mean_full)} mod {format_decimal(verdict.mean_others)} for "
        "dem, der ikke gør."
    )
    if verdict.units_full + verdict.units_others < FEW_JOBCENTRES:
        sentence += (
            f" Det bygger på få jobcentre ({verdict.units_full}, der følger den, og "
            f"{verdict.units_others}, der ikke gør), så forskellen er usikker."
        )
    if practice.test == "Evidenstest":
        sentence += (
            " Praksissen tæller selv med i evidensscoren, så en del af forskellen er givet på "
            "forhånd."
        )
    return sentence
