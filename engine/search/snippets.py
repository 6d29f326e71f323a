"""What a result shows of a matching passage, and which of the question's words it marks.

A snippet is read as a quotation, so it must read as one:
- it starts at a sentence that stands on its own: a passage that opens with "Samtidig ..."
  or "Med en sådan model ..." takes the sentence before it along (from the passage before,
  when the paragraph was split), `opens_mid_story` being the rule;
- it keeps a page's lines: a bullet list stays one bullet per line;
- it is at most `MAX_CHARS` of whole sentences, around the first one with a marked word.

Only words that tell something are marked (`Marker`): not stop words, not everyday Danish
("ved", "svært", "gerne", "følgende": frequent in the language at large, by the `wordfreq`
library, unless the employment field's thesaurus names them), and not words most pages of
this catalogue use ("borger", "ledige"), which would mark every card alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence

from engine.domain.text import EVERYDAY_ZIPF, DanishAnalyzer, opens_mid_story, zipf
from engine.search.analysis import AnalysedQuery

MAX_CHARS = 420
# `EVERYDAY_ZIPF` (engine/domain/text.py): "følgende" (5.2), "svært" (5.4), "gerne" (5.9) are
# everyday; the field's own words lie below ("løntilskud", "coaching", "ledige" 4.6).
# A word on more than half of the pages (and on at least three) tells one card from another
# nothing: "borger", "ledige", "samtaler" on the seeds.
COMMON_SHARE = 0.5
MIN_COMMON_PAGES = 3
MIN_STEM = 3
_BREAK = re.compile(r"(?<=[.!?])[ \t]+(?=[\"“”«(]?[A-ZÆØÅ0-9])|[ \t]*\n[ \t\n]*")


class Marker:
    """Per corpus version: which of a question's words are worth marking in its pages."""

    def __init__(
        self,
        words: DanishAnalyzer,
        page_frequency: Callable[[str], int],
        pages: int,
        variant: Callable[[str], str | None],
    ) -> None:
        self._words = words  # without stop words: the query's own words, as typed
        self._frequency = page_frequency
        self._pages = pages
        self._variant = variant

    def common(self, stem: str) -> bool:
        found = self._frequency(stem)
        return found >= MIN_COMMON_PAGES and found > COMMON_SHARE * self._pages

    def stems(self, query: AnalysedQuery) -> tuple[str, ...]:
        """The stems to mark: the question's telling words, mended as the search read them,
        with the pages' other inflection of each."""
        content = {unit.stem for unit in query.units}
        mended = dict(query.corrections)
        words = self._words.words(query.text)
        out: list[str] = []
        for word, stem in zip(words, self._words.stem_all(words), strict=True):
            stem = mended.get(word, stem)
            if stem not in content or stem in out or len(stem) < MIN_STEM:
                continue  # a stop word, a repeat, or too short to mark
            named = bool(query.expansion.groups_of(stem))
            if (zipf(word, query.language) >= EVERYDAY_ZIPF and not named) or self.common(stem):
                continue
            out.append(stem)
            other = self._variant(stem)
            if other and other not in out:
                out.append(other)
        return tuple(out)


def _pieces(text: str) -> list[tuple[str, str]]:
    """The sentences and lines of `text`, each with the break that follows it (" " or a
    newline, so that a list stays a list)."""
    out: list[tuple[str, str]] = []
    start = 0
    for found in _BREAK.finditer(text):
        piece = text[start : found.start()].strip()
        if piece:
            out.append((piece, "\n" if "\n" in found.group() else " "))
        start = found.end()
    if tail := text[start:].strip():
        out.append((tail, " "))
    return out


def snippet(
    text: str,
    before: str,
    marked: Collection[str],
    stems: Callable[[str], Sequence[str]],
    max_chars: int = MAX_CHARS,
) -> str:
    """Whole sentences of `text` (at most `max_chars` where it can) around the first one with
    a `marked` stem, opening with one that stands on its own; `before` is the passage just
    before it in the same section ("" when there is none), to lean on when `text` opens mid
    story. "… " and " …" say where text was left out."""
    own = _pieces(text)
    if not own:
        return ""
    lead = _pieces(before) if opens_mid_story(own[0][0]) else []
    pieces = lead + own
    first = len(lead)
    hit = next(
        (n for n in range(first, len(pieces)) if set(stems(pieces[n][0])) & set(marked)),
        first,
    )

    def size(a: int, b: int) -> int:
        return sum(len(p) + 1 for p, _ in pieces[a:b])

    start, end = hit, hit + 1
    while end < len(pieces) and size(start, end + 1) <= max_chars:
        end += 1
    while start > first and size(start - 1, end) <= max_chars:
        start -= 1
    while start > 0 and opens_mid_story(pieces[start][0]):
        start -= 1  # a sentence that leans on the one before takes it along
    while end > hit + 1 and size(start, end) > max_chars:
        end -= 1
    body = "".join(
        p + (sep if n < end - 1 else "") for n, (p, sep) in enumerate(pieces[start:end], start)
    )
    return f"{'… ' if start not in (0, first) else ''}{body}{' …' if end < len(pieces) else ''}"
