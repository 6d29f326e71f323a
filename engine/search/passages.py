"""Passages: the units the search index retrieves and shows as `matches`.

A page is cut along its own structure (section paragraphs) so that a match can be shown as
the paragraph a consultant would quote. Long paragraphs are split at sentence boundaries to
stay inside what MiniLM reads (256 word pieces, ~180 for Danish text is safe). The title and
target groups form their own passage so a query naming the initiative or its target group
finds it even when no paragraph repeats those words. Test answers are not passages here: they
describe the jobcenter, not the initiative, and feed recommendations through their own index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from engine.domain.models import Corpus, Initiative

TITLE_SECTION = "Titel og målgrupper"
MAX_WORDS = 70
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+(?=[\"“”«(]?[A-ZÆØÅ0-9])|\n+")
_WS = re.compile(r"[ \t]+")


@dataclass(frozen=True, slots=True, kw_only=True)
class Passage:
    """One retrievable piece of a page. `text` is shown; `indexed_text` is embedded/indexed."""

    id: str
    initiative_id: str
    section: str
    text: str
    kind: str = "section"
    context: str = ""

    @property
    def indexed_text(self) -> str:
        """The paragraph with its title as context, so a bare "Vi oplever ..." is about
        something; the context is left out of what a consultant sees."""
        return f"{self.context}. {self.text}" if self.context else self.text

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "initiative_id": self.initiative_id,
            "section": self.section,
            "text": self.text,
            "kind": self.kind,
            "context": self.context,
        }


def split_long(text: str, max_words: int = MAX_WORDS) -> list[str]:
    """Split a paragraph into pieces of at most ~max_words words, at sentence boundaries.

    A single sentence longer than the limit is cut at word boundaries as a last resort.
    """
    if len(text.split()) <= max_words:
        return [text]
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]
    pieces: list[str] = []
    current: list[str] = []
    count = 0
    for sentence in sentences:
        words = sentence.split()
        if len(words) > max_words:
            if current:
                pieces.append(" ".join(current))
                current, count = [], 0
            pieces.extend(
                " ".join(words[i : i + max_words]) for i in range(0, len(words), max_words)
            )
            continue
        if count + len(words) > max_words and current:
            pieces.append(" ".join(current))
            current, count = [], 0
        current.append(sentence)
        count += len(words)
    if current:
        pieces.append(" ".join(current))
    return pieces


def _paragraphs(text: str) -> list[str]:
    """Paragraphs of a section; a lead-in line ending in ':' joins the list it introduces."""
    raw = [_WS.sub(" ", p).strip() for p in text.split("\n\n")]
    out: list[str] = []
    carry = ""
    for para in raw:
        if not para:
            continue
        if carry:
            para = f"{carry}\n{para}"
            carry = ""
        if para.endswith(":") and len(para.split()) <= 15:
            carry = para
            continue
        out.append(para)
    if carry:
        out.append(carry)
    return out


def title_text(initiative: Initiative) -> str:
    groups = ", ".join(initiative.target_groups)
    return f"{initiative.title}. Målgrupper: {groups}" if groups else initiative.title


def initiative_passages(initiative: Initiative, max_words: int = MAX_WORDS) -> list[Passage]:
    passages = [
        Passage(
            id=f"{initiative.id}#0",
            initiative_id=initiative.id,
            section=TITLE_SECTION,
            text=title_text(initiative),
            kind="title",
        )
    ]
    for section in initiative.sections:
        for para in _paragraphs(section.text):
            for piece in split_long(para, max_words):
                passages.append(
                    Passage(
                        id=f"{initiative.id}#{len(passages)}",
                        initiative_id=initiative.id,
                        section=section.name,
                        text=piece,
                        kind="section",
                        context=initiative.title,
                    )
                )
    return passages


def corpus_passages(corpus: Corpus | Iterable[Initiative]) -> list[Passage]:
    """All passages of a corpus, in a stable order (by initiative id, then page order)."""
    initiatives = corpus.initiatives if isinstance(corpus, Corpus) else tuple(corpus)
    out: list[Passage] = []
    for initiative in sorted(initiatives, key=lambda i: i.id):
        out.extend(initiative_passages(initiative))
    return out
