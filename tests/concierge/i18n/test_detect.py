"""The language rule: lingua plus function words, loanwords set aside, and the guest's priors."""

import pytest

from concierge.i18n import detect
from concierge.i18n.detect import detect_language, phone_language
from concierge.i18n.keywords import keyword_phrases


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a che ora è il check-in", "it"),
        ("Où est le parking ?", "fr"),
        ("wann ist checkout", "de"),
        ("waar kan ik parkeren", "nl"),
        ("gdzie mogę zaparkować samochód?", "pl"),
        ("onde posso estacionar o carro?", "pt"),
        ("¿dónde tiro la basura?", "es"),
        ("チェックインは何時ですか", "ja"),
        ("几点退房？", "zh"),
    ],
)
def test_loanwords_do_not_flip_the_language(text: str, expected: str) -> None:
    decision = detect_language(text, current="en", reservation="en", default="en")
    assert decision.language == expected
    assert decision.reason in ("detected", "script")


@pytest.mark.parametrize("text", ["ok", "thanks", "merci", "👍", "wifi?", "parking"])
def test_short_or_ambiguous_messages_keep_the_conversation_language(text: str) -> None:
    decision = detect_language(text, current="de", reservation="en", default="es")
    assert (decision.language, decision.reason) == ("de", "sticky")


def test_priors_in_order_reservation_then_phone_then_property() -> None:
    assert detect_language("wifi", current=None, reservation="fr", default="es", phone="+447700900123").reason == (
        "reservation"
    )
    by_phone = detect_language("wifi", current=None, reservation=None, default="es", phone="whatsapp:+4915123456789")
    assert (by_phone.language, by_phone.reason) == ("de", "phone")
    unknown = detect_language("wifi", current=None, reservation=None, default="es", phone="+999")
    assert (unknown.language, unknown.reason) == ("es", "property")


def test_a_typo_ridden_loanword_message_keeps_the_reservation_language() -> None:
    assert detect_language("wiifi pasword", current=None, reservation="es", default="es").language == "es"


@pytest.mark.parametrize(
    ("phone", "language"),
    [("+34611111111", "es"), ("+447700900123", "en"), ("+33612345678", "fr"), ("+48601234567", "pl"), ("x", None)],
)
def test_phone_language(phone: str, language: str | None) -> None:
    assert phone_language(phone) == language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a piscina é aquecida?", "pt"),  # "é" is Portuguese with its accent; folded it is nobody's word
        ("há metro perto do apartamento?", "pt"),
        ("¿hay metro cerca del apartamento?", "es"),
    ],
)
def test_accented_little_words_tell_portuguese_from_a_spanish_booking(text: str, expected: str) -> None:
    decision = detect_language(text, current=None, reservation="es", default="es", phone="+34611111111")
    assert decision.language == expected


@pytest.mark.parametrize(
    ("text", "reservation", "phone", "expected"),
    [
        # lingua's trigrams read these as Portuguese; "la" and "ha" are no Portuguese words
        ("la lavadora no funciona", "es", "+34611111111", "es"),
        ("se ha roto la lavadora", None, "+15551234567", "es"),
        ("la piscina está climatizada?", None, "+15551234567", "es"),
        ("a que horas podemos entrar no apartamento no sábado?", None, "+447700900123", "pt"),  # Portuguese "no"
        ("pode-se fumar no jardim?", None, "+34622113344", "pt"),
        ("où est-ce qu'on se gare ?", "es", "+34611111111", "fr"),  # "se" is French too
    ],
)
def test_shared_little_words_count_for_every_language_that_has_them(
    text: str, reservation: str | None, phone: str, expected: str
) -> None:
    decision = detect_language(text, current=None, reservation=reservation, default="en", phone=phone)
    assert decision.language == expected


def test_a_spanish_topic_phrase_is_spanish_although_a_word_of_it_is_portuguese() -> None:
    decision = detect_language("secador de pelo?", current=None, reservation="es", default="es")
    assert decision.language == "es"
    assert detect_language("tem toalhas de praia?", current=None, reservation="es", default="es").language == "pt"


