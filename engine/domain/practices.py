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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from bm25s.stopwords import STOPWORDS_DANISH

from engine.domain.evidence import evidence_for
from engine.domain.models import Answer, Initiative, Level, Practice, PracticeAnswer, Test
from engine.domain.text import dehyphenate, slugify, stem_words, words

SIMILARITY_THRESHOLD = 0.7
TEST_PREFIX = {"Evidenstest": "ev", "God praksis test": "gp", "Test vedr. uddannelse": "ud"}
_LEVEL_ORDER = {Level.JA: 0, Level.DELVIST: 1, Level.NEJ: 2}
_STOP = frozenset(STOPWORDS_DANISH) | {"ikke"}
# What `dehyphenate` may join (its own pattern): the words a practice's text offers it.
_HYPHENATED = re.compile(r"\w+(?:-\w+)+")
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


@lru_cache(maxsize=1 << 16)
def practice_core(text: str) -> str:
    """What the practice is about, without how-many and the "Jobcenteret har ..." framing."""
    return re.sub(r"\s+", " ", _QUANTIFIER.sub(" ", _FRAMING.sub("", _clean(text)))).strip(" ,")


@lru_cache(maxsize=1 << 16)
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


class _Clustering:
    """The clusters so far, and for each (test, key) the clusters it may join, best first.

    A checklist has a few wordings that thousands of pages repeat, and the clusters change
    only when a wording is new to them; so the ranking of clusters for a key is worked out
    once per change of its test's clusters, and an answer only walks it to the first cluster
    its block is not in yet (at 5,000 pages the scan of every cluster per answer took 3 s).
    """

    def __init__(self) -> None:
        self.clusters: list[_Cluster] = []
        self._ranked: dict[tuple[str, frozenset[str]], list[tuple[float, int]]] = {}

    def place(self, label: str, key: frozenset[str], block_id: tuple[str, int]) -> _Cluster:
        ranked = self._ranked.get((label, key))
        if ranked is None:
            ranked = self._ranked[(label, key)] = sorted(
                ((c.best(key), n) for n, c in enumerate(self.clusters) if c.label == label),
                reverse=True,
            )
        # The best (score, position) among the clusters this block is not in yet.
        clusters, score, index = self.clusters, 0.0, -1
        for found, at in ranked:
            if block_id not in clusters[at].blocks:
                score, index = found, at
                break
        if score < SIMILARITY_THRESHOLD:
            self.clusters.append(_Cluster(label))
            index = len(self.clusters) - 1
            self._changed(label)
        cluster = self.clusters[index]
        if key not in cluster.keys:
            cluster.keys.append(key)
            self._changed(label)
        cluster.blocks.add(block_id)
        return cluster

    def _changed(self, label: str) -> None:
        for wanted in [k for k in self._ranked if k[0] == label]:
            del self._ranked[wanted]


def build_catalogue(
    initiatives: Sequence[Initiative],
) -> tuple[tuple[Initiative, ...], tuple[Practice, ...]]:
    """Assign every answer a practice id; return the updated pages and the catalogue.

    A page that already carries the ids it gets (the same page in the last catalogue) is
    returned as it is, so a catalogue built again after one page changed copies no other."""
    vocabulary = _Vocabulary(initiatives)
    clustering = _Clustering()
    entries = [
        (init, block, test, answer)
        for init in initiatives
        for block, test in enumerate(init.tests)
        for answer in test.answers
    ]
    entries.sort(key=lambda e: (_LEVEL_ORDER[e[3].level], e[0].id, e[1], e[3].text))
    for init, block, test, answer in entries:
        cluster = clustering.place(test.label, practice_key(answer.text), (init.id, block))
        cluster.members.append((init, test, answer))
    clusters = clustering.clusters
    wordings = [_wording(c.members) for c in clusters]
    vocabulary.look_up(w for text in wordings for w in _HYPHENATED.findall(text))
    texts = [dehyphenate(text, vocabulary) for text in wordings]
    ids = _assign_ids([(c.label, text) for c, text in zip(clusters, texts, strict=True)])
    answer_ids = {
        (id(init), id(answer)): pid
        for pid, cluster in zip(ids, clusters, strict=True)
        for init, _, answer in cluster.members
    }
    scores = {id(i): i.evidence_score for i in initiatives}
    practices = tuple(
        sorted(
            (
                _practice(pid, text, c, scores)
                for pid, text, c in zip(ids, texts, clusters, strict=True)
            ),
            key=lambda p: p.id,
        )
    )
    return tuple(_with_ids(init, answer_ids) for init in initiatives), practices


