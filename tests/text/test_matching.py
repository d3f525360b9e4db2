"""The claim index: a rumour told in other words finds the claim on file, best first."""

import numpy as np
import pytest

from cohesion.text import matching
from cohesion.text.embeddings import USE, Embedder
from cohesion.text.matching import ClaimIndex, Match, band_for, query_text, tokenize

CLAIMS = [
    ("claim:1", "Migrants pushed up housing costs in Stoke-on-Trent"),
    ("claim:2", "5G phone masts spread the coronavirus"),
    ("claim:3", "The council is closing every library in the city next month"),
    ("claim:4", "A mosque is being built on the site of the old Hanley bus station"),
    ("claim:5", "Vaccines contain microchips to track people"),
    ("rebuttal:1", "Fact check: asylum seekers are not given free cars by the council"),
]


class ZeroEmbedder(Embedder):
    """An embedder that knows nothing: every text gives the zero vector."""

    def embed(self, texts, batch_size=64, *, store=True):
        return np.zeros((len(texts), self.model.dimensions), dtype=np.float32)


@pytest.fixture(scope="module")
def embedder():
    return Embedder(None)


@pytest.fixture
def index(embedder):
    return ClaimIndex.build(CLAIMS, embedder)


def test_a_rewording_of_a_claim_ranks_it_first(index):
    matches = index.search("rents went up because of all the immigrants coming to Stoke")
    assert matches[0].key == "claim:1"
    assert matches[0].score > matches[1].score
    matches = index.search("Bill Gates is putting tracking chips in the covid jab")
    assert matches[0].key == "claim:5"


def test_a_copied_tweet_with_byline_and_link_still_finds_its_claim(index):
    tweet = (
        "They are shutting ALL the libraries next month!!! \U0001f621 #SaveOurLibraries "
        "https://t.co/abc123 \u2014 Angry Resident (@angry_res) June 1, 2024"
    )
    assert index.search(tweet)[0].key == "claim:3"


def test_results_are_best_first_with_parts_in_range(index):
    matches = index.search("coronavirus is spread by 5G", k=3)
    assert [m.key for m in matches][0] == "claim:2"
    assert len(matches) == 3
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)
    for m in matches:
        assert isinstance(m, Match)
        assert 0.0 <= m.score <= 1.0 and 0.0 <= m.lexical <= 1.0 and -1.0 <= m.semantic <= 1.0
        assert -1.0 <= m.use <= 1.0
        assert m.band == band_for(m.score)


def test_keyword_match_with_lexical_part_only():
    index = ClaimIndex.build(CLAIMS, ZeroEmbedder(None), ZeroEmbedder(None, model=USE))
    matches = index.search("Hanley bus station")
    assert matches[0].key == "claim:4"
    assert matches[0].lexical > 0 and matches[0].semantic == 0 and matches[0].use == 0
    assert all(m.lexical == 0 and m.score == 0 for m in matches[1:])


@pytest.mark.parametrize(
    ("report", "claim"),
    [
        ("the jab has a chip in it so they can follow you", "claim:5"),
        ("rents went up because of all the immigrants", "claim:1"),
        ("they want to get rid of books", "claim:3"),
    ],
)
def test_the_second_model_finds_a_rewording_on_its_own(report, claim):
    """With MiniLM knowing nothing and no word in common, the Universal Sentence Encoder still
    puts the claim that says the same thing first."""
    index = ClaimIndex.build(CLAIMS, ZeroEmbedder(None))
    best = index.search(report)[0]
    assert best.key == claim
    assert best.lexical == 0 and best.semantic == 0 and best.use > 0.25


