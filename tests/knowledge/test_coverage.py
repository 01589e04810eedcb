"""A topic is answered only when its entry says what the question asks (knowledge/coverage.py)."""

from typing import Any

from knowledge.coverage import asks_whether, asks_why, closed_question, uncovered, unknown_things
from knowledge.index import build_index
from knowledge.mentions import content_words, is_open, mentions, owned, short_words
from knowledge.options import neither_given
from knowledge.questions import decide

ENTRIES: list[dict[str, Any]] = [
    {"topic": "pool", "title": "Pool", "content": {"en": "The rooftop pool is open from June to September, 10 to 21."}},
    {"topic": "heating_cooling", "title": "Heating", "content": {"en": "Air conditioning with a heat pump."}},
    {"topic": "parking", "title": "Parking", "content": {"en": "No space of its own; Parking Mar, 14 € a day."}},
    {"topic": "transport", "title": "Transport", "content": {"en": "Tram 4 stops 5 minutes away."}},
    {"topic": "amenities", "title": "Included", "content": {"en": "Towels, beach towels and a hair dryer."}},
    {"topic": "wifi", "title": "Wi-Fi", "content": {"en": "Network Sol-5G, password sol-y-mar."}},
]
INDEX = build_index(ENTRIES)


def answered(message: str, *, language: str = "en", previous: tuple[str, ...] = ()) -> tuple[list[str], int]:
    decision = decide(INDEX, message, language=language, threshold=0.7, previous=previous)
    return [c.topic for c in decision.selected], decision.open_questions


def test_a_property_the_entry_does_not_give_goes_to_a_person() -> None:
    assert answered("is the pool heated?") == ([], 1)  # another topic's word, not in the pool entry
    assert answered("is the parking guarded?") == ([], 1)  # a word nothing knows, in a closed question
    assert answered("is the tram running at night?") == ([], 1)


def test_a_property_the_entry_gives_is_answered() -> None:
    assert answered("is the pool open in september?") == (["pool"], 0)
    assert answered("how much is the parking a day?") == (["parking"], 0)


def test_open_questions_are_answered_whatever_else_they_say() -> None:
    assert answered("is there a hairdryer somewhere? looked everywhere") == (["amenities"], 0)
    assert answered("where do we leave the car tonight?") == (["parking"], 0)


def test_a_closed_question_in_another_language_than_the_entry_still_checks_its_words() -> None:
    assert answered("Ist der Pool überdacht?", language="de") == ([], 1)


def test_a_negated_topic_word_is_no_rival() -> None:
    assert uncovered(INDEX, "the tram and the parking", ["transport"], language="en") == ["parking"]
    assert uncovered(INDEX, "the tram, not the parking", ["transport"], language="en") == []
    assert "parking" not in content_words("sin parking, ¿cómo llegamos?", language="es")


def test_the_clause_that_asks_decides_not_the_circumstances() -> None:
    assert answered("with the heating on full blast, is the pool open?") == (["pool"], 0)


def test_a_follow_up_about_the_previous_topic_is_left_alone() -> None:
    assert answered("and is the pool heated?") == ([], 1)
    assert answered("and is the pool heated?", previous=("pool",))[0] == ["pool"]  # the follow-up rules decide


def test_uncovered_names_the_words_the_entry_lacks() -> None:
    assert uncovered(INDEX, "is the pool heated", ["pool"], language="en", closed=True) == ["heated"]
    assert uncovered(INDEX, "is the pool guarded", ["pool"], language="en", closed=True) == ["guarded"]
    assert uncovered(INDEX, "is the pool guarded", ["pool"], language="en", closed=False) == []
    assert uncovered(INDEX, "is the pool open in june", ["pool"], language="en", closed=True) == []


def test_an_entry_mentions_a_word_in_another_form() -> None:
    assert mentions("check-out is at 11:00", "checkout", "en")
    assert mentions("the pool is open from june", "opening", "en")
    assert not mentions("the pool is open from june", "heated", "en")
    assert mentions("towels and a hair dryer in the drawer", "hairdryer", "en")  # two words written as one
    assert not mentions("towels and a hair dryer in the drawer", "hairbrush", "en")


def test_question_shapes() -> None:
    assert is_open("where is the pool", "en")
    assert is_open("gibt es einen Föhn", "de")
    assert is_open("c'è il bagnino", "it")
    assert not is_open("is the pool heated", "en")
    assert is_open("tenéis secador de pelo", "pt")  # a short question taken for another language is still open
    assert is_open("kunnen jullie een restaurant aanraden", "nl")  # a recommendation request
    assert closed_question("is the pool heated", True, "en")
    assert not closed_question("is the pool heated", False, "en")  # a statement asks nothing
    assert not closed_question("is the pool on the roof heated in the evenings after nine", True, "en")  # long