def test_a_phone_country_gives_way_to_a_short_message_in_another_language() -> None:
    us = "+15551234567"
    assert (
        detect_language("cafetera de capsulas?", current=None, reservation=None, default="es", phone=us).language
        == "es"
    )
    booked = detect_language("cafetera de capsulas?", current=None, reservation="en", default="es", phone=us)
    assert booked.language == "en"  # a booking's language needs the full margin


@pytest.mark.parametrize(
    ("text", "phone", "expected"),
    [
        # "somos", "dos", "esta", "podemos" are Spanish words too; "o es" is the Spanish "or", never the article
        ("somos 3 adultos, cabemos todos? o es maximo 2", "+15551234567", "es"),
        ("somos dos parejas, cabemos todos o es mucho?", "+15551234567", "es"),
        ("donde esta la lavadora", "+351915550011", "es"),
        # near misses: Portuguese keeps its article, its "a que horas", its "onde"
        ("como ligo o ar condicionado?", "+34611111111", "pt"),
        ("onde esta a maquina de lavar?", "+34611111111", "pt"),
        ("a partir de que horas podemos entrar?", "+34611111111", "pt"),
        ("somos 3, cabe todo mundo no apartamento?", "+15551234567", "pt"),
    ],
)
def test_words_spanish_and_portuguese_share_count_for_both(text: str, phone: str, expected: str) -> None:
    assert detect_language(text, current=None, reservation=None, default="en", phone=phone).language == expected


def test_a_portuguese_everyday_word_outweighs_a_word_italian_shares() -> None:
    text = "quanto custa guardar as malas?"  # "quanto" is Italian too, "custa" only Portuguese
    assert detect_language(text, current=None, reservation="it", default="de").language == "pt"
    assert (
        detect_language("quanto costa il deposito bagagli?", current=None, reservation="pt", default="de").language
        == "it"
    )


def test_english_chat_words_tell_english_when_nothing_else_is_another_language() -> None:
    assert detect_language("wifi password pls", current=None, reservation="de", default="nl").language == "en"
    assert (
        detect_language("towels pls", current=None, reservation=None, default="es", phone="+34611111111").language
        == "en"
    )
    # beside another language's own word they say nothing; in a conversation one word keeps its language
    assert detect_language("hola, wifi pls", current=None, reservation="it", default="nl").language == "es"
    assert detect_language("wifi passwort pls", current=None, reservation="de", default="nl").language == "de"
    assert detect_language("ok thx", current="de", reservation="de", default="nl").language == "de"


@pytest.mark.parametrize(
    ("word", "languages"),
    [
        ("mas", {"es", "pt"}),  # a Spanish topic word ("mas tarde"); "mas onde fica?" is Portuguese
        ("lado", {"es", "pt"}),  # a Portuguese one ("ao lado"); "al lado" is as Spanish
        ("abre", {"es", "pt"}),
        ("sale", {"fr", "es", "it"}),  # French "linge sale"; Spanish "sale", Italian "sale" (salt)
    ],
)
def test_a_topic_word_another_language_writes_every_day_counts_for_both(word: str, languages: set[str]) -> None:
    # under six letters lingua is not asked: the scores are the word lists' alone
    scores = detect_language(word, current=None, reservation=None, default="en").scores
    assert set(scores) == languages
    assert len(set(scores.values())) == 1


def test_a_topic_word_no_other_language_writes_still_counts_for_its_own() -> None:
    assert detect_language("lixo", current=None, reservation=None, default="en").scores == {"pt": 0.5}


def test_every_everyday_word_is_another_languages_topic_word() -> None:
    """A word of everyday_words.yaml that no other language's topic lists hold would be dead data."""
    import re
    from pathlib import Path

    import yaml

    from concierge.core.text import fold
    from knowledge.lexicon import KEYWORDS

    path = Path(__file__).parents[3] / "concierge" / "i18n" / "data" / "everyday_words.yaml"
    everyday = yaml.safe_load(path.read_text(encoding="utf-8"))
    topic: dict[str, set[str]] = {}
    for by_language in KEYWORDS.values():
        for lang, keywords in by_language.items():
            topic.setdefault(lang, set()).update(fold(w) for k in keywords for w in re.findall(r"[^\W\d_]+", k))
    for lang, words in everyday.items():
        dead = [w for w in words if not any(fold(w) in found for other, found in topic.items() if other != lang)]
        assert not dead, (lang, dead)


