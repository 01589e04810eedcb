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


def test_a_short_japanese_or_chinese_piece_ending_with_its_particle_asks_without_its_mark() -> None:
    from knowledge.clauses import ends_asking

    assert ends_asking("厨房有电饭煲吗", "zh") and ends_asking("另外垃圾要扔到哪里～", "zh")
    assert ends_asking("洗濯用の柔軟剤は置いてありますか", "ja")
    assert not ends_asking(
        "我们下周三的航班到瓦伦西亚机场 从机场过去坐地铁方便还是打车方便 大概要多少钱", "zh"
    )  # a story
    assert not ends_asking("房间好冷", "zh") and not ends_asking("is there a rice cooker", "en")


def test_a_japanese_or_chinese_noun_of_location_beside_another_topic_says_where_that_thing_is() -> None:
    index = build_index(
        [
            {"topic": "directions", "title": "Address", "content": {"en": "Address: Paul-Lincke-Ufer 21."}},
            {"topic": "luggage", "title": "Bags", "content": {"en": "Leave bags at the Stasher point."}},
        ]
    )

    def ranked(text: str) -> list[str]:
        found = [Candidate(topic="directions", score=1.0, matched="場所", source="lexicon")]
        found += (
            [Candidate(topic="luggage", score=1.0, matched="荷物を預け", source="lexicon")] if "荷物" in text else []
        )
        return [c.topic for c in where_only(index, found, text, "ja", floor=0.5) if c.score >= 0.5]

    assert ranked("荷物を預けられる場所があれば教えてください") == ["luggage"]
    assert ranked("場所がよく分からないので住所を教えてください") == ["directions"]


def test_an_unmarked_sentence_is_cut_after_the_piece_that_asks() -> None:
    from knowledge.clauses import cut_asked

    assert cut_asked("附近有超市吗 想买点菜自己做饭", "zh") == ["附近有超市吗", "想买点菜自己做饭"]
    assert cut_asked("明天早上想出去吃个早餐 附近有推荐的咖啡店吗", "zh") == [
        "明天早上想出去吃个早餐 附近有推荐的咖啡店吗"
    ]
    assert cut_asked("is there a supermarket nearby we want to cook", "en") == [
        "is there a supermarket nearby we want to cook"
    ]


def test_a_question_after_but_is_cut_from_the_statement_before_it() -> None:
    found = clauses("the telly works fine but what's the code for the internet?", "en")
    assert found == [("the telly works fine but ", False), ("what's the code for the internet?", True)]
