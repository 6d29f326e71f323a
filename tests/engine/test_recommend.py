"""Recommendations with the fake embedder: order by construction, gaps, shrinkage, reasons."""

from __future__ import annotations

import pytest

from engine.domain.corpus import corpus_from_initiatives
from engine.domain.models import Corpus, Level
from engine.domain.parser import parse_page
from engine.recommend.recommender import Recommender, RecommendRequest
from engine.search.indexing import open_index
from engine.search.searcher import Searcher
from engine.search.thesaurus import Thesaurus
from engine.shared.errors import InvalidInputError
from engine.shared.settings import Settings
from tests.fakes import FakeEmbedder, fake_calibration

GOOD = "borgere får samtaler om jobsøgning hver uge"
BAD = "borgere får samtaler om jobsøgning hver måned"
OTHER = "jobkonsulenter uddannes i regneark og tekstbehandling"


def _page(municipality: str, score: str, levels: tuple[str, str, str]) -> str:
    def bullet(level: str, practice: str) -> str:
        quantifier = "Mindst 9 ud af 10" if level == "Ja" else "Færre end 7 ud af 10"
        return f" • {level}: {quantifier} {practice}"

    bullets = "\n".join(bullet(lv, p) for lv, p in zip(levels, (GOOD, BAD, OTHER), strict=True))
    return (
        f"{municipality}\n\n{score}\nEvidenstest\n\nIndsats i {municipality}\n\n • Ledige\n\n"
        f"Kommunens beskrivelse af indsatsen\n\nVi holder samtaler om jobsøgning med ledige i "
        f"{municipality}.\n\n"
        f"Gode råd\n\nSæt tid af til samtalerne i {municipality}.\n\n"
        f"{score}\nEvidenstest\n\nEvidenstest vedr. alle\n\n{bullets}\n"
    )


def _recommender(corpus: Corpus, settings: Settings) -> Recommender:
    embedder = FakeEmbedder()
    thesaurus = Thesaurus.load()
    index, _ = open_index(settings, corpus, embedder, thesaurus=thesaurus)
    calibration = fake_calibration(embedder)
    searcher = Searcher(
        corpus, index, embedder, settings, thesaurus=thesaurus, calibration=calibration
    )
    return Recommender(searcher)


@pytest.fixture()
def constructed(tmp_settings: Settings) -> Recommender:
    pages = [
        _page("Aabenraa", "4,5", ("Ja", "Nej", "Ja")),
        _page("Billund", "4,0", ("Ja", "Nej", "Ja")),
        _page("Dragør", "1,0", ("Nej", "Ja", "Nej")),
        _page("Esbjerg", "0,5", ("Nej", "Ja", "Nej")),
    ]
    corpus = corpus_from_initiatives(parse_page(p, f"{n}.txt") for n, p in enumerate(pages))
    return _recommender(corpus, tmp_settings)


def test_order_by_construction(constructed: Recommender) -> None:
    """GOOD and BAD answer the situation equally well in words; the high-scoring pages follow
    GOOD and the low-scoring ones BAD, so evidence puts GOOD first. OTHER has the strongest
    evidence but nothing to do with the situation, so it does not fit and is not given."""
    result = constructed.recommend(RecommendRequest("samtaler om jobsøgning", k=3))
    texts = [p.text for p in result.ranked]
    assert [t.split(" 10 ", 1)[1] for t in texts] == [GOOD, BAD]
    good, bad = result.ranked
    assert good.evidence.shrunk_contrast > 0 > bad.evidence.shrunk_contrast
    assert good.match >= 0.5 and bad.match >= 0.5  # both fit: the calibrated threshold
    assert [p.score for p in result.ranked] == sorted(
        (p.score for p in result.ranked), reverse=True
    )
    # Only GOOD may be recommended: BAD's followers score lower than those who do not.
    assert result.practices == (good,)
    assert [(p.status, p.recommended) for p in result.other_practices] == [
        ("followers_score_lower", False)
    ]


