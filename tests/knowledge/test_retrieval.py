"""Retrieval on the demo pack: ranked, calibrated, multi-question aware, and cached per knowledge version."""

from typing import Any

import pytest

from knowledge import retrieval
from knowledge.index import build_index
from knowledge.pack import load_pack_file
from tests.factories import ROOT

DEMO_PACK = ROOT / "examples" / "casa-azul.yaml"
THRESHOLD = 0.7


@pytest.fixture(scope="module")
def entries() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = load_pack_file(DEMO_PACK).model_dump(mode="json")["knowledge"]
    return data


def decide(entries: list[dict[str, Any]], text: str, language: str = "en") -> retrieval.Ranking:
    ranked = retrieval.rank(entries, text, key=(-1, 1), language=language)
    return retrieval.decide(ranked, threshold=THRESHOLD)


def topics(candidates: list[retrieval.Candidate]) -> list[str]:
    return [c.topic for c in candidates]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("what time can I check in", "en", ["check_in"]),  # "check" also starts "checkout": check-in owns it
        ("wann ist checkout", "de", ["check_out"]),
        ("do you have a beach umbrella we can borrow?", "en", ["amenities"]),  # the phrase claims "beach"
        ("le wifi ne marche pas, que faire ?", "fr", ["wifi"]),  # "faire" is French, not a typo of "fire"
        ("come arriviamo dall'aeroporto?", "it", ["transport"]),  # arriving is how, the airport is what
        ("钥匙盒的密码是多少？", "zh", ["access"]),  # the key box's code, not the Wi-Fi password
        ("tem máquina de lavar roupa?", "pt", ["laundry"]),  # "tem" is not a typo of "trem" (train)
        ("gibt es eine Parkplatzgebühr?", "de", ["parking"]),  # a compound: the parking's fee
        ("wo finde ich Waschmaschinenpulver?", "de", ["laundry"]),
        ("wann kommen wir an?", "de", ["check_in"]),  # a separable verb: ankommen
        ("die Nachbarn über uns sind so laut", "de", ["noise"]),  # German "über" is not the English "Uber"
        ("kannst du mir das WLAN-Kennwort schicken?", "de", ["wifi"]),
    ],
)
def test_one_answer_for_one_question(
    entries: list[dict[str, Any]], text: str, language: str, expected: list[str]
) -> None:
    assert topics(decide(entries, text, language).selected) == expected


def test_multi_question_messages_answer_each_part(entries: list[dict[str, Any]]) -> None:
    ranking = decide(entries, "wifi password and what time is checkout?")
    assert sorted(topics(ranking.selected)) == ["check_out", "wifi"]
    assert ranking.clarify == []


def test_a_request_word_without_a_known_subject_is_not_answered(entries: list[dict[str, Any]]) -> None:
    ranking = decide(entries, "can you recommend a babysitter for saturday night?")
    assert ranking.selected == []
    assert ranking.candidates[0].topic == "local_tips" and ranking.candidates[0].score < THRESHOLD


def test_nothing_plausible_means_neither_answer_nor_question(entries: list[dict[str, Any]]) -> None:
    ranking = decide(entries, "is there a gym in the building?")
    assert ranking.selected == [] and ranking.clarify == []


def test_unknown_words_lower_the_confidence(entries: list[dict[str, Any]]) -> None:
    plain = retrieval.rank(entries, "is there a dishwasher")[0]
    unexplained = retrieval.rank(entries, "is there a dishwasher sommelier")[0]
    assert plain.topic == unexplained.topic == "kitchen"
    assert unexplained.score < plain.score


def test_content_words_alone_ask_a_clarifying_question(entries: list[dict[str, Any]]) -> None:
    # "Nespresso" appears only in the kitchen entry's text, in no lexicon: plausible, not sure.
    ranking = decide(entries, "nespresso")
    [candidate] = ranking.candidates
    assert candidate.topic == "kitchen" and candidate.source == "content"
    assert retrieval.CLARIFY_FLOOR <= candidate.score < THRESHOLD
    assert ranking.selected == [] and topics(ranking.clarify) == ["kitchen"]


