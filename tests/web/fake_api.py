"""A small stand-in for the `/v1` JSON API, in the shapes of docs/ARCHITECTURE.md.

The browser tests of the real app cover the normal paths; this app exists for what the real
one cannot be made to do on demand: hold a request open (to see the busy indicator), fail
with a chosen status (to see the error states) and return nothing (to see the no-results
state). Its data comes from the real seed corpus and parser, its ranking is a plain word
count, which is enough to drive the page.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Body, FastAPI, Query
from fastapi.responses import JSONResponse

from api.corpus import InitiativeDetail, InitiativeSummary, PracticeSummary
from api.errors import PROBLEM_JSON, problem
from api.models import FieldError, to_json
from api.vocabulary import CHECKLISTS
from api.web import mount_web
from engine.domain.corpus import load_corpus
from engine.domain.models import Corpus, Initiative, Level
from engine.domain.text import DanishAnalyzer, stem_words, words
from engine.search.facets import resolve_filter
from engine.search.query import InitiativeFilter, same_municipality
from engine.search.snippets import snippet
from engine.shared.errors import NotFoundError, UnknownValueError
from engine.shared.settings import Settings


@dataclass
class Controls:
    """What a test can change on the running fake: failures, a gate, and the calls seen."""

    fail: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    gate: threading.Event = field(default_factory=threading.Event)
    hold: bool = False
    max_k: int | None = None  # serve fewer results per page than asked, to page with few seeds
    no_good_match: bool = False  # answer as the engine does for an off-topic question
    starting: bool = False  # answer every data call as the API does while the engine loads
    followers: int = 0  # give every practice this many full followers (a compact list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def reset(self) -> None:
        self.fail.clear()
        self.hold = False
        self.max_k = None
        self.no_good_match = False
        self.starting = False
        self.followers = 0
        self.gate.set()
        self.calls.clear()


def _error(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    errors = [FieldError(field=field, message=message)] if field else []
    found = problem(code, message, None, errors, status=status)
    return JSONResponse(to_json(found), status_code=status, media_type=PROBLEM_JSON)


def _stems(text: str) -> set[str]:
    return set(stem_words(words(text)))


ANALYZER = DanishAnalyzer()  # the engine's: stems without stop words


def stem_text(text: str) -> list[str]:
    return ANALYZER.stems(text)


def _search(corpus: Corpus, q: str, filters: dict[str, Any]) -> list[dict[str, Any]]:
    wanted = _stems(q)
    allowed = InitiativeFilter(**filters)  # the engine's filter rule, not a copy of it
    scored: list[tuple[float, dict[str, Any]]] = []
    for item in corpus.initiatives:
        if not allowed.accepts(item):
            continue
        matches: list[tuple[int, dict[str, Any]]] = []
        for section in item.sections:
            for paragraph in section.paragraphs:
                hits = len(wanted & _stems(paragraph))
                if hits:
                    shown = snippet(paragraph, "", wanted, stem_text)
                    matches.append(
                        (hits, {"section": section.name, "text": paragraph, "snippet": shown})
                    )
        score = len(wanted & _stems(item.title)) + sum(h for h, _ in matches) / 100
        if score:
            matches.sort(key=lambda m: -m[0])
            summary = to_json(InitiativeSummary.of(item))
            del summary["updated_at"], summary["added_at"]
            match = round(min(1.0, score / 3), 3)
            result = {**summary, "match": match, "passages": [m for _, m in matches[:3]]}
            scored.append((score, result))
    scored.sort(key=lambda pair: -pair[0])
    return [{"rank": n, **result} for n, (_, result) in enumerate(scored, start=1)]


def _recommend(corpus: Corpus, body: dict[str, Any], followers_wanted: int = 0) -> dict[str, Any]:
    """Practices by shared words (a plain stand-in for the calibrated fit), every one
    recommended; `followers_wanted` pads each one's full followers with made-up pages."""
    situation, own, k = body["situation"], body.get("own_municipality"), body.get("k", 5)
    answers = body.get("answers") or {}
    allowed = InitiativeFilter(
        body.get("target_group"), body.get("municipality"), body.get("min_evidence")
    )
    wanted = _stems(situation)
    by_id = {i.id: i for i in corpus.initiatives}
    practices: list[dict[str, Any]] = []
    for practice in corpus.practices:
        relevance = len(wanted & _stems(practice.text))
        own_answer = next(
            (
                a.level.value
                for a in practice.answers
                if own and same_municipality(a.municipality, own)
            ),
            None,
        )
        own_answer = answers.get(practice.id, own_answer)
        if own_answer == "ja":
            continue
        followers: list[dict[str, Any]] = [
            {
                "municipality": a.municipality,
                "initiative_id": a.initiative_id,
                "title": by_id[a.initiative_id].title,
                "answer": a.level.value,
                "evidence_score": by_id[a.initiative_id].evidence_score,
            }
            for a in practice.answers
            if a.level.value != "nej" and allowed.accepts(by_id[a.initiative_id])
        ]
        followers += [
            {
                "municipality": f"Kommune {n}",
                "initiative_id": f"eksempel-{n}",
                "title": f"Eksempelindsats {n}",
                "answer": "ja",
                "evidence_score": round(4.5 - n / 10, 1),
            }
            for n in range(len(followers), followers_wanted)
        ]
        full = [f for f in followers if f["answer"] == "ja"]
        if not relevance:  # only what fits is given (a plain stand-in for the calibrated fit)
            continue
        gap = own_answer in ("nej", "delvist") and bool(full)
        names = ", ".join(f"{f['title']} ({f['municipality']})" for f in full) or "ingen"
        practices.append(
            {
                "score": round(min(1.0, relevance / 5), 3),
                "match": round(min(1.0, relevance / 5), 3),
                "id": practice.id,
                "text": practice.text,
                "test": CHECKLISTS[practice.test].value,
                "relevance": relevance,  # for the sort below; not part of the answer
                "evidence": {
                    "counts": {lv.value: practice.count(lv) for lv in Level},
                    "units_ja": practice.count(Level.JA),
                    "units_other": practice.count(Level.DELVIST) + practice.count(Level.NEJ),
                    "mean_score_ja": None,
                    "mean_score_other": None,
                    "contrast": None,
                    "shrunk_contrast": None,
                    "note": "",
                },
                "followed_by": followers,
                "followers_full": len(full),
                "followers_partial": len(followers) - len(full),
                "your_answer": own_answer,
                "gap": gap,
                "reason": f'I skriver "{situation}"; praksissen handler om "{practice.text}". '
                f"Følges fuldt af {names}.",
                "fit": f'I skriver "{situation}"; praksissen handler om "{practice.text}".',
                "strength": "Stand-in uden tal.",
                "recommended": True,
                "status": "recommended",
                "status_text": "",
                "matched_words": [],
                "situation_part": situation,
                "practice_part": practice.text,
            }
        )
    practices.sort(key=lambda p: (not p["gap"], -p.pop("relevance"), p["id"]))
    best = [{"rank": n, **p} for n, p in enumerate(practices[:k], start=1)]
    advice = []
    for result in _search(
        corpus,
        situation,
        {"target_group": None, "municipality": None, "min_evidence": None},
    )[:3]:
        item = by_id[result["id"]]
        for name in ("Gode råd", "Krav til organisering"):
            section = item.section(name)
            if section and section.text.strip():
                advice.append(
                    {
                        "initiative_id": item.id,
                        "municipality": item.municipality,
                        "section": name,
                        "text": section.paragraphs[0],
                    }
                )
    return {
        "situation": situation,
        "no_good_match": False,  # the route answers with the controls
        "practice_order": "gaps_first" if any(p["gap"] for p in best) else "score",
        "initiatives": [],
        "practices": [p for p in best if p["recommended"]],
        "other_practices": [p for p in best if not p["recommended"]],
        "advice": advice[:4],
    }