def test_a_topic_phrase_another_language_writes_word_for_word_counts_for_both() -> None:
    """The Spanish topic phrase "nos vamos" is everyday Portuguese too ("nós vamos"): 1 for each, tipping neither;
    "secador de pelo" stays Spanish only ("secador" is no everyday Portuguese word)."""
    held = detect._phrases_in(["amanha", "nos", "vamos", "cedo"])
    assert ("nos", "vamos") in held["es"]
    assert ("nos", "vamos") in held["pt"]
    assert "pt" not in detect._phrases_in(["secador", "de", "pelo"])


def test_every_shared_topic_phrase_is_word_for_word_the_other_languages() -> None:
    own = keyword_phrases()
    little = detect._little_words()
    for lang, phrases in detect._TOPIC_PHRASES.items():
        for phrase in phrases:
            if phrase not in own.get(lang, ()) and phrase not in detect._PAIRS.get(lang, ()):
                assert all(w in little[lang] for w in phrase), (lang, phrase)


def test_a_little_word_several_languages_share_is_no_loanword() -> None:
    # The broadened topic lists hold "a" and "de" in phrases of many languages: still little words, never set aside.
    assert {"a", "de", "que"}.isdisjoint(detect._LOANWORDS)
    assert {"wifi", "parking", "taxi"} <= detect._LOANWORDS


def test_a_topic_word_of_one_language_family_is_evidence_for_that_family() -> None:
    # "piscina" (es, it, pt) and "wlan" (de, en, nl) are cognates, not loanwords like "wifi".
    assert "piscina" in detect._COGNATES["pt"] and "piscina" not in detect._LOANWORDS
    assert "wlan" in detect._COGNATES["de"] and "wlan" not in detect._LOANWORDS
    assert detect_language("wlan passwort?", current=None, reservation="fr", default="fr").language == "de"


def test_the_detector_is_not_given_a_word_of_three_languages() -> None:
    # lingua reads "la llave de la piscina" as Italian by "piscina"; the Spanish booking's language stays.
    assert "piscina" in detect._UNREAD
    assert detect_language("la llave de la piscina", current=None, reservation="es", default="es").language == "es"


def test_chat_shorthand_only_one_language_types_is_its_own() -> None:
    assert "hj" in detect._SHORTHAND["pt"]
    assert "tb" not in detect._SHORTHAND["pt"]  # Spanish shorthand too
    assert "x" not in detect._SHORTHAND.get("es", ())  # one letter says nothing
    decision = detect_language("a piscina ta aberta hj?", current=None, reservation="es", default="es")
    assert decision.language == "pt"


def test_a_spanish_topic_phrase_portuguese_writes_word_for_word_counts_for_both() -> None:
    found = detect._phrases_in(["nossa", "que", "calor"])
    assert ("que", "calor") in found["pt"] and ("que", "calor") in found["es"]
    assert detect_language("tem uma fuga de agua", current=None, reservation="es", default="es").language == "pt"


def test_italian_c_e_is_italian() -> None:
    text = "sai se c'è una palestra qui vicino?"
    assert detect_language(text, current=None, reservation="fr", default="fr").language == "it"


def test_italian_function_words_spanish_writes_too_are_spanish_as_well() -> None:
    text = "al final viene también mi cuñada con su hijo, seríamos cinco, ¿pasa algo?"
    assert detect_language(text, current=None, reservation="it", default="de").language == "es"


@pytest.mark.parametrize(
    ("text", "reservation", "expected"),
    [
        ("gente a piscina fecha que horas?", "es", "pt"),  # "fecha que": a Spanish noun, a Portuguese verb
        ("como liga a jacuzzi?", "es", "pt"),  # "como liga", "liga a": Spanish "cómo se enciende el"
        ("il wifi non va", "fr", "it"),  # "non va": French "ne va pas"
    ],
)
def test_a_word_pair_only_one_language_writes_outweighs_words_both_share(
    text: str, reservation: str, expected: str
) -> None:
    assert detect_language(text, current=None, reservation=reservation, default=reservation).language == expected