def test_index_is_cached_per_property_version_and_never_stale(entries: list[dict[str, Any]]) -> None:
    first = retrieval.index_for(entries, key=(99, 1))
    assert retrieval.index_for(entries, key=(99, 1)) is first
    edited = [
        {**e, "title": "Sauna", "content": {"en": "The rooftop sauna opens at 18:00."}} if e["topic"] == "pool" else e
        for e in entries
    ]
    second = retrieval.index_for(edited, key=(99, 2))
    assert second is not first
    assert topics(retrieval.rank(edited, "sauna", key=(99, 2))) == ["pool"]
    assert retrieval.rank(entries, "sauna", key=(99, 1)) == []
    # Ids are reused after deletions (SQLite): the same (property, version) with other content is rebuilt.
    assert retrieval.index_for(edited, key=(99, 1)) is not first
    assert topics(retrieval.rank(edited, "sauna", key=(99, 1))) == ["pool"]


def test_each_turns_entries_find_the_index_built_from_equal_entries(entries: list[dict[str, Any]]) -> None:
    """A turn loads its version's entries anew: equal entries (another list) reuse the index; an entry edited in
    place after the build does not change what the index was built from."""
    import copy

    loaded = copy.deepcopy(entries)
    first = retrieval.index_for(loaded, key=(98, 1))
    assert retrieval.index_for(copy.deepcopy(entries), key=(98, 1)) is first
    loaded[0]["content"] = {"en": "The rooftop sauna opens at 18:00."}
    assert retrieval.index_for(loaded, key=(98, 1)) is not first
    assert retrieval.index_for(copy.deepcopy(entries), key=(98, 1)) is first  # a few per version are kept


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Nie znam hasła do sieci", "pl", ["wifi"]),  # "sieci" is the network, not a typo of "śmieci" (rubbish)
        ("dove parcheggio la macchina?", "it", ["parking"]),
        ("come si usano le lavatrici?", "it", ["laundry"]),
        ("où est-ce qu'on se gare ?", "fr", ["parking"]),  # "se gare" parks; "gare" alone is the station
    ],
)
def test_inflected_forms_answer(entries: list[dict[str, Any]], text: str, language: str, expected: list[str]) -> None:
    assert topics(decide(entries, text, language).selected) == expected


def test_a_form_alone_asks_about_its_topic(entries: list[dict[str, Any]]) -> None:
    # One inflected word is worth a question, never an answer alone: stems also join different words. (The forms
    # guests use most, "aparco", "aparcamos", are lexicon words of their own.)
    ranking = decide(entries, "dove parcheggerei?", "it")
    assert ranking.selected == [] and topics(ranking.clarify) == ["parking"]
    assert ranking.clarify[0].score == retrieval.STEM_SCORE


def test_a_regular_english_form_answers_as_its_word(entries: list[dict[str, Any]]) -> None:
    # "cancelled" is "cancel" with a regular ending (knowledge/data/inflections.yaml), not a word sharing a stem
    ranking = decide(entries, "our flight got cancelled, what now", "en")
    assert topics(ranking.selected) == ["refunds_policy"]
    assert retrieval.rank(entries, "cancelling", key=(-1, 1), language="en")[0].score == retrieval.REGULAR_SCORE


def test_a_form_of_near_is_not_the_neighbours(entries: list[dict[str, Any]]) -> None:
    ranking = decide(entries, "c'è un parrucchiere qui vicino?", "it")  # a hairdresser nearby: not about noise
    assert "noise" not in topics(ranking.candidates)


@pytest.mark.parametrize(
    ("text", "language", "topic"),
    [
        ("When do we have to be out on the last day?", "en", "check_out"),
        ("à quelle heure faut-il libérer l'appartement ?", "fr", "check_out"),
        ("hoe laat moeten we weg zijn?", "nl", "check_out"),
        ("where do glass bottles go?", "en", "trash"),
        ("dove si butta il vetro?", "it", "trash"),
        ("do you have a travel cot?", "en", "amenities"),
        ("la maison peut accueillir combien de personnes ?", "fr", "house_rules"),
        ("il y a des bouchons d'oreille ?", "fr", "noise"),
        ("à quelle heure faut-il partir ?", "fr", "check_out"),
        ("waar staat de wasmachine?", "nl", "laundry"),  # "staat" is a verb, not a typo of "straat"
    ],
)
def test_the_words_guests_use_for_a_topic_answer_it(
    entries: list[dict[str, Any]], text: str, language: str, topic: str
) -> None:
    assert topics(decide(entries, text, language).selected) == [topic]


def test_a_latin_word_glued_to_japanese_is_a_word_of_its_own() -> None:
    from knowledge.index import words_of

    assert words_of("hot tubは何時まで使えますか") == ["hot", "tub", "は何時まで使えますか"]
    assert words_of("駅からtaxiで")[1] == "taxi"