def test_nothing_fits_nothing_is_given(constructed: Recommender) -> None:
    result = constructed.recommend(RecommendRequest("kantinens frokostordning", k=5))
    assert result.ranked == ()


def test_gap_analysis_for_a_known_municipality(constructed: Recommender) -> None:
    result = constructed.recommend(
        RecommendRequest("samtaler om jobsøgning", k=5, own_municipality="dragør")
    )
    by_id = {p.text.split(" 10 ", 1)[1]: p for p in result.ranked}
    assert BAD not in by_id  # Dragør already answers Ja: not recommended as new
    assert by_id[GOOD].gap and by_id[GOOD].your_answer is Level.NEJ
    assert result.practices[0].gap  # gaps rank first
    assert by_id[GOOD].reason.endswith("I har svaret Nej.")


def test_explicit_answers_override(constructed: Recommender) -> None:
    good_id = next(p.id for p in constructed.practices if p.text.endswith(GOOD))
    result = constructed.recommend(
        RecommendRequest("samtaler om jobsøgning", answers={good_id: Level.JA})
    )
    assert good_id not in {p.id for p in result.practices}


def test_evidence_shrinks_to_neutral_with_one_page(tmp_settings: Settings) -> None:
    corpus = corpus_from_initiatives(
        [parse_page(_page("Aabenraa", "4,5", ("Ja", "Nej", "Ja")), "a")]
    )
    result = _recommender(corpus, tmp_settings).recommend(
        RecommendRequest("samtaler om jobsøgning", k=3)
    )
    assert result.ranked
    for practice in result.ranked:
        assert practice.evidence.contrast is None
        assert practice.evidence.shrunk_contrast == 0.0
        assert "intet at sammenligne" in practice.evidence.note
        # one page: nobody to compare with, and the reason says so in words
        assert "ingen at sammenligne med" in practice.strength or "ingen tal" in practice.strength


def test_shrinkage_grows_with_pages() -> None:
    pages = [
        _page(m, s, lv)
        for m, s, lv in (
            ("Aabenraa", "4,5", ("Ja", "Nej", "Ja")),
            ("Dragør", "1,0", ("Nej", "Ja", "Nej")),
        )
    ]
    two = corpus_from_initiatives(parse_page(p, f"{n}") for n, p in enumerate(pages))
    good = next(p for p in two.practices if p.text.endswith(GOOD))
    evidence = good.evidence
    assert evidence.contrast == pytest.approx(3.5)
    assert evidence.shrunk_contrast == pytest.approx(3.5 / 3)  # n = 1 against a prior of 2
    assert "skrumpet" in evidence.note


def test_reasons_cite_real_pages(seed_corpus: Corpus, tmp_settings: Settings) -> None:
    recommender = _recommender(seed_corpus, tmp_settings)
    result = recommender.recommend(
        RecommendRequest("fast kontaktperson på virksomheden i løntilskud", k=5)
    )
    situation = "fast kontaktperson på virksomheden i løntilskud"
    contact = next(p for p in result.practices if "fast kontaktperson" in p.text)
    assert (
        contact.fit
        == f'I skriver "{contact.situation_part}"; praksissen handler om "{contact.practice_part}".'
    )
    assert contact.reason.startswith(contact.fit)
    assert contact.situation_part in situation  # the consultant's own words, as written
    assert contact.practice_part.lower() in contact.text.lower()
    assert set(contact.matched_words) >= {"kontaktperson", "løntilskud"}
    assert set(contact.matched_words) <= set(situation.split())
    assert (
        'Følges fuldt af "Ekstern personlig jobformidler som intensiv indsats" '
        "(Brønderslev, evidensscore 4,1)." in contact.reason
    )
    assert [(f.municipality, f.answer, f.evidence_score) for f in contact.followed_by] == [
        ("Brønderslev", Level.JA, 4.1)
    ]
    assert contact.evidence.counts == {"ja": 1, "delvist": 0, "nej": 3}
    for practice in result.ranked:
        for follower in practice.followed_by[:3]:
            page = seed_corpus.initiative(follower.initiative_id)
            assert page is not None and follower.title == page.title
            assert f'"{page.title}" ({page.municipality}' in practice.reason
            assert follower.evidence_score == page.evidence_score