@pytest.mark.parametrize(
    ("report", "claim"),
    [
        ("Przez imigrantów czynsze w Stoke poszły w górę", "claim:1"),
        ("Rada zamyka wszystkie biblioteki w przyszłym miesiącu", "claim:3"),
        ("Szczepionki mają w sobie mikroczipy, żeby nas śledzić", "claim:5"),
        ("المجلس سيغلق جميع المكتبات الشهر القادم", "claim:3"),
        ("اللقاحات تحتوي على رقائق لتتبع الناس", "claim:5"),
    ],
)
def test_a_report_in_polish_or_arabic_finds_the_english_claim(index, report, claim):
    """MiniLM and BM25 read English only; the Universal Sentence Encoder reads both languages,
    so its cosine alone (scaled) carries the match, high enough for the desk to show it."""
    best, second = index.search(report, k=2)
    assert best.key == claim
    assert best.score == pytest.approx(matching.CROSS_LINGUAL_WEIGHT * best.use)
    assert best.score >= 0.3  # the rumour desk shows suggestions from 0.3
    assert second.score < best.score - 0.15


@pytest.mark.parametrize(
    "report",
    ["Gdzie jest najbliższy basen?", "أين أجد طبيبًا يتحدث العربية في هانلي؟"],
)
def test_an_unrelated_report_in_another_language_matches_nothing_shown(index, report):
    assert index.search(report)[0].score < 0.3


def test_an_english_report_keeps_the_weighted_sum(index):
    """The cross-language floor never changes an English rewording's score: the weighted sum of
    the three parts is the higher of the two."""
    for report in (
        "rents went up because of all the immigrants coming to Stoke",
        "Bill Gates is putting tracking chips in the covid jab",
    ):
        best = index.search(report)[0]
        weighted = (
            matching.MINILM_WEIGHT * best.semantic
            + matching.USE_WEIGHT * best.use
            + matching.LEXICAL_WEIGHT * best.lexical
        )
        assert best.score == pytest.approx(weighted, abs=1e-6)
        assert best.score > matching.CROSS_LINGUAL_WEIGHT * best.use


def test_band_thresholds():
    assert band_for(1.0) == "strong"
    assert band_for(matching.STRONG) == "strong"
    assert band_for(matching.STRONG - 1e-6) == "possible"
    assert band_for(matching.POSSIBLE) == "possible"
    assert band_for(matching.POSSIBLE - 1e-6) == "weak"
    assert band_for(0.0) == "weak"
    assert 0 < matching.POSSIBLE < matching.STRONG < 1


def test_unrelated_query_is_not_a_strong_match(index):
    matches = index.search("What time does the swimming pool open on Sunday?")
    assert matches[0].band != "strong"


def test_add_remove_and_replace_update_the_index(embedder):
    index = ClaimIndex(embedder)
    assert len(index) == 0 and index.search("anything") == []
    index.add("claim:1", "Migrants pushed up housing costs")
    index.add("claim:2", "5G masts spread the coronavirus")
    assert len(index) == 2
    assert index.search("5G coronavirus")[0].key == "claim:2"

    index.remove("claim:2")
    assert len(index) == 1 and "claim:2" not in index
    assert [m.key for m in index.search("5G coronavirus")] == ["claim:1"]
    index.remove("claim:2")  # removing twice is harmless
    assert len(index) == 1

    index.add("claim:1", "The swimming pool in Fenton is closing for good")  # replace
    assert len(index) == 1
    assert index.text("claim:1").startswith("The swimming pool")
    match = index.search("Fenton pool closing")[0]
    assert match.key == "claim:1" and match.lexical > 0
    assert index.search("housing costs migrants")[0].lexical == 0

    index.add("claim:3", "Vaccines contain microchips")  # reuses the freed row
    assert sorted(index.keys()) == ["claim:1", "claim:3"]


def test_duplicate_keys_in_one_build_keep_the_last(embedder):
    index = ClaimIndex.build([("a", "first text"), ("a", "library closing")], embedder)
    assert len(index) == 1 and index.text("a") == "library closing"


