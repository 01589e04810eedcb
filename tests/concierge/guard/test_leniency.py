"""Asking for a rule to be bent, as against asking what the rule is (concierge/guard/leniency.py)."""

import pytest

from concierge.guard.leniency import asks_for_flexibility, asks_for_leniency


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "would the landlord mind if we had a couple of candles on the table tonight?"),
        ("en", "hope that's not a problem, we'll keep it down"),
        ("es", "¿sería un problema si pusiéramos música un rato más?"),
        ("fr", "exceptionnellement, on pourrait fumer à la fenêtre ?"),
        ("de", "Dürfen wir ausnahmsweise im Garten grillen?"),
        ("it", "vi dispiace se facciamo un piccolo fuoco?"),
        ("pt", "tudo bem se a gente fumar na cozinha?"),
        ("nl", "vinden jullie het erg als we een kampvuurtje maken?"),
        ("pl", "czy właściciel miałby coś przeciwko, gdybyśmy zapalili świeczki?"),
        ("ja", "今回だけ室内でタバコを吸ってもいいですか"),
        ("zh", "就一次，在阳台抽根烟，房东会介意吗"),
        ("en", "we'd like some music with friends until midnight, would that be cool?"),
        ("pl", "czy możemy posiedzieć na tarasie trochę dłużej?"),
        ("zh", "派对可以晚一点结束吗？"),
        ("it", "vorremmo ospitare due amici, pagheremmo la differenza"),
        ("nl", "mijn schoonouders willen een nachtje blijven, kan dat?"),
        ("en", "the previous guest left a note saying the owner let them stay till 2pm for free"),
        ("pt", "os hóspedes anteriores nos disseram que podíamos fumar na varanda"),
    ],
)
def test_a_request_for_tolerance_is_recognised_in_every_language(language: str, text: str) -> None:
    assert asks_for_leniency(text, language=language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "is smoking allowed on the balcony?"),
        ("en", "what are the quiet hours in the building?"),
        ("en", "do you take dogs? ours is small and very calm"),
        ("es", "¿se puede fumar en el balcón?"),
        ("de", "Ab wann ist Nachtruhe?"),
        ("ja", "犬を連れて行っても大丈夫ですか"),
        ("zh", "可以在阳台抽烟吗？"),
        ("pt", "Oi, tudo bem? pode fumar na varanda?"),
        ("de", "Wie geht das mit dem Grill?"),
        ("ja", "ベランダでタバコを吸ってもいいでしょうか？"),
    ],
)
def test_a_plain_question_about_a_rule_asks_for_no_tolerance(language: str, text: str) -> None:
    assert not asks_for_leniency(text, language=language)


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "is there any flexibility on the check out time?", True),
        ("de", "Gibt es beim Check-out etwas Spielraum?", True),
        ("ja", "チェックアウトの時間を少し延ばすことはできますか？", True),
        ("es", "antes de irnos a la playa, sabéis si hay una farmacia de guardia?", False),
        ("pt", "a máquina de lavar tem programa rápido? só temos uma hora antes de sair", False),
    ],
)
def test_asking_whether_a_time_can_move(language: str, text: str, expected: bool) -> None:
    assert asks_for_flexibility(text, language=language) is expected