def test_seed_gap_analysis_for_skanderborg(seed_corpus: Corpus, tmp_settings: Settings) -> None:
    recommender = _recommender(seed_corpus, tmp_settings)
    result = recommender.recommend(
        RecommendRequest("opfølgning på borgere i løntilskud", k=30, own_municipality="Skanderborg")
    )
    skanderborg_ja = {
        a.practice_id
        for i in seed_corpus.initiatives
        if i.municipality == "Skanderborg"
        for _, a in i.answers()
        if a.level is Level.JA
    }
    returned = {p.id for p in result.ranked}
    assert skanderborg_ja and not skanderborg_ja & returned
    contact = next(p for p in result.practices if "fast kontaktperson" in p.text)
    assert contact.gap and contact.your_answer is Level.NEJ
    gaps = [p.gap for p in result.ranked]
    assert gaps == sorted(gaps, reverse=True)  # all gaps before the rest


def test_advice_comes_from_advice_sections(seed_corpus: Corpus, tmp_settings: Settings) -> None:
    result = _recommender(seed_corpus, tmp_settings).recommend(
        RecommendRequest("betalingsmodel for ekstern leverandør", k=3)
    )
    assert result.advice
    assert {a.section for a in result.advice} <= {
        "Gode råd",
        "Krav til organisering",
        "Ledelsens anbefaling",
    }
    assert result.advice[0].municipality == "Brønderslev"


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (RecommendRequest("x", own_municipality="Atlantis"), "Atlantis"),
        (RecommendRequest("x", answers={"nope": Level.JA}), "nope"),
        (RecommendRequest("x", k=0), "k skal"),
        (RecommendRequest("   "), "tom"),
    ],
)
def test_bad_requests_say_what_to_do(
    constructed: Recommender, request_: RecommendRequest, message: str
) -> None:
    with pytest.raises(InvalidInputError) as err:
        constructed.recommend(request_)
    assert message in err.value.message


def test_advice_is_whole_sentences_from_the_page(
    seed_corpus: Corpus, tmp_settings: Settings
) -> None:
    recommender = _recommender(seed_corpus, tmp_settings)
    for situation in ("betalingsmodel for ekstern leverandør", "jobrettet coaching", "ordblinde"):
        for advice in recommender.recommend(RecommendRequest(situation, k=5)).advice:
            page = seed_corpus.initiative(advice.initiative_id)
            assert page is not None
            section = page.section(advice.section)
            assert section is not None
            assert advice.text.rstrip(".!?") in " ".join(section.text.replace("•", "").split())
            assert advice.text[0].isupper() and not advice.text.startswith("Med en sådan")
            assert "I dag har Jobcenter" not in advice.text


def test_an_off_topic_situation_gets_no_advice_and_no_recommendation(
    seed_corpus: Corpus, tmp_settings: Settings
) -> None:
    """Advice and recommendations come only from pages that share a telling word with the
    situation; ranking among the few pages there are is not enough."""
    recommender = _recommender(seed_corpus, tmp_settings)
    result = recommender.recommend(RecommendRequest("hvordan laver man en god lasagne", k=5))
    assert result.advice == ()
    assert result.ranked == ()
    dyslexia = recommender.recommend(RecommendRequest("mange ledige er ordblinde", k=5))
    assert dyslexia.advice and {a.municipality for a in dyslexia.advice} == {"Skanderborg"}


def test_the_own_municipality_is_read_by_the_one_rule(constructed: Recommender) -> None:
    # "dragør" and "  DRAGØR " are Dragør, as in the filter: its answers are its own.
    for typed in ("Dragør", "dragør", "DRAGØR"):
        answers, score = constructed.own_answers(
            RecommendRequest("samtaler", own_municipality=typed)
        )
        assert answers and score == 1.0
        assert constructed.validate(RecommendRequest("x", own_municipality=typed))
