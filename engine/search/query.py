"""What a search asks for, and the one place its input is checked.

`InitiativeFilter` is the filter rule: the searcher applies it before ranking, the engine's
listing applies it to the whole corpus, so a filter means the same everywhere.
`validate_text` is the rule for free text (queries and situations alike), `batch_size`
the rule for how much one batch of searches may ask.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass
from typing import Literal

from engine.domain.models import MAX_SCORE, Initiative
from engine.shared.errors import InvalidInputError, PayloadTooLargeError

Mode = Literal["hybrid", "dense", "lexical"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "lexical")
MAX_K = 100
MAX_MATCHES = 20
# "Alle ledige" pages serve every duration group beneath it (a group -> the groups above it).
HIERARCHY = {
    "længerevarende ledige": ("alle ledige",),
    "korterevarende ledige": ("alle ledige",),
}


def fold(text: str) -> str:
    """A filter value as it compares: case and runs of white space do not count."""
    return " ".join(text.casefold().split())


def same_municipality(one: str, other: str) -> bool:
    """The one rule for whether two names are the same municipality, wherever pages are
    filtered, counted or taken as the jobcentre's own: "brønderslev" is "Brønderslev"."""
    return fold(one) == fold(other)


def serves_target_group(initiative: Initiative, wanted: str) -> bool:
    """Case-insensitive; a page for "Alle ledige" also serves each duration group."""
    groups = {fold(g) for g in initiative.target_groups}
    want = fold(wanted)
    return want in groups or any(parent in groups for parent in HIERARCHY.get(want, ()))


@dataclass(frozen=True, slots=True)
class InitiativeFilter:
    """Which pages may answer: target group (with its hierarchy), municipality (any case),
    minimum Evidenstest score. Empty fields do not filter."""

    target_group: str | None = None
    municipality: str | None = None
    min_evidence: float | None = None

    @property
    def active(self) -> bool:
        return bool(self.target_group or self.municipality or self.min_evidence is not None)

    def accepts(self, item: Initiative) -> bool:
        if self.municipality and not same_municipality(item.municipality, self.municipality):
            return False
        if self.target_group and not serves_target_group(item, self.target_group):
            return False
        if self.min_evidence is not None:
            score = item.evidence_score
            if score is None or score < self.min_evidence:
                return False
        return True


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What one search asks: the text, then everything else by name (as `RecommendRequest`)."""

    text: str
    _: KW_ONLY
    k: int = 5
    offset: int = 0
    mode: str = "hybrid"
    target_group: str | None = None
    municipality: str | None = None
    min_evidence: float | None = None
    max_matches: int = 3

    @property
    def filter(self) -> InitiativeFilter:
        return InitiativeFilter(self.target_group, self.municipality, self.min_evidence)


def require_unicode(text: str, name: str, field: str = "") -> str:
    """Refuse text that cannot be written as UTF-8: a lone UTF-16 surrogate sent as a JSON
    escape (`"\\ud800"`), or invalid UTF-8 on the command line, which Python hands over as
    surrogate escapes. Either would fail later, when an answer or a log line echoes it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInputError(
            f"{name} er ikke gyldig Unicode-tekst: tegn nr. {exc.start + 1} kan ikke skrives som "
            "UTF-8 (et enligt surrogattegn eller ugyldige bytes). Send teksten som UTF-8.",
            field,
        ) from None
    return text


def shown_text(text: str) -> str:
    """`text` as it can be echoed in an answer: a lone surrogate becomes U+FFFD."""
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def validate_text(text: str, limit: int, name: str = "Søgeteksten", field: str = "text") -> str:
    """The rule for free text: something to search for, at most `limit` characters as
    given, in valid Unicode. Returns the text with its white space tidied."""
    require_unicode(text, name, field)
    tidy = " ".join(text.split())
    if not tidy:
        raise InvalidInputError(f"{name} er tom; skriv hvad du leder efter.", field)
    if len(text) > limit:
        raise InvalidInputError(
            f"{name} er {len(text)} tegn; højst {limit} er tilladt. Forkort teksten.", field
        )
    return tidy


def validate_k(k: int) -> int:
    if not 1 <= k <= MAX_K:
        raise InvalidInputError(f"k skal være mellem 1 og {MAX_K}, ikke {k}.", "k")
    return k


def validate_query(query: SearchQuery, max_query_chars: int) -> SearchQuery:
    """Check a query up front; errors say what to do. Returns it tidied."""
    text = validate_text(query.text, max_query_chars)
    require_unicode(query.target_group or "", "Målgruppen", "target_group")
    require_unicode(query.municipality or "", "Kommunen", "municipality")
    if query.mode not in MODES:
        raise InvalidInputError(
            f"Ukendt søgetilstand '{query.mode}'; brug en af: {', '.join(MODES)}.", "mode"
        )
    validate_k(query.k)
    if query.offset < 0:
        raise InvalidInputError(f"offset skal være 0 eller større, ikke {query.offset}.", "offset")
    if query.min_evidence is not None and not 0.0 <= query.min_evidence <= MAX_SCORE:
        raise InvalidInputError(
            f"min_evidence skal være mellem 0 og {MAX_SCORE:g}, ikke {query.min_evidence}.",
            "min_evidence",
        )
    if not 1 <= query.max_matches <= MAX_MATCHES:
        raise InvalidInputError(f"max_matches skal være mellem 1 og {MAX_MATCHES}.", "max_matches")
    return SearchQuery(
        text,
        k=query.k,
        offset=query.offset,
        mode=query.mode,
        target_group=(query.target_group or "").strip() or None,
        municipality=(query.municipality or "").strip() or None,
        min_evidence=query.min_evidence,
        max_matches=query.max_matches,
    )


def batch_size(queries: Sequence[SearchQuery], max_chars: int) -> int:
    """The characters a batch asks to search, the measure of its work (a 2,000-character
    query costs about 20 times a short one); `PayloadTooLargeError` above `max_chars`: 100
    queries of 2,000 characters took ~12 CPU-seconds in one request."""
    size = sum(len(q.text) for q in queries)
    if size > max_chars:
        raise PayloadTooLargeError(
            f"De {len(queries)} søgetekster fylder {size} tegn tilsammen; højst {max_chars} "
            "tegn pr. kald. Del dem op i flere kald."
        )
    return size