def test_a_word_pair_takes_its_words_from_the_other_languages_shared_words() -> None:
    # "que" is a Spanish shared word, but inside the Portuguese "que horas" it is no Spanish evidence.
    scores = detect_language("gente a piscina fecha que horas?", current=None, reservation="es", default="es").scores
    assert scores["pt"] - scores.get("es", 0.0) >= detect.SWITCH_MARGIN


def test_spoken_german_ne_and_gibts_are_german() -> None:
    decision = detect_language("gibts ne Waschmaschine?", current=None, reservation="fr", default="fr")
    assert decision.language == "de"


def test_a_function_word_is_never_a_loanword() -> None:
    # "do" is Polish ("do której") and Portuguese ("chave do quarto"), whatever topic phrases of three families hold.
    assert "do" not in detect._LOANWORDS
    decision = detect_language("do ktorej jest otwarty basen?", current=None, reservation="es", default="es")
    assert decision.language == "pl"


def test_no_everyday_word_of_the_real_data_is_a_loanword() -> None:
    """Lexicon guard: a new topic phrase ("parcheggiare la macchina", "conectar no wifi") must not make a little word
    any language writes every day ("la", "no", "da", "in") a loanword, which is no evidence for any language. Accented
    words are other words once folded ("über" is no "uber")."""
    from concierge.core.text import fold
    from knowledge.lexicon import SHARED_FUNCTION_WORDS

    little = {(w, lang) for lang, words in detect._little_words().items() for w in words}
    little |= {(fold(w), "shared") for w in SHARED_FUNCTION_WORDS}
    lists = (*detect.FUNCTION_WORDS.values(), *detect.COMMON_BY_LANGUAGE.values())
    accented = {fold(w) for words in lists for w in words if fold(w) != w.lower()}
    loanwords = sorted((w, lang) for w, lang in little if w in detect._LOANWORDS and w not in accented)
    assert loanwords == []


def test_no_letter_is_listed_for_two_languages() -> None:
    owners: dict[str, list[str]] = {}
    for lang, letters in detect._LETTERS.items():
        for letter in letters:
            owners.setdefault(letter, []).append(lang)
    assert {letter: langs for letter, langs in owners.items() if len(langs) > 1} == {}
    assert detect._LETTERS["pl"] >= set("ąęłśźżćń") and "ç" not in set().union(*detect._LETTERS.values())


@pytest.mark.parametrize(
    ("text", "reservation", "expected"),
    [
        ("czy pawilon Zeezicht jest otwarty zimą?", "de", "pl"),  # lingua reads the Dutch name as German
        ("ogrzewanie nie działa, zimno jak na Montmartre", "fr", "pl"),
    ],
)
def test_a_letter_only_one_language_writes_is_its_evidence(text: str, reservation: str, expected: str) -> None:
    assert detect_language(text, current=None, reservation=reservation, default=reservation).language == expected


def test_a_letter_counts_once_per_word() -> None:
    one = detect_language("zimą", current=None, reservation="de", default="de").scores.get("pl", 0.0)
    two = detect_language("źżą", current=None, reservation="de", default="de").scores.get("pl", 0.0)
    assert one >= 1.0 and two - one < 1.0


@pytest.mark.parametrize(
    ("text", "reservation"),
    [
        ("il check out e alle 11?", "de"),
        ("il check out e alle 10 o alle 11?", "es"),
        ("alle ore 22 il check in?", "de"),
    ],
)
def test_italian_e_alle_and_alle_ore_are_italian(text: str, reservation: str) -> None:
    assert detect_language(text, current=None, reservation=reservation, default=reservation).language == "it"


def test_a_loanword_written_in_two_words_is_set_aside() -> None:
    # "check out" is "check-out": lingua is not given it (it reads "check out e alle" as German).
    assert detect._without_loanwords(["il", "check", "out", "e", "alle"]) == ["il", "e", "alle"]
    assert detect._without_loanwords(["check", "the", "wifi"]) == ["check", "the"]
