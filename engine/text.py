"""Danish text normalisation shared by the parser, the practice catalogue and search.

Pages are copied from a web site, so they carry line-break hyphens (`Arbejds-markedsbalancen`),
web-page button labels and mixed line endings. These helpers undo that in one place.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

_TRANSLIT = str.maketrans(
    {"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u", "ö": "oe", "ä": "ae"}
)
_WORD = re.compile(r"[0-9a-zæøåéüöä]+(?:-[0-9a-zæøåéüöä]+)*", re.IGNORECASE)


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF; a BOM and trailing spaces go; tabs become spaces."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\t", " ").replace("\u00a0", " ")
    return "\n".join(line.rstrip() for line in text.split("\n"))


def slugify(text: str, max_length: int = 60) -> str:
    """ASCII slug with Danish letters spelled out (æ→ae, ø→oe, å→aa), stable across runs."""
    text = unicodedata.normalize("NFC", text).lower().translate(_TRANSLIT)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug


def parse_decimal(text: str) -> float | None:
    """`2,2` or `2.2` → 2.2; anything else → None."""
    match = re.fullmatch(r"\s*(\d{1,2})(?:[,.](\d+))?\s*", text)
    if not match:
        return None
    whole, frac = match.groups()
    return float(f"{whole}.{frac or 0}")


def format_decimal(value: float) -> str:
    """2.5 → `2,5`: how a Danish reader expects a score."""
    return f"{value:.1f}".replace(".", ",")


def words(text: str) -> list[str]:
    """Lower-cased word tokens; hyphenated words stay whole (`it-værktøjer`)."""
    return [w.lower() for w in _WORD.findall(text)]


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("danish")


def stem_words(tokens: list[str]) -> list[str]:
    return list(_stemmer().stemWords(tokens))


def dehyphenate(text: str, vocabulary: frozenset[str]) -> str:
    """Join `Arbejds-markedsbalancen` → `Arbejdsmarkedsbalancen` where the joined word is known.

    A hyphen inside a word is either a line-break leftover or real Danish (`it-værktøjer`,
    `job-databaser`). Only the corpus can tell: if the joined form occurs elsewhere in it, the
    hyphen was a leftover. Suspended compounds (`læse-, skrive-`) end in a hyphen and are left.
    """

    def join(match: re.Match[str]) -> str:
        word = match.group(0)
        joined = word.replace("-", "")
        return joined if joined.lower() in vocabulary else word

    return re.sub(r"\w+(?:-\w+)+", join, text)