def test_save_and_load_round_trip_without_embedding_again(tmp_path, index):
    index.save(tmp_path / "claims")
    assert (tmp_path / "claims.npz").exists() and (tmp_path / "claims.json").exists()
    counting, counting_use = Embedder(None), Embedder(None, model=USE)
    loaded = ClaimIndex.load(tmp_path / "claims", counting, counting_use)
    assert counting.encoded == 0 and counting_use.encoded == 0
    assert len(loaded) == len(index) and sorted(loaded.keys()) == sorted(index.keys())
    query = "Is the council shutting the libraries?"
    assert loaded.search(query) == index.search(query)
    loaded.add("claim:9", "Bin collections stop at Christmas")
    assert loaded.search("bin collections Christmas")[0].key == "claim:9"


def test_load_refuses_a_damaged_file(tmp_path, index):
    index.save(tmp_path / "claims")
    (tmp_path / "claims.json").write_text('{"format": 1, "model": "other"}')
    with pytest.raises(ValueError):
        ClaimIndex.load(tmp_path / "claims")


def test_load_refuses_an_index_saved_before_the_second_model(tmp_path, index):
    """An index saved by the version with MiniLM alone has no USE vectors: it is refused, so the
    desk builds a new one instead of matching with half its parts."""
    index.save(tmp_path / "claims")
    with np.load(tmp_path / "claims.npz") as data:
        vectors = data["vectors"]
    np.savez(tmp_path / "claims.npz", vectors=vectors)
    with pytest.raises(ValueError, match="rebuild"):
        ClaimIndex.load(tmp_path / "claims")


def test_empty_and_huge_queries(index):
    assert index.search("") == []
    assert index.search("   \n\t") == []
    assert index.search("library", k=0) == []
    huge = "the council is closing every library " * 3_000  # over 100,000 characters
    assert len(huge) > 100_000
    matches = index.search(huge)
    assert matches[0].key == "claim:3"
    assert index.search("\U0001f621\U0001f621 https://t.co/x") == []


def test_tokenize_drops_stop_words_and_stems():
    assert tokenize("The vaccines are closing libraries") == ["vaccin", "clos", "library"]
    assert tokenize("") == []


def test_query_text_keeps_the_byline_author_after_a_dash():
    tweet = "This is not true https://t.co/x \u2014 Stoke Council (@SOTCityCouncil) May 1, 2024"
    assert query_text(tweet) == "This is not true \u2014 Stoke Council"
    assert query_text("plain words") == "plain words"


def test_copies_of_a_claim_differing_only_in_quotes_tie_and_the_first_filed_wins(embedder):
    index = ClaimIndex.build(
        [
            ("claim:1", 'The mayor said "we will close the library".'),
            ("claim:2", "The mayor said \u2018we will close the library\u2019."),
        ],
        embedder,
    )
    first, second = index.search("mayor close library")
    assert first.key == "claim:1" and first.score == second.score
    assert index.ranked_keys("mayor close library", by="semantic") == ["claim:1", "claim:2"]


def test_embedding_one_query_leaves_the_torch_thread_setting_as_it_was(embedder):
    import torch

    before = torch.get_num_threads()
    Embedder(None).embed(["one short query about library closures"])
    assert torch.get_num_threads() == before


def test_prepare_embeds_many_queries_in_one_batch_and_changes_no_result(index):
    queries = [
        "Heard the libraries are all shutting next month",
        "@someone Vaccines have chips in them to track you https://t.co/abc",
        "",
    ]
    expected = [index.search(q) for q in queries]
    fresh = ClaimIndex(Embedder(None), Embedder(None, model=USE))
    fresh.add_many(CLAIMS)
    before = (fresh.embedder.encoded, fresh.use_embedder.encoded)
    fresh.prepare(queries)
    # The two non-empty queries went through each model once, together...
    assert (fresh.embedder.encoded, fresh.use_embedder.encoded) == (before[0] + 2, before[1] + 2)
    results = [fresh.search(q) for q in queries]
    # ...so searching for them runs neither model again, and ranks as before.
    assert (fresh.embedder.encoded, fresh.use_embedder.encoded) == (before[0] + 2, before[1] + 2)
    assert [[m.key for m in r] for r in results] == [[m.key for m in r] for r in expected]