def create_fake_app(seeds: Path, controls: Controls) -> FastAPI:
    corpus = load_corpus([seeds])
    app = FastAPI()

    def guard(name: str, params: dict[str, Any]) -> JSONResponse | None:
        controls.calls.append((name, params))
        if controls.hold:
            controls.gate.wait(timeout=20)
        if controls.starting:  # api/deps.py's answer before the engine is loaded
            return _error(503, "unavailable", "Tjenesten starter stadig; prøv igen om lidt.")
        if name in controls.fail:
            return _error(*controls.fail[name])
        return None

    @app.get("/v1/search", response_model=None)
    def search(
        q: str = Query(max_length=2000),
        k: int = 10,
        offset: int = 0,
        target_group: str | None = None,
        municipality: str | None = None,
        min_evidence: float | None = None,
    ) -> Any:
        filters = {
            "target_group": target_group,
            "municipality": municipality,
            "min_evidence": min_evidence,
        }
        if (failed := guard("search", {"q": q, **filters})) is not None:
            return failed
        try:  # the engine's rule for filter values (lenient spelling, or 422 naming the known)
            wanted = resolve_filter(corpus.initiatives, InitiativeFilter(**filters))
        except UnknownValueError as exc:
            return _error(422, exc.code, exc.message, exc.field)
        found = _search(corpus, q, {**filters, "municipality": wanted.municipality,
                                     "target_group": wanted.target_group})  # fmt: skip
        k = min(k, controls.max_k or k)
        return {
            "query": q,
            "mode": "hybrid",
            "k": k,
            "offset": offset,
            "total": len(found),
            "no_good_match": controls.no_good_match or not found or found[0]["match"] < 0.2,
            "highlight_stems": sorted(set(stem_text(q))),  # no everyday-word rule: a stand-in
            "items": found[offset : offset + k],
        }

    @app.post("/v1/recommend", response_model=None)
    def recommend(body: dict[str, Any] = Body(...)) -> Any:  # noqa: B008
        if (failed := guard("recommend", body)) is not None:
            return failed
        answer = _recommend(corpus, body, controls.followers)
        if controls.no_good_match:  # as for an off-topic question: nothing fits, nothing given
            answer.update(practices=[], other_practices=[], advice=[])
        return {**answer, "no_good_match": controls.no_good_match}

    @app.get("/v1/practices", response_model=None)
    def practices() -> Any:
        if (failed := guard("practices", {})) is not None:
            return failed
        items = [to_json(PracticeSummary.of(p)) for p in corpus.practices]
        return {"total": len(items), "items": items}

    @app.get("/v1/initiatives", response_model=None)
    def initiatives(k: int = 10, offset: int = 0) -> Any:
        if (failed := guard("initiatives", {})) is not None:
            return failed
        items = [to_json(InitiativeSummary.of(i)) for i in corpus.initiatives]
        return {"total": len(items), "k": k, "offset": offset, "items": items[offset : offset + k]}

    @app.get("/v1/initiatives/{initiative_id}", response_model=None)
    def initiative(initiative_id: str) -> Any:
        if (failed := guard("initiative", {"id": initiative_id})) is not None:
            return failed
        item = corpus.initiative(initiative_id)
        if item is None:
            return _error(404, "not_found", f"Ingen indsats med id '{initiative_id}'")
        return to_json(InitiativeDetail.of(item))

    app.state.engine = _Pages(corpus)
    mount_web(app, Settings(seeds_dir=seeds))
    return app


class _Pages:
    """What the page routes ask the engine (does this initiative exist?), from the seeds."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus

    def refresh(self) -> None:
        return None

    def initiative(self, initiative_id: str) -> Initiative:
        item = self.corpus.initiative(initiative_id)
        if item is None:
            raise NotFoundError(f"Ingen indsats med id '{initiative_id}'")
        return item