SMOKING: list[dict[str, Any]] = [
    {"topic": "smoking", "title": "Smoking", "content": {"en": "No smoking inside. You can smoke on the balcony."}},
    {"topic": "pool", "title": "Pool", "content": {"en": "The rooftop pool is open from June to September."}},
]


def test_a_place_the_entry_mentions_in_another_language_is_no_missing_detail() -> None:
    index = build_index(SMOKING)
    assert [c.topic for c in decide(index, "posso fumar na varanda?", language="pt", threshold=0.7).selected] == [
        "smoking"
    ]
    # A place the entry never mentions is still a detail it does not give.
    assert decide(index, "posso fumar na janela?", language="pt", threshold=0.7).selected == []


def test_another_topic_named_only_as_a_place_is_no_missing_detail() -> None:
    index = build_index(SMOKING)
    found = decide(index, "is vaping ok out on the balcony by the pool?", language="en", threshold=0.7)
    assert [c.topic for c in found.selected] == ["smoking"]
    assert decide(index, "is the pool heated?", language="en", threshold=0.7).selected == []


BIKES: list[dict[str, Any]] = [
    {"topic": "custom:bikes", "title": "Bikes", "content": {"en": "4 bikes in the shed, 2 with a child seat."}},
    {"topic": "amenities", "title": "Included", "content": {"en": "Towels, a cot and a high chair."}},
    {"topic": "pool", "title": "Pool", "content": {"en": "The rooftop pool is open from June to September."}},
    {"topic": "laundry", "title": "Laundry", "content": {"en": "The washing machine is next to the kitchen."}},
]


def test_a_question_asking_whether_there_is_a_thing() -> None:
    assert asks_whether("is there a lifeguard at the pool")
    assert asks_whether("do the bikes have gears")
    assert asks_whether("mag er badschuim in de hottub")
    assert not asks_whether("where is the pool")  # where: the entry answers
    assert asks_whether("is there a hairdryer somewhere")  # still answered: the knowledge base knows a hairdryer
    assert not asks_whether("where is there a hairdryer")
    assert not asks_whether("we get there at five, can we go straight in")  # "there" alone is no "is there"
    assert not asks_whether("is the pool heated")  # closed, not open


def test_a_thing_nothing_knows_goes_to_a_person() -> None:
    index = build_index(BIKES)

    def topics(message: str, language: str = "en") -> list[str]:
        return [c.topic for c in decide(index, message, language=language, threshold=0.7).selected]

    assert topics("do the bikes have gears?") == []
    assert topics("is there a lifeguard at the pool?") == []
    assert topics("are there bikes with a child seat?") == ["custom:bikes"]  # the entry mentions it
    assert topics("is there a pool in the building?") == ["pool"]  # the building is where, not what
    assert topics("is there a cot for the baby?") == ["amenities"]  # the baby is whom for
    # In a language the entry is not written in, its words cannot be looked up: the entry answers.
    assert topics("czy są rowery dla gości?", "pl") == ["custom:bikes"]


def test_unknown_things_leaves_out_how_the_question_asks() -> None:
    index = build_index(BIKES)
    assert unknown_things(index, "do the bikes have gears", ["custom:bikes"], language="en") == ["gears"]
    assert unknown_things(index, "is there a tram nearby instead", ["custom:bikes"], language="en") == ["tram"]
    assert "allow" not in content_words("do you allow dogs", language="en")  # an open word asks, it is not asked


def test_unknown_things_are_read_in_the_clause_that_asks_whether_up_to_an_alternative() -> None:
    index = build_index(BIKES)
    bikes = ["custom:bikes"]
    # "should i bring mine" is what the guest will do otherwise; "after a long day" is a circumstance of another clause
    assert unknown_things(index, "are there bikes or should i bring mine", bikes, language="en") == []
    assert unknown_things(index, "after a long ride, do the bikes have gears", bikes, language="en") == ["gears"]
    assert unknown_things(index, "the kids are bored, do the bikes have gears", bikes, language="en") == ["gears"]
    assert unknown_things(index, "do the bikes have gears or should we rent", bikes, language="en") == ["gears"]
    # "is there room for …" asks whether, as "is there" does: the room is no thing the entry must mention
    assert unknown_things(index, "is there room for our bikes", bikes, language="en") == []
    assert unknown_things(index, "hi, this is Ana Lopez: is there room for our bikes", bikes, language="en") == []
    assert unknown_things(index, "is there a bike pump", bikes, language="en") == ["pump"]