def test_remembered_near_words_rank_as_a_fresh_index_does(entries: list[dict[str, Any]]) -> None:
    """An index remembers each message word's near vocabulary words; a second message with the same words ranks
    exactly as on an index that never saw them, and the memory stays bounded."""
    from knowledge.index import build_index

    messages = [
        ("wat is the wifi pasword? and checkout time", "en"),
        ("wann ist checkout, und das wlan passwort?", "de"),
        ("le wifi ne marche pas, que faire ?", "fr"),
        ("tem máquina de lavar roupa?", "pt"),
    ]
    used = build_index(entries)
    for text, language in messages * 2:
        fresh = build_index(entries)
        assert retrieval.rank_message(used, text, language=language) == retrieval.rank_message(
            fresh, text, language=language
        )
    assert ("pasword", "en") in used.near_words
    assert len(used.near_words) <= retrieval.NEAR_WORDS_CACHED


def test_a_set_phrase_holding_a_topic_word_does_not_name_that_topic(entries: list[dict[str, Any]]) -> None:
    # "à partir de quelle heure" is "from what time": "partir" there is no departure (knowledge/data/idioms.yaml).
    assert "check_out" not in topics(decide(entries, "à partir de quelle heure ?", "fr").candidates)
    assert topics(decide(entries, "on doit partir à quelle heure ?", "fr").selected) == ["check_out"]


def test_a_good_address_to_recommend_is_a_place_to_go_not_the_flats_address(entries: list[dict[str, Any]]) -> None:
    # "une bonne adresse", "une adresse à nous conseiller": a restaurant or a bar (knowledge/data/idioms.yaml).
    asked = "on aimerait manger une bonne paella ce soir, vous avez une adresse à nous conseiller ?"
    assert "directions" not in topics(decide(entries, asked, "fr").candidates)
    assert topics(decide(entries, "quelle est l'adresse exacte ?", "fr").selected) == ["directions"]


def test_a_verb_without_its_prefix_is_no_typo_of_the_prefixed_one(entries: list[dict[str, Any]]) -> None:
    assert "check_out" not in topics(retrieval.rank(entries, "wir fahren morgens los", language="de"))  # not abfahren


def test_a_false_friend_matches_only_its_own_languages_topic_words(entries: list[dict[str, Any]]) -> None:
    ranked = retrieval.rank(entries, "what brand is the coffee machine?", key=(-1, 3), language="en")
    assert "emergency" not in [c.topic for c in ranked]  # English "brand" is a make, not the Dutch fire
    ranked = retrieval.rank(entries, "er is brand in de keuken", key=(-1, 4), language="nl")
    assert ranked[0].topic == "emergency"


def test_an_everyday_word_is_no_typo_of_a_keyword() -> None:
    # "looking" is an everyday English word: not a misspelt "cooking" (the kitchen's word); "wiifi" still is the wifi.
    index = build_index([{"topic": "kitchen", "title": "Kitchen", "content": {"en": "Oven and hob."}}])
    assert not [c.topic for c in retrieval.rank_message(index, "looking forward to it", language="en")]
    assert [c.topic for c in retrieval.rank_message(index, "where is the cookin stuff", language="en")] == ["kitchen"]


def test_a_chinese_phrase_is_matched_across_a_modal_word(entries: list[dict[str, Any]]) -> None:
    """ "钥匙要放回哪里" holds the check-out's 钥匙放回 with 要 inside: the keys put back, not the lockbox's keys;
    "要不要" asks whether and keeps its 要."""
    assert retrieval.without_gaps("钥匙要放回哪里") == "钥匙放回哪里"
    assert retrieval.without_gaps("垃圾要不要带下去") == "垃圾要不要带下去"
    ranked = retrieval.rank(entries, "明天退房，钥匙要放回哪里？", key=(-1, 1), language="zh")
    assert topics(ranked)[:1] == ["check_out"]
    assert "access" not in topics(ranked)


def test_a_plain_word_is_no_typo_of_its_diminutive(entries: list[dict[str, Any]]) -> None:
    """ "apteka" (a pharmacy) is not "apteczka" (the first-aid kit of the emergency entry); "apteczka" still is."""
    pharmacy = retrieval.rank(entries, "gdzie jest najbliższa apteka?", key=(-1, 1), language="pl")
    assert "emergency" not in topics(pharmacy)
    assert topics(retrieval.rank(entries, "gdzie jest apteczka?", key=(-1, 1), language="pl"))[:1] == ["emergency"]
