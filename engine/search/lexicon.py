"""Which words are real Danish or English words, and which language a query is in.

Spelling correction must know a real word it has not seen in the pages ("kylling" is not a
typo of anything) from a typo ("sygemelte"), and an English question needs English stop
words removed. Both need a lexicon: simplemma's word-form lists (788k Danish, 182k English
forms, MIT licence, from PyPI). Its dictionaries take 1.5 s and 250 MB to load, so the forms
are kept as two sorted arrays of 64-bit hashes (about 8 MB), derived once from the installed
simplemma and cached next to the exported models; a false positive needs a hash collision
among a million words (about one in ten million per lookup).
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path

import numpy as np
import numpy.typing as npt

from durable.files import atomic_write

log = logging.getLogger(__name__)
LANGUAGES = ("da", "en")
Hashes = npt.NDArray[np.uint64]


def _hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


def _hash_all(words: Iterable[str]) -> Hashes:
    return np.unique(np.fromiter((_hash(w) for w in words), dtype=np.uint64))


class Lexicon:
    def __init__(self, forms: dict[str, Hashes]) -> None:
        self._forms = forms

    @classmethod
    def from_words(cls, words: dict[str, Iterable[str]]) -> Lexicon:
        return cls({lang: _hash_all(ws) for lang, ws in words.items()})

    @classmethod
    def open(cls, cache_dir: Path) -> Lexicon:
        """The cached lexicon, derived from simplemma on first use (and again when the cached
        file is unreadable or simplemma changed); a cache that cannot be written is logged and
        the lexicon kept in memory only."""
        version = metadata.version("simplemma")
        path = cache_dir / f"lexicon-{'-'.join(LANGUAGES)}-simplemma-{version}.npz"
        try:
            with np.load(path, allow_pickle=False) as data:
                return cls({lang: np.asarray(data[lang], dtype=np.uint64) for lang in LANGUAGES})
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError) as exc:
            log.warning("rebuilding the word lexicon %s: %s", path, exc)
        lexicon = cls.from_words({lang: _simplemma_forms(lang) for lang in LANGUAGES})
        buffer = io.BytesIO()
        np.savez(buffer, da=lexicon._forms["da"], en=lexicon._forms["en"])
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            atomic_write(path, buffer.getvalue())
        except OSError as exc:
            log.warning("could not cache the word lexicon in %s: %s", cache_dir, exc)
        return lexicon

    def knows(self, word: str, lang: str | None = None) -> bool:
        """Whether `word` (lower case) is a form of the language (or of any language)."""
        key = np.uint64(_hash(word))
        for name, forms in self._forms.items():
            if lang in (None, name):
                at = int(np.searchsorted(forms, key))
                if at < len(forms) and forms[at] == key:
                    return True
        return False

    def language(self, words: Sequence[str]) -> str:
        """'en' when more words are English-only forms than Danish-only ones, else 'da': a
        short Danish query with one loan word stays Danish."""
        english = danish = 0
        for word in words:
            in_da, in_en = self.knows(word, "da"), self.knows(word, "en")
            english += in_en and not in_da
            danish += in_da and not in_en
        return "en" if english > danish else "da"


def _simplemma_forms(lang: str) -> Iterable[str]:
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    mapping = DefaultDictionaryFactory().get_dictionary(lang)
    for form, lemma in mapping.items():
        yield form if isinstance(form, str) else bytes(form).decode("utf-8")
        yield lemma if isinstance(lemma, str) else bytes(lemma).decode("utf-8")