def test_a_longer_closed_question_is_checked_in_the_entry_language() -> None:
    index = build_index(BIKES)
    message = "is the rooftop pool on the terrace salt water or chlorine?"
    found = decide(index, message, language="en", threshold=0.7)
    assert found.selected == []
    assert closed_question(message, True, "en", longest=12)
    assert not closed_question(message, True, "en")


def test_a_why_question_is_a_problem_for_a_person() -> None:
    index = build_index(BIKES)
    assert asks_why("how come the washing machine keeps flashing?", "en")
    assert asks_why("perché la lavatrice non scarica?", "it")
    assert not asks_why("where is the washing machine?", "en")
    assert decide(index, "why does the washing machine beep?", language="en", threshold=0.7).selected == []
    assert [c.topic for c in decide(index, "where is the washing machine?", language="en", threshold=0.7).selected] == [
        "laundry"
    ]


def test_a_question_split_at_a_joining_word_still_asks_about_the_topic() -> None:
    index = build_index(BIKES)
    # "ook" splits the question: "geschikt voor een baby?" still asks about the pool, and the entry does not say.
    assert decide(index, "is het zwembad ook geschikt voor een baby?", language="nl", threshold=0.7).selected == []
    found = decide(index, "is het zwembad ook open in juni?", language="nl", threshold=0.7)
    assert [c.topic for c in found.selected] == ["pool"]


def test_a_choice_the_entry_gives_neither_side_of_is_left_to_a_person() -> None:
    assert neither_given(INDEX, "is the parking covered or open air?", ["parking"], language="en") == ["covered"]
    assert neither_given(INDEX, "¿aceptan tarjeta o mejor llevo efectivo?", ["parking"], language="es")


def test_a_choice_the_entry_gives_one_side_of_or_no_choice_at_all_is_answered() -> None:
    assert neither_given(INDEX, "is there a hairdryer or should I pack mine?", ["amenities"], language="en") == []
    assert neither_given(INDEX, "quanto costa più o meno il parcheggio?", ["parking"], language="it") == []
    assert neither_given(INDEX, "où est le parking ?", ["parking"], language="fr") == []  # "où" is no "ou"


def test_a_thing_nothing_knows_is_not_given_even_where_the_entry_is_in_another_language() -> None:
    assert unknown_things(INDEX, "in piscina c'è il bagnino?", ["pool"], language="it") == ["bagnino"]
    assert unknown_things(INDEX, "c'è l'aria condizionata?", ["heating_cooling"], language="it") == []


def test_a_time_told_before_the_clause_naming_the_topic_asks_for_no_hours() -> None:
    assert answered("it gets cold at night, does the air conditioning heat too?") == (["heating_cooling"], 0)
    assert answered("the tram, does it run at night?") == ([], 1)  # the clause naming the tram asks the hours


def test_a_request_for_the_entry_is_an_open_question() -> None:
    assert is_open("me pasas la clave del wifi", "es") and is_open("me passa a senha", "pt")
    assert answered("me pasas la clave del wifi? el celu no se quiere conectar", language="es")[0] == ["wifi"]


def test_a_time_told_in_a_clause_that_asks_nothing_asks_for_no_hours() -> None:
    # The clause naming the topic ("freezing") tells when it is cold; the clause after it asks how.
    assert answered("the bedroom is freezing at night, how do we get the air con on") == (
        ["heating_cooling"],
        0,
    )
    assert answered("the tram, 5 minutes away, does it run at night?") == ([], 1)  # the asking clause asks the hours


def test_who_asks_is_no_detail_a_closed_question_asks_about() -> None:
    index = build_index([{"topic": "smoking", "title": "Smoking", "content": {"en": "You can smoke on the balcony."}}])
    found = decide(index, "can my partner smoke on the balcony?", language="en", threshold=0.7)
    assert [c.topic for c in found.selected] == ["smoking"]


def test_a_call_that_keeps_freezing_is_no_cold_room() -> None:
    assert answered("what's the wifi password, the video calls keep freezing?") == (["wifi"], 0)


def test_the_guests_own_thing_after_a_possessive_is_no_thing_asked() -> None:
    assert owned("is there a monitor I can plug my old laptop into", "en") == frozenset({"old", "laptop"})
    assert unknown_things(INDEX, "is there a towel I can dry my labradoodle with?", ["amenities"], language="en") == []
    assert unknown_things(INDEX, "is there a labradoodle towel?", ["amenities"], language="en") == ["labradoodle"]


def test_anywhere_asks_whether_there_is_a_thing() -> None:
    assert asks_whether("is there a car wash anywhere near the flat?")
    assert answered("is there a car wash anywhere near the flat?") == ([], 1)


