"""open_index: what the corpus hash covers, and what a start-up with a current index skips."""

from __future__ import annotations

from dataclasses import replace

import pytest

import engine.search.indexing as indexing
import index.versions as versions
from engine.domain.models import Corpus, Section
from engine.search.indexing import corpus_hash, open_index
from engine.search.passages import corpus_passages
from engine.search.thesaurus import Group, Thesaurus
from engine.shared.settings import Settings
from tests.fakes import FakeEmbedder


def _with_group(thesaurus: Thesaurus, group: Group) -> Thesaurus:
    return Thesaurus([*thesaurus.groups, group])


def test_hash_covers_passages_thesaurus_and_order(seed_corpus: Corpus) -> None:
    thesaurus = Thesaurus.load()
    passages = tuple(corpus_passages(seed_corpus))
    base = corpus_hash(passages, thesaurus)
    assert corpus_hash(passages, Thesaurus.load()) == base  # deterministic
    assert corpus_hash(passages[::-1], thesaurus) != base
    assert corpus_hash(passages, None) != base
    edited = (replace(passages[0], text=passages[0].text + " Nyt."), *passages[1:])
    assert corpus_hash(edited, thesaurus) != base
    grown = _with_group(
        thesaurus, Group(concept="test", danish=("mentorordning",), english=("mentoring",))
    )
    assert corpus_hash(passages, grown) != base


def test_current_index_loads_without_glossing_or_reading_passages(
    seed_corpus: Corpus, tmp_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder, thesaurus = FakeEmbedder(), Thesaurus.load()
    built, report = open_index(tmp_settings, seed_corpus, embedder, thesaurus=thesaurus)
    assert report.built

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a current index was re-derived or read back")

    monkeypatch.setattr(indexing, "passage_documents", forbidden)
    monkeypatch.setattr(versions, "read_documents", forbidden)
    loaded, report = open_index(tmp_settings, seed_corpus, embedder, thesaurus=thesaurus)
    assert not report.built and loaded.version == built.version
    assert loaded.passages == built.passages
    assert [p.id for p in loaded.passages] == [p.id for p in corpus_passages(seed_corpus)]


def test_edited_thesaurus_rebuilds_and_reuses_vectors(
    seed_corpus: Corpus, tmp_settings: Settings
) -> None:
    embedder, thesaurus = FakeEmbedder(), Thesaurus.load()
    first, _ = open_index(tmp_settings, seed_corpus, embedder, thesaurus=thesaurus)
    grown = _with_group(
        thesaurus, Group(concept="test", danish=("løntilskud",), english=("wage subsidy test",))
    )
    second, report = open_index(tmp_settings, seed_corpus, embedder, thesaurus=grown)
    assert report.built and second.version != first.version
    # Only passages whose gloss changed are embedded again.
    assert 0 < report.embedded < len(second.passages) and report.reused > 0
    texts = [d.text for d in second.loaded.read_documents()]
    assert any("wage subsidy test" in t for t in texts)


def test_edited_page_rebuilds(seed_corpus: Corpus, tmp_settings: Settings) -> None:
    embedder = FakeEmbedder()
    open_index(tmp_settings, seed_corpus, embedder)
    first = seed_corpus.initiatives[0]
    page = replace(first, sections=(*first.sections, Section("Gode råd", "Ring til borgeren.")))
    edited = replace(seed_corpus, initiatives=(page, *seed_corpus.initiatives[1:]))
    index, report = open_index(tmp_settings, edited, embedder)
    assert report.built and report.embedded >= 1
    assert any(p.text == "Ring til borgeren." for p in index.passages)