def same_catalogue(
    pages: Sequence[Initiative], before: Sequence[Initiative]
) -> tuple[Initiative, ...] | None:
    """`pages` with the practice ids they would get, if the catalogue built over `before`
    (pages with their ids) is theirs too: the same pages, each page new since answering as
    before (a change of a page's text, not of its checklists, municipality or scores).
    None when the catalogue must be built again."""
    old = {p.id: p for p in before}
    if len(old) != len(pages) or any(p.id not in old for p in pages):
        return None
    out = []
    for page in pages:
        known = old[page.id]
        if page is not known:
            if not _answers_alike(page, known):
                return None
            page = _ids_as(page, known)
        out.append(page)
    return tuple(out)


def _answers_alike(page: Initiative, known: Initiative) -> bool:
    def checklists(item: Initiative) -> object:
        return [
            (t.label, t.name, t.score, [(a.level, a.text) for a in t.answers]) for t in item.tests
        ]

    return (
        page.municipality == known.municipality
        and page.evidence_score == known.evidence_score
        and checklists(page) == checklists(known)
    )


def _ids_as(page: Initiative, known: Initiative) -> Initiative:
    tests = []
    for test, known_test in zip(page.tests, known.tests, strict=True):
        pairs = zip(test.answers, known_test.answers, strict=True)
        answers = tuple(replace(a, practice_id=k.practice_id) for a, k in pairs)
        tests.append(replace(test, answers=answers))
    return replace(page, tests=tuple(tests))


def _with_ids(init: Initiative, answer_ids: dict[tuple[int, int], str]) -> Initiative:
    """The page with each answer's practice id; the page itself if it has them already."""
    if all(a.practice_id == answer_ids[(id(init), id(a))] for _, a in init.answers()):
        return init
    return replace(
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


def _practice(
    practice_id: str, text: str, cluster: _Cluster, scores: dict[int, float | None]
) -> Practice:
    answers = tuple(
        PracticeAnswer(
            initiative_id=init.id,
            municipality=init.municipality,
            level=answer.level,
            test_score=test.score,
            evidence_score=scores[id(init)],
            text=answer.text,
        )
        for init, test, answer in sorted(
            cluster.members, key=lambda m: (m[0].municipality, m[0].id)
        )
    )
    return Practice(
        id=practice_id,
        text=text,
        test=cluster.label,
        answers=answers,
        evidence=evidence_for(answers),
    )


def _wording(members: Iterable[tuple[Initiative, Test, Answer]]) -> str:
    by_level: dict[Level, Counter[str]] = {level: Counter() for level in Level}
    for _, _, answer in members:
        by_level[answer.level][answer.text.strip().rstrip(".")] += 1
    for level in (Level.JA, Level.DELVIST, Level.NEJ):
        if by_level[level]:
            text = min(by_level[level].items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0]
            break
    return _as_ja(text)


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


class _Vocabulary:
    """Whether a word (without hyphens) is a word of the pages' sections or answers.

    Only the joined forms of the practices' own hyphenated words are ever asked about, so
    those are looked for in one pass over the texts (a substring test first, the tokens only
    where it is found) instead of listing every word of every page (5,000 pages: 2.4 s)."""

    def __init__(self, initiatives: Sequence[Initiative]) -> None:
        self._initiatives = initiatives
        self._known: dict[str, bool] = {}

    def look_up(self, hyphenated: Iterable[str]) -> None:
        """Find the joined forms of these words, all in one pass."""
        pending = {w.replace("-", "").lower() for w in hyphenated} - set(self._known)
        self._known.update(dict.fromkeys(pending, False))
        for text in self._texts():
            if not pending:
                break
            low = text.lower()
            for word in [w for w in pending if w in low and w in words(text)]:
                self._known[word] = True
                pending.discard(word)

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        if word not in self._known:
            self.look_up([word])
        return self._known[word]

    def _texts(self) -> Iterator[str]:
        for initiative in self._initiatives:
            yield from (s.text for s in initiative.sections)
            yield from (a.text for _, a in initiative.answers())