def test_the_words_of_nearness_ask_for_no_thing() -> None:
    # "near the flat" says where: the parking entry answers (a staff-marked reply of the demo, tests/evals/marked)
    assert answered("is there anywhere to park a car near the flat") == (["parking"], 0)


def test_a_greeting_asks_for_no_recommendation() -> None:
    # "dobry", "guten", "buon" start like recommendation words: the greeting made every such question an open one.
    assert not is_open("dzien dobry, czy parking jest strzezony", "pl")
    assert answered("dzien dobry, czy parking jest strzezony?", language="pl") == ([], 1)
    assert is_open("znacie dobry parking", "pl")  # "a good parking" still asks for tips


def test_a_dictated_question_asking_whether_there_is_a_thing_is_checked_like_a_marked_one() -> None:
    assert answered("is there a lifeguard at the pool") == ([], 1)
    assert answered("is there a lifeguard at the pool?") == ([], 1)
    assert answered("is there a hairdryer somewhere") == (["amenities"], 0)


def test_the_thing_that_named_the_topic_must_be_in_its_entry() -> None:
    # "sombrilla" is an amenities word, but this list of what the house has names no umbrella.
    assert answered("hay sombrillas en la casa o hay que comprar una", language="es") == ([], 1)
    assert answered("hay secador de pelo?", language="es") == (["amenities"], 0)


def test_a_hyphenated_thing_is_a_content_word_but_a_verb_and_its_pronoun_is_not() -> None:
    assert "salva-vidas" in content_words("a piscina tem salva-vidas?", language="pt")
    assert answered("a piscina tem salva-vidas?", language="pt") == ([], 1)
    assert content_words("pode-se fumar na varanda", language="pt") == ["fumar", "varanda"]


def test_a_figure_with_its_unit_is_a_detail_of_a_short_closed_question() -> None:
    assert short_words("is the desk monitor 4k? or 7kg, 5g") == ["4k", "7kg", "5g"]
    assert short_words("at 15h or 9pm on the 3rd floor, 24h") == []
    assert answered("is the wifi 5g?") == ([], 1)


def test_a_yes_no_frame_asks_nothing_open() -> None:
    assert not is_open("est-ce que le lave-vaisselle a un programme rapide ?", "fr")
    assert is_open("qu'est-ce que c'est ?", "fr")  # what
    assert is_open("est-ce qu'il y a un parking ?", "fr")  # is there


def test_a_closed_question_is_checked_longer_except_in_an_inflected_language() -> None:
    assert closed_question("les enfants peuvent aller à la piscine sans adulte ?", True, "fr")
    assert not closed_question("czy pies może zostać sam w mieszkaniu na godzinę?", True, "pl")


def test_how_a_guest_tells_a_problem_is_no_detail_the_entry_lacks() -> None:
    # "keeps", "down", "enough": everyday words (knowledge/data/words.yaml), not something the entry must mention
    assert "keeps" not in content_words("the wifi keeps dropping, can you resend the password?", language="en")
    assert "enough" not in content_words("is there a big enough pot in the kitchen?", language="en")
    assert uncovered(INDEX, "is the wifi password there, it keeps", ["wifi"], language="en", closed=True) == []


def test_a_thing_asked_in_a_piece_of_its_own_must_be_in_its_entry() -> None:
    # "and" splits "are there pots and pans?" before its question mark, and the best word of the message ("cook")
    # names the kitchen: the things each piece asks about are what its entry must name.
    index = build_index([{"topic": "kitchen", "title": "Kitchen", "content": {"en": "A hob, an oven and a kettle."}}])
    for message in ("are there pots and pans?", "wanna cook pasta tonight, are there pans? and is there olive oil"):
        assert decide(index, message, language="en", threshold=0.7).selected == []
    kettle = decide(index, "is there a kettle and an oven?", language="en", threshold=0.7)
    assert [c.topic for c in kettle.selected] == ["kitchen"]


def test_how_a_guest_asks_whether_is_no_thing_the_entry_lacks() -> None:
    # "gibts" ("gibt es" as one word) and "nen", French "le droit de" (allowed): how the guest asks, not what about
    # (knowledge/data/words.yaml), so the short closed question is answered by its entry.
    index = build_index(
        [
            {"topic": "smoking", "title": "Smoking", "content": {"en": "No smoking inside; the balcony is fine."}},
            {"topic": "laundry", "title": "Laundry", "content": {"en": "A washing machine in the bathroom."}},
        ]
    )
    smoking = decide(index, "on a le droit de fumer sur le balcon ?", language="fr", threshold=0.7)
    assert [c.topic for c in smoking.selected] == ["smoking"]
    washer = decide(index, "gibts nen Waschmaschine?", language="de", threshold=0.7)
    assert [c.topic for c in washer.selected] == ["laundry"]
