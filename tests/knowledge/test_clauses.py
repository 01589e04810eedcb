"""A sentence without a question mark, cut into its clauses: questions and the circumstances around them."""

from knowledge.clauses import clauses, placed, where_only
from knowledge.index import build_index
from knowledge.retrieval import Candidate


def cut(text: str, language: str = "en") -> list[tuple[str, bool]]:
    return [(clause.strip(), question) for clause, question in clauses(text, language)]


def test_two_questions_without_a_question_mark_are_two_clauses() -> None:
    assert cut("what's the wifi password is there parking nearby") == [
        ("what's the wifi password", True),
        ("is there parking nearby", True),
    ]
    assert cut("qual a senha do wifi onde fica o lixo", "pt") == [
        ("qual a senha do wifi", True),
        ("onde fica o lixo", True),
    ]


def test_a_circumstance_before_the_question_is_no_question() -> None:
    assert cut("Our train gets in at 11 in the morning, what time is check in") == [
        ("Our train gets in at 11 in the morning", False),
        ("what time is check in", True),
    ]


def test_only_a_question_is_cut_before_the_next_question_word() -> None:
    assert cut("en la piscina hay toallas o llevamos las del baño", "es") == [
        ("en la piscina hay toallas o llevamos las del baño", False)
    ]
    assert cut("where can we park") == [("where can we park", True)]  # "can we" right after "where": one question


def test_spanish_and_portuguese_questions_typed_without_accents_are_questions() -> None:
    assert cut("cuantas personas maximo", "es") == [("cuantas personas maximo", True)]
    assert cut("donde esta la lavadora", "es") == [("donde esta la lavadora", True)]
    assert cut("que horas e o checkout", "pt") == [("que horas e o checkout", True)]
    assert cut("da pra estacionar na rua", "pt") == [("da pra estacionar na rua", True)]
    # "como" and "cuando" also start a reason or a time: no question without their accents
    assert cut("como llegamos tarde dejamos las maletas abajo", "es") == [
        ("como llegamos tarde dejamos las maletas abajo", False)
    ]


def test_a_phrase_that_only_begins_like_a_question_asks_nothing() -> None:
    assert cut("andamos con guagua y hay que calentar la mamadera", "es") == [
        ("andamos con guagua y hay que calentar la mamadera", False)
    ]
    assert cut("hay que sacar la basura", "es") == [("hay que sacar la basura", False)]
    assert cut("hay toallas de playa", "es") == [("hay toallas de playa", True)]


def test_a_condition_ends_where_its_question_starts() -> None:
    assert cut("si nuestro tren sale a las 6 de la tarde podemos dejar las mochilas en algun sitio", "es") == [
        ("si nuestro tren sale a las 6 de la tarde", False),
        ("podemos dejar las mochilas en algun sitio", True),
    ]
    assert cut("if we land late can we still get in") == [("if we land late", False), ("can we still get in", True)]
    assert cut("nuestro tren sale a las 6 podemos dejar las mochilas", "es") == [  # no condition: one clause
        ("nuestro tren sale a las 6 podemos dejar las mochilas", False)
    ]


def test_words_keep_their_accents_and_requests_are_questions() -> None:
    assert len(cut("des serviettes ou des draps", "fr")) == 1  # "ou" is "or", "où" is "where"
    assert cut("WLAN Passwort bitte, die Klimaanlage geht", "de") == [
        ("WLAN Passwort bitte", True),
        ("die Klimaanlage geht", False),
    ]


def test_japanese_sentences_are_cut_at_spaces() -> None:
    assert cut("WiFiのパスワードを教えてください 駐車場はありますか", "ja") == [
        ("WiFiのパスワードを教えてください", True),
        ("駐車場はありますか", True),
    ]


def test_a_word_right_after_a_preposition_of_place_is_a_place() -> None:
    assert placed("is there a washing machine in the kitchen?", "en") == {"kitchen"}
    assert placed("darf der Hund mit an den Strand?", "de") == {"strand"}
    assert placed("is there a washing machine?", "en") == frozenset()


def test_the_rules_asked_beside_a_subject_are_the_subjects_rules() -> None:
    from knowledge.index import build_index
    from knowledge.questions import decide

    index = build_index(
        [
            {"topic": "house_rules", "title": "House rules", "content": {"en": "Maximum 6 people. No parties."}},
            {"topic": "pets", "title": "Pets", "content": {"en": "One dog is welcome, 15 € per stay."}},
        ]
    )

    def topics(message: str, language: str) -> list[str]:
        return [c.topic for c in decide(index, message, language=language, threshold=0.7).selected]

    assert topics("bierzemy psa, jakie sa zasady?", "pl") == ["pets"]
    assert topics("what are the rules for dogs?", "en") == ["pets"]
    assert topics("what are the rules?", "en") == ["house_rules"]


STREETS = build_index(
    [
        {"topic": "directions", "title": "Address", "content": {"en": "Carrer de la Reina 85, flat 3B."}},
        {"topic": "access", "title": "Key box", "content": {"en": "The key box is left of the street door."}},
    ]
)


def test_a_street_said_as_where_something_is_done_is_not_the_address_asked() -> None:
    street = [Candidate("directions", 0.9, matched="calle", source="lexicon")]
    assert where_only(STREETS, street, "hay algo cerca o mejor en la calle?", "es", floor=0.45)[0].score < 0.45
    assert where_only(STREETS, street, "en qué calle está el piso?", "es", floor=0.45) == street  # which street
    portal = [Candidate("access", 0.9, matched="portal", source="lexicon")]
    text = "estoy en el portal con las maletas, cual era el codigo de la cajita?"  # the code names it too
    assert where_only(STREETS, portal, text, "es", floor=0.45) == portal
