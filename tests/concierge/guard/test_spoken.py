import pytest

from concierge.guard.phrases import normalize
from concierge.guard.spoken import with_digits


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "could we check in at around eleven?", "could we check in at around 11?"),
        ("en", "could we stay till half past twelve", "could we stay till 12"),
        ("de", "so gegen halb elf", "gegen 10"),  # half past ten
        ("de", "erst gegen eins auschecken", "erst gegen 1 auschecken"),
        ("de", "um zwölf Uhr", "um 12h"),
        ("pl", "wymeldować się koło pierwszej", "wymeldowac sie okolo 1"),
        ("pl", "o wpół do dwunastej", "o 11"),
        ("it", "verso le dieci e mezza", "verso le 10"),
        ("it", "verso l'una", "verso le 1"),
        ("es", "sobre la una y pico", "a las 1"),
        ("fr", "vers onze heures et demie", "vers 11h"),
        ("nl", "rond een uur of twee", "rond 2"),
        ("pt", "lá pelas duas e meia", "por volta das 2"),
    ],
)
def test_spoken_hours_are_written_as_digits(language: str, text: str, expected: str) -> None:
    assert with_digits(normalize(text), language) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "we are two adults and one kid"),
        ("en", "one more night please"),
        ("en", "we'll eat at one of the cafés"),
        ("en", "back in about two hours"),
        ("es", "una pregunta, somos dos"),
        ("de", "ein paar Fragen"),
        ("de", "vor zwei Tagen"),
        ("pl", "będą dwie osoby"),
        ("pl", "po drugiej stronie ulicy"),
        ("fr", "on sera à deux"),
        ("it", "una camera per due"),
        ("nl", "we zijn met twee personen"),
        ("ja", "十時ごろ"),
        ("fr", "on arrive une heure plus tard"),
        ("nl", "we komen een uur later"),
        ("nl", "een uur of twaalf 's nachts"),
        ("de", "bis halb 12"),
    ],
)
def test_numbers_that_are_no_hours_stay_words(language: str, text: str) -> None:
    assert with_digits(normalize(text), language) == normalize(text)
