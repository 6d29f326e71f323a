"""Danish text: normalisation, words and stems, shared by the parser, the catalogue and search.

Pages are copied from a web site, so they carry line-break hyphens (`Arbejds-markedsbalancen`),
web-page button labels and mixed line endings. These helpers undo that in one place.

There are two word splitters because they serve two readers: `words` keeps a hyphenated word
whole (`it-værktøjer`), which the practice keys and the de-hyphenation need; the
`DanishAnalyzer` yields index terms (a hyphenated word gives its parts and the whole, stop
words go), which BM25 and the thesaurus need. Both stem through the one `DanishAnalyzer`
stemmer, which is locked: Snowball stemmers are not thread-safe and requests share them.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections.abc import Container, Iterable, Sequence
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_DANISH

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
    """ASCII slug with Danish letters spelled out (æ→ae, ø→oe, å→aa), stable across runs.

    A text with nothing a slug can hold ("😀😀😀", "!!! ???", Greek) gets a short digest of
    itself instead: such titles all got the id `hedensted-`, so the second was a conflict
    with the first and the id ended in a hyphen."""
    text = unicodedata.normalize("NFC", text)
    folded = text.lower().translate(_TRANSLIT)
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if not slug:
        return "x" + hashlib.sha256(text.strip().encode("utf-8", "replace")).hexdigest()[:10]
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


def stem_words(tokens: Sequence[str]) -> list[str]:
    return _shared_analyzer().stem_all(tokens)


def dehyphenate(text: str, vocabulary: Container[str]) -> str:
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


_TERM = re.compile(r"[0-9a-zæøåäöüé§]+(?:[-.][0-9a-zæøåäöüé]+)*")
_TERM_PARTS = re.compile(r"[-.]")
STOPWORDS = frozenset(STOPWORDS_DANISH) | frozenset({"mv", "fx", "f.eks", "bl.a", "m.m"})
# Words at least this common in everyday Danish (wordfreq's Zipf scale: 5 is once in 100,000
# words; "kommer" 6.1, "måned" 5.0, "rådgiver" 4.3, "løntilskud" below 1) say nothing about
# one practice or passage more than another: never a reason or a highlight on their own.
EVERYDAY_ZIPF = 5.0


@lru_cache(maxsize=65536)
def zipf(word: str, language: str = "da") -> float:
    """How common `word` is in the language at large (wordfreq's Zipf scale)."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word.lower(), language))


def is_everyday(word: str, language: str = "da") -> bool:
    """A stop word, or a word of everyday language (`EVERYDAY_ZIPF`)."""
    return word.lower() in STOPWORDS or zipf(word, language) >= EVERYDAY_ZIPF


def fold(text: str) -> str:
    """Lowercase, NFKC, and soft hyphens removed: how an index term is spelled."""
    text = unicodedata.normalize("NFKC", text).lower()
    return text.replace("\u00ad", "")


# Stems the Danish Snowball stemmer gives to words of unrelated meaning, among the
# employment field's commonest words: "ledig", "ledighed" (unemployed), "leder", "ledelse"
# (manager, management) and "lede efter" (look for) all become "led"; "billig" (cheap) becomes
# "bil" (car). A word with such a stem gets the stem of the first prefix it starts with.
STEM_SPLITS: dict[str, tuple[tuple[str, str], ...]] = {
    "led": (("ledig", "ledig"), ("ledels", "ledels"), ("lede", "leder")),
    "bil": (("billig", "billig"),),
}


def _split(word: str, stem: str) -> str:
    for prefix, own in STEM_SPLITS.get(stem, ()):
        if word.startswith(prefix):
            return own
    return stem


class DanishAnalyzer:
    """Text -> index terms (Danish Snowball stems without stop words); safe across threads."""

    def __init__(self, stopwords: Iterable[str] = STOPWORDS) -> None:
        self._stemmer = Stemmer.Stemmer("danish")
        self._lock = threading.Lock()
        self.stopwords = frozenset(stopwords)

    def words(self, text: str) -> list[str]:
        """Surface words without stop words; a hyphenated word yields its parts and the whole."""
        out: list[str] = []
        stop = self.stopwords
        # findall and a substring test instead of a match object and a regex per word: this
        # runs over every passage at build time and is most of the lexical build.
        for token in _TERM.findall(fold(text)):
            if "-" in token or "." in token:
                parts = [p for p in _TERM_PARTS.split(token) if p]
                out.extend(p for p in parts if p not in stop)
                token = "".join(parts)
            if token not in stop:
                out.append(token)
        return out

    def stem_all(self, words: Sequence[str]) -> list[str]:
        with self._lock:
            stems = self._stemmer.stemWords(list(words))
        return [_split(w, s) if s in STEM_SPLITS else s for w, s in zip(words, stems, strict=True)]

    def stems(self, text: str) -> list[str]:
        return self.stem_all(self.words(text))


# Words that make a passage lean on the one before it: a pointing word among the first four
# ("Med en sådan model", "Dette betyder"), or a sentence that opens with a linking adverb or
# conjunction ("Samtidig ...", "Bagefter ...", "Men ..."). Danish grammar, not the pages.
_BACK = re.compile(
    r"\b(sådan\w*|dette|denne|disse|derved|dermed|hermed|herved|således|eksempelvis|"
    r"fx|f\.eks)\b",
    re.IGNORECASE,
)
_LINKING = frozenset(
    [
        "samtidig",
        "samtidigt",
        "bagefter",
        "derefter",
        "dernæst",
        "herefter",
        "senere",
        "endelig",
        "afslutningsvis",
        "desuden",
        "derudover",
        "herudover",
        "endvidere",
        "ydermere",
        "ligeledes",
        "tilsvarende",
        "også",
        "derfor",
        "følgelig",
        "altså",
        "dog",
        "imidlertid",
        "alligevel",
        "ellers",
        "derimod",
        "tværtimod",
        "omvendt",
        "heller",
        "og",
        "men",
        "eller",
        "så",
    ]
)


def points_back(text: str) -> bool:
    """A paragraph whose first words point back to the one before it ("Med en sådan ...")."""
    return bool(_BACK.search(" ".join(text.split()[:4])))


def opens_mid_story(sentence: str) -> bool:
    """A sentence that cannot open a quotation: it points back or links to what came before."""
    first = sentence.split(maxsplit=1)[:1]
    word = first[0].strip(",.:;").casefold() if first else ""
    return word in _LINKING or points_back(sentence)


@lru_cache(maxsize=1)
def _shared_analyzer() -> DanishAnalyzer:
    return DanishAnalyzer()
