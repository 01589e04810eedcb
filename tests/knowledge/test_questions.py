"""Precision first, on the index alone: a message's questions, one clear topic per question, listing topics."""

from typing import Any

import pytest

from knowledge.asking import parts
from knowledge.index import build_index
from knowledge.pack import load_pack_file
from knowledge.questions import decide
from knowledge.retrieval import rank_message
from knowledge.sentences import answering_sentences
from tests.factories import ROOT

ENTRIES: list[dict[str, Any]] = [
    {"topic": "wifi", "title": "Wi-Fi", "content": {"en": "Network Sol-5G, password sol-y-mar."}},
    {"topic": "parking", "title": "Parking", "content": {"en": "Space 14 in the garage at Calle Mar 3."}},
    {"topic": "amenities", "title": "Included", "content": {"en": "Towels, beach towels, a hair dryer."}},
    {"topic": "local_tips", "title": "Tips", "content": {"en": "Paella at Casa Carmela; the beach is 3 minutes away."}},
]
INDEX = build_index(ENTRIES)


def topics(message: str, *, language: str = "en", previous: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    decision = decide(INDEX, message, language=language, threshold=0.7, previous=previous)
    return [c.topic for c in decision.selected], [c.topic for c in decision.clarify]


def test_a_message_is_split_into_its_questions() -> None:
    found = parts("we land at 11pm, is that ok? and where do we leave the car", language="en")
    assert [text.strip() for text, _asked in found] == ["we land at 11pm, is that ok", "where do we leave the car"]
    assert [asked for _text, asked in found] == [True, False]


def test_a_conjunction_of_another_language_does_not_split() -> None:
    assert len(parts("can i park here", language="en")) == 1  # Polish "i" is "and", English "I" is not
    assert len(parts("czy mogę parkować i gdzie jest wifi", language="pl")) == 2


def test_each_question_gets_its_own_topic() -> None:
    assert topics("what's the wifi password and where can we park?") == (["wifi", "parking"], [])


def test_a_listing_topic_answers_only_what_it_names() -> None:
    assert topics("is there a supermarket nearby?")[0] == []  # the tips list no supermarket: a person answers
    assert topics("where can we eat paella?")[0] == ["local_tips"]


def test_a_follow_up_without_a_topic_refers_to_the_previous_answer() -> None:
    assert topics("and the password?", previous=("wifi",)) == (["wifi"], [])
    assert topics("and the network name?", previous=("wifi",)) == (["wifi"], [])  # the entry mentions it
    assert topics("and the sauna?", previous=("wifi",)) == ([], [])  # not in the entry: not the same entry again


def test_a_short_question_gets_the_sentences_that_answer_it() -> None:
    entry = "The router is in the hall. Reset it with the pin. The network is Sol-5G. The password is sol-y-mar."
    assert answering_sentences(entry, "and the password?") == "The password is sol-y-mar."
    assert answering_sentences("Short entry. Two sentences.", "password?") == "Short entry. Two sentences."
    assert answering_sentences(entry, "how?") == entry  # nothing to match: the whole entry, never nothing


def test_a_near_match_of_a_short_word_never_answers_alone() -> None:
    index = build_index([{"topic": "emergency", "title": "Noodgeval", "content": {"nl": "Bel 112 bij nood."}}])
    decision = decide(index, "de band van mijn fiets is plat", language="nl", threshold=0.7)  # "band", not "brand"
    assert decision.selected == []
    assert [c.topic for c in decide(index, "er is brand!", language="nl", threshold=0.7).selected] == ["emergency"]


def test_an_arrival_beside_a_plausible_subject_is_asked_about() -> None:
    index = build_index(
        [
            {"topic": "check_in", "title": "Check-in", "content": {"en": "Check-in is from 16:00."}},
            {"topic": "heating_cooling", "title": "Heating", "content": {"en": "Radiators in every room."}},
        ]
    )
    message = "volevo sapere se l'appartamento è riscaldato perché arriviamo a dicembre"  # heated? we arrive then
    decision = decide(index, message, language="it", threshold=0.7)
    assert decision.selected == []  # not the check-in time: the arrival is when, heating is what (and only plausible)
    assert "heating_cooling" in [c.topic for c in decision.clarify]
    alone = decide(index, "arriviamo a dicembre, a che ora?", language="it", threshold=0.7)
    assert [c.topic for c in alone.selected] == ["check_in"]


HOUSE: list[dict[str, Any]] = [
    {"topic": "laundry", "title": "Laundry", "content": {"en": "The washing machine is on the balcony."}},
    {"topic": "transport", "title": "Transport", "content": {"en": "Tram 4 stops 5 minutes away; trains from Nord."}},
    {"topic": "check_out", "title": "Check-out", "content": {"en": "Out by 10. Leave the bed linen on the beds."}},
    {"topic": "amenities", "title": "Included", "content": {"en": "Bed linen, towels and a hair dryer."}},
    {"topic": "luggage", "title": "Luggage", "content": {"en": "Leave bags at the Stasher point next door."}},
    {"topic": "access", "title": "Access", "content": {"en": "The key box is left of the door."}},
    {"topic": "noise", "title": "Quiet hours", "content": {"en": "Quiet hours are 22:00 to 7:00."}},
    {"topic": "custom:hot-tub", "title": "Hottub", "content": {"nl": "De hottub is open van 9:00 tot 22:00."}},
]
HOUSE_INDEX = build_index(HOUSE)


def house(message: str, *, language: str = "en", previous: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    decision = decide(HOUSE_INDEX, message, language=language, threshold=0.7, previous=previous)
    return [c.topic for c in decision.selected], [c.topic for c in decision.clarify]


def test_an_entry_about_the_house_does_not_answer_a_question_about_a_place_nearby() -> None:
    assert house("is there a laundrette with washing machines nearby?") == ([], [])
    assert house("how does the washing machine work?")[0] == ["laundry"]


def test_a_question_is_not_answered_by_what_a_statement_mentions() -> None:
    assert house("Is there a gym nearby? I try to train every morning")[0] == []
    assert house("We love the flat. The trains were late. Is there a washing machine?")[0] == ["laundry"]


def test_a_follow_up_that_asks_when_or_how_long_is_about_the_previous_answer() -> None:
    assert house("from what time?", previous=("noise",))[0] == ["noise"]
    assert house("and how long does that take more or less", previous=("transport",))[0] == ["transport"]


def test_and_a_thing_the_previous_answer_mentions_continues_that_answer() -> None:
    assert house("and the bed linen?", previous=("check_out",))[0] == ["check_out"]
    assert house("is there bed linen?")[0] == ["amenities"]


def test_right_after_an_answer_a_new_subject_beside_its_topic_is_what_is_asked() -> None:
    # Alone, check-out and the bags are as strong: we ask. Right after the check-out answer, the bags are asked.
    assert house("where can we leave the bags after check-out?") == ([], ["check_out", "luggage"])
    assert house("after check-out, where can we leave the bags?", previous=("check_out",))[0] == ["luggage"]
    # "And …" goes on about the previous answer: the bed linen the check-out entry mentions, not the amenities.
    assert house("and the bed linen for check-out?", previous=("check_out",))[0] == ["check_out"]


ARRIVAL_INDEX = build_index(
    [
        {"topic": "check_in", "title": "Check-in", "content": {"en": "Check-in from 15:00 with the key safe."}},
        {"topic": "parking", "title": "Parking", "content": {"en": "Two cars fit on the driveway."}},
        {"topic": "custom:hot-tub", "title": "Hot tub", "content": {"en": "Walk around the tub with care."}},
    ]
)


def test_a_word_only_an_entry_text_uses_is_no_subject_beside_an_arrival() -> None:
    message = "we arrive around 9pm, can we still get in? and is there parking at the house?"
    ranked = decide(ARRIVAL_INDEX, message, language="en", threshold=0.7)
    assert any(c.topic == "custom:hot-tub" and c.source == "content" for c in ranked.candidates)  # "around"
    assert sorted(c.topic for c in ranked.selected) == ["check_in", "parking"]
    assert ranked.open_questions == 0


def test_the_asking_clause_breaks_a_tie() -> None:
    assert house("we're outside with all the bags, what's the code for the key box?")[0] == ["access"]


def test_a_custom_topic_is_reachable_in_every_language_through_its_concept() -> None:
    assert house("¿cómo se enciende el jacuzzi?", language="es")[0] == ["custom:hot-tub"]
    assert house("热水浴缸几点可以用？", language="zh")[0] == ["custom:hot-tub"]


def test_two_questions_in_one_sentence_are_each_answered() -> None:
    assert topics("whats the wifi password, is there a hair dryer") == (["wifi", "amenities"], [])
    assert topics("what's the wifi password is there parking nearby") == (["wifi", "parking"], [])


def test_the_question_clause_decides_not_the_circumstance_before_it() -> None:
    assert house("we are coming by train on friday, how does the washing machine work")[0] == ["laundry"]
    assert house("after check-out, where can we leave the bags?")[0] == ["luggage"]  # the clause that asks


def test_a_departure_asked_beside_another_question_is_answered() -> None:
    message = "où est la machine à laver et à quelle heure faut-il partir"
    assert house(message, language="fr")[0] == ["laundry", "check_out"]


def test_a_topic_named_only_as_the_place_of_the_thing_asked_about_steps_aside() -> None:
    index = build_index(
        [
            {"topic": "laundry", "title": "Laundry", "content": {"en": "The washing machine is on the balcony."}},
            {"topic": "kitchen", "title": "Kitchen", "content": {"en": "Oven, hob and a fridge."}},
        ]
    )

    def asked(message: str) -> tuple[list[str], list[str]]:
        decision = decide(index, message, language="en", threshold=0.7)
        return [c.topic for c in decision.selected], [c.topic for c in decision.clarify]

    assert asked("is there a washing machine in the kitchen?") == (["laundry"], [])
    assert asked("in the kitchen, is there a washing machine?")[0] != ["kitchen"]  # a place named first: unchanged


def test_a_sentence_that_asks_nothing_is_no_answer_beside_a_question_we_must_ask_about() -> None:
    # "Carmela" is only a word of the tips' text: that question goes to a person (or is asked about), and the car the
    # guest comes with is the circumstance, not a question about parking.
    assert topics("Is Carmela busy on Sundays? We would come by car.") == ([], [])
    assert topics("Is the Carmela place good? We come with the car.") == ([], ["local_tips"])
    assert topics("Is there parking? We come with the car.") == (["parking"], [])


def test_what_follows_a_question_left_open_explains_it_and_what_precedes_it_may_be_asked() -> None:
    assert topics("Can we borrow a pram? Ours will not fit in the car.") == ([], [])  # the car is no answer
    assert topics("We come with the car. Where do we leave it?") == (["parking"], [])  # "it" is the car


def test_the_last_question_of_a_message_is_asked_without_its_mark() -> None:
    assert topics("what's the wifi password? and where can we park")[0] == ["wifi", "parking"]
    assert topics("jakie jest haslo do wifi? i gdzie mozna zaparkowac", language="pl")[0] == ["wifi", "parking"]
    assert topics("what's the wifi password? we came by car")[0] == ["wifi"]  # a statement still asks nothing


def test_what_a_statement_mentions_is_no_answer_to_an_open_question_with_a_subject_of_its_own() -> None:
    assert topics("is there a supermarket nearby? we'd like to park the car and cook")[0] == []
    assert topics("附近有超市吗？想停车", language="zh")[0] == []


def test_a_conjunct_after_a_question_shares_its_mark() -> None:
    # "is there a desk and a screen …?": the mark ends both; "the towels are wet and is there a dryer?" asks once.
    found = parts("working from here - is there a desk and a screen I can plug my laptop into?", language="en")
    assert [asked for _text, asked in found] == [True, True]
    assert [asked for _text, asked in parts("the towels are wet and is there a dryer?", language="en")] == [False, True]
    assert [asked for _text, asked in parts("does the desk chair go up and down?", language="en")] == [False, True]
    found = parts("we land at 11pm, is that ok? and where's the car park", language="en")
    assert [asked for _text, asked in found] == [True, False]


def test_an_owners_topic_is_about_the_house_not_a_place_nearby() -> None:
    index = build_index([{"topic": "custom:bikes", "title": "Bikes", "content": {"en": "The shed has 4 bikes."}}])
    assert decide(index, "can we rent electric bikes somewhere nearby?", language="en", threshold=0.7).selected == []
    assert [c.topic for c in decide(index, "can we use the bikes?", language="en", threshold=0.7).selected] == [
        "custom:bikes"
    ]


def test_an_owners_topic_about_a_place_nearby_answers_a_question_about_it() -> None:
    entry = {"topic": "custom:gym", "title": "Gym", "content": {"en": "The nearest gym is FitBox, Calle Sol 5."}}
    found = decide(build_index([entry]), "is there a gym nearby?", language="en", threshold=0.7)
    assert [c.topic for c in found.selected] == ["custom:gym"]


def _pack_index(name: str) -> Any:
    return build_index(load_pack_file(ROOT / "examples" / f"{name}.yaml").model_dump(mode="json")["knowledge"])


@pytest.mark.parametrize(
    ("pack", "message", "language", "expected"),
    [
        # capacity asked in everyday words; "sabemos" (we know) is no "cabemos" (we fit)
        ("casa-azul", "somos dos parejas, cabemos todos o es mucho?", "es", ["house_rules"]),
        ("casa-azul", "oiga tienen secadora? lavamos ropa y no sabemos donde tenderla", "es", ["laundry"]),
        # a question typed without its accent or its mark, after one that has it
        (
            "casa-azul",
            "somos 3 adultos y un nene de 2 anos, entramos todos? cuantas personas maximo",
            "es",
            ["house_rules"],
        ),
        # "hay que calentar la mamadera" (one has to warm the bottle) asks nothing: no heating
        (
            "casa-azul",
            "hay microondas y hervidor? andamos con guagua y hay que calentar la mamadera po",
            "es",
            ["kitchen"],
        ),
        # a condition before the question: the train says when, the bags are asked, and so is the check-out
        (
            "casa-azul",
            "el domingo a q hora hay q dejar el piso? y si nuestro tren sale a las 6 de la tarde podemos dejar las "
            "mochilas en algun sitio",
            "es",
            ["check_out", "luggage"],
        ),
        ("casa-azul", "ta um calor insuportavel aqui, cade o controle do ar?", "pt", ["heating_cooling"]),
        # what a thing is for names no place to recommend; a beneficiary ("for the baby", "can our dog") stays asked
        ("casa-azul", "hay sombrilla pa la playa? y sillas tb?", "es", ["amenities"]),
        (
            "duinhuis",
            "do you have a cot for the baby and also can our dog come on the beach",
            "en",
            ["amenities", "pets"],
        ),
        (
            "city-loft",
            "a que hora tenemos que dejar el depto el ultimo dia? el vuelo sale a la tarde",
            "es",
            ["check_out"],
        ),
        ("city-loft", "tem mesa de trabalho com monitor? preciso fazer umas calls", "pt", ["custom:workspace"]),
    ],
)
def test_spanish_and_portuguese_guests_in_their_own_words(
    pack: str, message: str, language: str, expected: list[str]
) -> None:
    assert [c.topic for c in decide(_pack_index(pack), message, language=language, threshold=0.7).selected] == expected


def test_nothing_is_no_swimming() -> None:
    ranked = rank_message(_pack_index("casa-azul"), "el aire no enfria nada, lo puse a 18", language="es")
    assert [c.topic for c in ranked] == ["heating_cooling"]  # "nada" is a form of "nadar" to a stemmer


TRAVEL = build_index(
    [
        {"topic": "transport", "title": "Transport", "content": {"en": "From the airport take metro line 5."}},
        {"topic": "luggage", "title": "Luggage", "content": {"en": "Leave suitcases at Valencia Lockers."}},
        *ENTRIES,
    ]
)


def test_a_clause_told_after_the_question_is_circumstance() -> None:
    # No question mark: the clause after the question tells why, it asks nothing about the luggage.
    def chosen(message: str) -> list[str]:
        return sorted(c.topic for c in decide(TRAVEL, message, language="en", threshold=0.7).selected)

    assert chosen(
        "we fly in on thursday, whats the easiest way to get to you from the airport, we have 2 big suitcases"
    ) == ["transport"]
    assert chosen("whats the wifi password, where do we leave our suitcases") == ["luggage", "wifi"]


def test_a_service_request_quotes_no_entry() -> None:
    """A service a person performs (knowledge/services.py) is answered by no entry, a recommendation still is."""
    assert topics("could you book us a table at Casa Carmela for tonight?") == ([], [])
    assert topics("can you recommend a place for paella?")[0] == ["local_tips"]
