"""SYNTHETIC corpora for the scale benchmark: recombined sections of the real seed pages.

Embedding 100k real, distinct initiatives (~0.6M passages) would take hours on two cores, so
the synthetic corpus is built from a bounded pool of *variants*:

- a variant is a page whose sections are each taken from a randomly chosen seed page, with a
  title "<seed title> (syntetisk variant v)", target groups and test blocks of seeds;
- initiative n is variant n % V published by "Syntetisk kommune k" (k = n // V), with the
  marker "[kopi k]" in its title, so every initiative and passage text is distinct.

Passage vectors: the variant's text (without the marker) is embedded with the real model once;
each copy gets that vector mixed with the real vector of another variant passage chosen by a
hash of its own text: normalise(v + MIX * v_other), cosine ~0.9 to the variant's vector, the
way municipalities rephrase a shared initiative towards their own wording. (Gaussian jitter
was tried first: it makes each variant a tight island of ~N/V near-identical points, more
than HNSW keeps links for, which no real corpus looks like.) Only the copies' vectors are
synthetic; queries are embedded by the real model, the lexical index reads the real
recombined text, and everything else is the production pipeline.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from engine.domain.models import Corpus, Initiative
from engine.domain.text import slugify
from engine.embedding.base import Embedder, Vectors, normalise

COPY_MARKER = re.compile(r" \[kopi \d+\]")
MIX = 0.5  # weight of the other real passage vector in a copy's vector


def variants(seeds: Sequence[Initiative], count: int, seed: int = 7) -> list[Initiative]:
    section_names = list(dict.fromkeys(s.name for page in seeds for s in page.sections))
    out = []
    for v in range(count):
        rng = random.Random(seed * 1_000_003 + v)
        base = rng.choice(seeds)
        sections = []
        for name in section_names:
            donors = [s for page in seeds for s in page.sections if s.name == name and s.text]
            if donors and rng.random() < 0.6:
                sections.append(rng.choice(donors))
        if not sections:
            sections.append(rng.choice(base.sections))
        groups = sorted({g for page in rng.sample(list(seeds), 2) for g in page.target_groups})
        title = f"{base.title} (syntetisk variant {v})"
        out.append(
            replace(
                base,
                id=f"{slugify(base.municipality, 40)}-{slugify(title, 100)}",
                title=title,
                target_groups=tuple(groups[: rng.randint(1, max(1, len(groups)))]),
                sections=tuple(sections),
                tests=rng.choice(seeds).tests,
                source=f"synthetic:variant-{v}",
            )
        )
    return out


def synthetic_corpus(seeds: Corpus, n: int, pool: int) -> Corpus:
    """`n` initiatives from `pool` variants, each (municipality, title) pair unique.

    The practice catalogue is built over the variants only (answers of a copy carry its
    variant's practice ids): `build_catalogue` costs ~5 ms per page, which at 100k pages would
    dominate this benchmark; the report measures that cost on its own.
    """
    from engine.domain.corpus import corpus_from_initiatives

    pool = min(pool, n)
    catalogued = corpus_from_initiatives(variants(seeds.initiatives, pool))
    base = sorted(catalogued.initiatives, key=lambda i: int(i.source.rsplit("-", 1)[1]))
    out = []
    for i in range(n):
        v, k = i % pool, i // pool
        variant = base[v]
        municipality = f"Syntetisk kommune {k}"
        title = f"{variant.title} [kopi {k}]"
        out.append(
            replace(
                variant,
                id=f"{slugify(municipality, 40)}-{slugify(title, 100)}",
                municipality=municipality,
                title=title,
                source=f"synthetic:{i}",
            )
        )
    return Corpus(initiatives=tuple(out), practices=catalogued.practices)


class PooledEmbedder(Embedder):
    """Real vectors for the variants' texts, mixed copies for their "[kopi k]" twins.

    A text without the marker (every query, every seed passage) gets the real model's vector
    untouched. The identity differs from the real model's, so such an index is never mistaken
    for a real one. `prepare(texts)` embeds the variant texts up front; they are also the
    pool the mixing partners come from.
    """

    def __init__(self, real: Embedder) -> None:
        super().__init__(real.name, real.dimension, batch_size=256, query_cache_size=0)
        self.real = real
        self._pool: dict[str, Vectors] = {}
        self._partners: Vectors = np.zeros((0, real.dimension), dtype=np.float32)
        self.embedded = 0

    @property
    def identity(self) -> str:
        return f"{self.real.identity}|synthetic-mix={MIX}"

    def prepare(self, texts: Sequence[str]) -> None:
        self._ensure(texts)
        self._partners = np.stack([self._pool[t] for t in dict.fromkeys(texts)])

    def _ensure(self, bases: Sequence[str]) -> None:
        missing = list(dict.fromkeys(b for b in bases if b not in self._pool))
        if missing:
            vectors = self.real.embed_passages(missing)
            self.embedded += len(missing)
            self._pool.update(zip(missing, vectors, strict=True))

    def embed_batch(self, texts: Sequence[str]) -> Vectors:
        bases = [COPY_MARKER.sub("", t) for t in texts]
        self._ensure(bases)
        out = np.stack([self._pool[b] for b in bases]).astype(np.float32)
        partners = self._partners if len(self._partners) else out
        for row, (text, base) in enumerate(zip(texts, bases, strict=True)):
            if text != base:
                digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
                other = int.from_bytes(digest, "little") % len(partners)
                out[row] += MIX * partners[other]
        return normalise(out)
