"""What the `Engine` answers that is not a record of a layer below: a page of the listing,
what a PUT did, a query of a batch that failed.

Apart from `engine.py` so that the entry points can name these without the Engine's
machinery, and the Engine stays a short read.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.models import Initiative


@dataclass(frozen=True, slots=True)
class InitiativePage:
    total: int
    items: tuple[Initiative, ...]


@dataclass(frozen=True, slots=True)
class Put:
    """A page as a PUT left it, and whether the PUT created it (there was none to replace)."""

    page: Initiative
    created: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryFailure:
    """A query of a batch that could not be answered; the others still are."""

    query: str
    code: str
    message: str
    field: str | None = None
