"""The practice catalogue: one checklist item, recognised across its wordings and pages.

Each page words a practice by its answer: Ja "Mindst 9 ud af 10 borgere får samtaler hver 2.
uge", Nej "Færre end 7 ud af 10 borgere får samtaler hver 2. uge"; some Nej items are
rephrased more freely. Without one id per practice no statistic over practices means anything.

How answers are matched:
1. Each answer is reduced to a *key*: lower-cased, line-break hyphens removed, the quantifier
   ("mindst 9 ud af 10", "færre end 7 ud af 10"), the framing ("Jobcenteret har (ikke) en fast
   praksis, der sikrer at") and negations dropped, stop words removed, the rest stemmed with
   the Danish Snowball stemmer. Identical keys are one practice.
2. Otherwise an answer joins the practice whose member keys it overlaps most, by Jaccard
   similarity of the stem sets, if that is at least `SIMILARITY_THRESHOLD`. The threshold sits
   near the middle of the gap measured on the seeds (`tests/engine/test_practices.py` checks
   it): distinct wordings of one practice score 0.92 or more, the closest two different
   practices ("15 minutters forberedelsestid" vs "30 minutter til samtalen") score 0.50.
3. Two answers from the same test block are never one practice: a page lists each item once.
Ja answers are placed first, so the Ja wording (which reads best) names the practice.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from bm25s.stopwords import STOPWORDS_DANISH

from engine.domain.evidence import evidence_for
from engine.domain.models import Answer, Initiative, Level, Practice, PracticeAnswer, Test
from engine.domain.text import dehyphenate, slugify, stem_words, words

SIMILARITY_THRESHOLD = 0.7
TEST_PREFIX = {"Evidenstest": "ev", "God praksis test": "gp", "Test vedr. uddannelse": "ud"}
_LEVEL_ORDER = {Level.JA: 0, Level.DELVIST: 1, Level.NEJ: 2}
_STOP = frozenset(STOPWORDS_DANISH) | {"ikke"}
_QUANTIFIER = re.compile(r"\b(?:i )?(?:mindst|færre end) \d+ ud af 10\b")
_FRAMING = re.compile(
    r"^(?:jobcenteret|jobcentret|vi)(?: har)?(?: ikke)?(?: en)? fast(?:e)? "
    r"(?:praksis|arbejdsgange),? (?:der|som) sikrer,? at,? "
)
_TYPOS = (
    (re.compile(r"^jobcenteret en fast"), "jobcenteret har en fast"),
    (re.compile(r"\bjobcentret\b"), "jobcenteret"),
)


def _clean(text: str) -> str:
    low = re.sub(r"(?<=\w)-(?=\w)", "", text.lower()).strip().rstrip(".")
    for pattern, fixed in _TYPOS:
        low = pattern.sub(fixed, low)
    return re.sub(r"\s+", " ", low)


def practice_core(text: str) -> str:
    """What the practice is about, without how-many and the "Jobcenteret har ..." framing."""
    return re.sub(r"\s+", " ", _QUANTIFIER.sub(" ", _FRAMING.sub("", _clean(text)))).strip(" ,")


def practice_key(text: str) -> frozenset[str]:
    """The stems that say *what* the practice is, with how-many and yes/no taken out."""
    return frozenset(stem_words([w for w in words(practice_core(text)) if w not in _STOP]))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


@dataclass
class _Cluster:
    label: str
    keys: list[frozenset[str]] = field(default_factory=list)
    blocks: set[tuple[str, int]] = field(default_factory=set)
    members: list[tuple[Initiative, Test, Answer]] = field(default_factory=list)

    def best(self, key: frozenset[str]) -> float:
        return max(similarity(key, k) for k in self.keys)


def build_catalogue(
    initiatives: Sequence[Initiative],
) -> tuple[tuple[Initiative, ...], tuple[Practice, ...]]:
    """Assign every answer a practice id; return the updated pages and the catalogue."""
    vocabulary = frozenset(w for i in initiatives for w in _vocabulary(i))
    clusters: list[_Cluster] = []
    entries = [
        (init, block, test, answer)
        for init in initiatives
        for block, test in enumerate(init.tests)
        for answer in test.answers
    ]
    entries.sort(key=lambda e: (_LEVEL_ORDER[e[3].level], e[0].id, e[1], e[3].text))
    for init, block, test, answer in entries:
        key = practice_key(answer.text)
        block_id = (init.id, block)
        candidates = [
            (c.best(key), n)
            for n, c in enumerate(clusters)
            if c.label == test.label and block_id not in c.blocks
        ]
        score, index = max(candidates, default=(0.0, -1))
        if score < SIMILARITY_THRESHOLD:
            clusters.append(_Cluster(test.label))
            index = len(clusters) - 1
        cluster = clusters[index]
        if key not in cluster.keys:
            cluster.keys.append(key)
        cluster.blocks.add(block_id)
        cluster.members.append((init, test, answer))

    ids = _assign_ids([(c.label, canonical_text(c.members, vocabulary)) for c in clusters])
    answer_ids = {
        (id(init), id(answer)): pid
        for pid, cluster in zip(ids, clusters, strict=True)
        for init, _, answer in cluster.members
    }
    practices = tuple(
        sorted(
            (
                _practice(pid, canonical_text(c.members, vocabulary), c)
                for pid, c in zip(ids, clusters, strict=True)
            ),
            key=lambda p: p.id,
        )
    )
    updated = tuple(
        replace(
            init,
            tests=tuple(
                replace(
                    test,
                    answers=tuple(
                        replace(a, practice_id=answer_ids[(id(init), id(a))]) for a in test.answers
                    ),
                )
                for test in init.tests
            ),
        )
        for init in initiatives
    )
    return updated, practices


def _practice(practice_id: str, text: str, cluster: _Cluster) -> Practice:
    answers = tuple(
        PracticeAnswer(
            initiative_id=init.id,
            municipality=init.municipality,
            level=answer.level,
            test_score=test.score,
            evidence_score=init.evidence_score,
            text=answer.text,
        )
        for init, test, answer in sorted(
            cluster.members, key=lambda m: (m[0].municipality, m[0].id)
        )
    )
    return Practice(practice_id, text, cluster.label, answers, evidence_for(answers))


def canonical_text(
    members: Iterable[tuple[Initiative, Test, Answer]], vocabulary: frozenset[str]
) -> str:
    """The most common Ja wording; without one, a Delvist or Nej wording turned into Ja form."""
    by_level: dict[Level, Counter[str]] = {level: Counter() for level in Level}
    for _, _, answer in members:
        by_level[answer.level][answer.text.strip().rstrip(".")] += 1
    for level in (Level.JA, Level.DELVIST, Level.NEJ):
        if by_level[level]:
            text = min(by_level[level].items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0]
            break
    text = _as_ja(text)
    return dehyphenate(text, vocabulary)


def _as_ja(text: str) -> str:
    text = re.sub(
        r"\b([Ff])ærre end 7 ud af 10",
        lambda m: ("M" if m.group(1) == "F" else "m") + "indst 9 ud af 10",
        text,
    )
    text = re.sub(r"\bmindst 7 ud af 10", "mindst 9 ud af 10", text)
    text = re.sub(r"\bMindst 7 ud af 10", "Mindst 9 ud af 10", text)
    text = re.sub(r"\bhar ikke (en |faste )", r"har \1", text)
    return re.sub(r"^Jobcenteret en fast", "Jobcenteret har en fast", text)


def _assign_ids(items: list[tuple[str, str]]) -> list[str]:
    """Readable ids from the test and the practice's own words; stable for a given text."""
    seen: Counter[str] = Counter()
    out = []
    for label, text in items:
        base = f"{TEST_PREFIX.get(label, slugify(label, 12))}-{slugify(practice_core(text), 56)}"
        seen[base] += 1
        out.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return out


def _vocabulary(initiative: Initiative) -> set[str]:
    texts = [s.text for s in initiative.sections] + [a.text for _, a in initiative.answers()]
    return {w for t in texts for w in words(t) if "-" not in w}
