"""Emergencies described rather than named, in every language (issue #17 point 6): someone else's condition, a
child, an allergy, chest pressure, a seizure, someone face down in water, a CO alarm, a sparking socket, a stranger
at the door at night, locked out at night with a baby. Each is an emergency, never a question."""

import pytest

from concierge.core.text import simplified
from concierge.guard.policy import policy_from
from concierge.guard.screening import Screener
from knowledge.policy import Action

POLICY = policy_from(None)


def action(text: str, language: str) -> Action:
    return Screener().screen(text, language=language, history=(), policy=POLICY).action


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "my grandad tripped in the garden and now he isn't making sense"),
        ("en", "her lips are getting bigger and bigger, she has a peanut allergy"),
        ("en", "mum says there's a crushing feeling in her chest"),
        ("en", "my daughter went stiff and her eyes rolled back"),
        ("en", "there's a kid floating face down in the hot tub"),
        ("en", "the carbon thing on the wall is beeping and the screen shows CO"),
        ("en", "a man keeps turning the handle of our door, it's the middle of the night"),
        ("en", "it's 1am and the keypad just flashes red, we're outside with the kids"),
        ("en", "the candle caught the curtain and it's going up"),
        ("es", "mi abuela está tirada en el suelo del baño y no contesta"),
        ("es", "a mi padre le oprime el pecho y está sudando"),
        ("fr", "mon mari a une douleur qui lui écrase la poitrine"),
        ("fr", "un type essaie d'ouvrir la porte de l'appartement"),
        ("de", "mein Vater hat so einen Druck auf der Brust"),
        ("de", "es ist mitten in der Nacht und das Türschloss blinkt nur rot, wir stehen draußen"),
        ("it", "mio nonno si è accasciato in cucina"),
        ("it", "mia moglie ha un peso sul petto e fa fatica a respirare"),
        ("pt", "o meu pai sente um aperto no peito"),
        ("nl", "mijn moeder is in elkaar gezakt in de badkamer"),
        ("nl", "er is iemand aan het rommelen aan ons slot"),
        ("pl", "mama ma ucisk w klatce piersiowej"),
        ("ja", "父が胸を押さえて動けません"),
        ("zh", "我爸突然胡言乱语"),
    ],
)
def test_described_emergencies_are_emergencies(language: str, text: str) -> None:
    assert action(text, language) is Action.emergency


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "the kids' eyes got really big when they saw the pool"),
        ("en", "can we put the bbq on the grass?"),
        ("en", "this heat is killing me, how does the air conditioning work?"),
        ("en", "the wifi is dead, what is the password?"),
        ("en", "not an emergency, but which hospital is closest in case we need a doctor tomorrow?"),
    ],
)
def test_look_alikes_are_not_emergencies(language: str, text: str) -> None:
    assert action(text, language) is not Action.emergency


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "my wife is diabetic, she's trembling and sweating and seems confused"),
        ("en", "our son spent the whole day in the sun and now he's vomiting and confused"),
        ("en", "we heard a thud in the bathroom and dad isn't answering"),
        ("en", "the toddler drank some of the dishwasher liquid"),
        ("en", "the laundry room is filling up with water"),
        ("en", "the charger is melting and there's a burning smell"),
        ("de", "unser Kind hat Spülmittel getrunken"),
        ("fr", "mon père est diabétique et il tremble, il est tout confus"),
        ("nl", "de droger staat te roken"),
        ("ja", "キーパッドが反応しなくて夜中に外にいます"),
        ("zh", "我妈好像中暑了"),
    ],
)
def test_more_described_emergencies_are_emergencies(language: str, text: str) -> None:
    assert action(text, language) is Action.emergency


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "the heater gives off a weird smell when we switch it on, is that normal?"),
        ("en", "is smoking allowed on the balcony?"),
        ("en", "we spent the whole day in the sun, where can we buy after-sun?"),
        ("en", "my husband is diabetic, is there a fridge for his insulin?"),
    ],
)
def test_more_look_alikes_are_not_emergencies(language: str, text: str) -> None:
    assert action(text, language) is not Action.emergency


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "una señora está intentando abrir nuestra cerradura con una llave"),
        ("de", "jemand versucht die ganze Zeit, unsere Haustür aufzumachen"),
        ("pl", "syn ma pianę na ustach i się trzęsie"),
        ("pl", "winda stoi między piętrami"),
        ("en", "my brother is foaming at the mouth"),
        ("zh", "我儿子浑身抽，叫他也没反应"),
        ("zh", "窗帘烧起来了"),
    ],
)
def test_described_emergencies_in_other_languages_are_emergencies(language: str, text: str) -> None:
    assert action(text, language) is Action.emergency


@pytest.mark.parametrize(
    ("language", "text"),
    [("es", "¿alguien puede abrir la puerta? no sé cómo va la llave"), ("de", "kann jemand die Tür aufmachen?")],
)
def test_asking_someone_to_open_the_door_is_no_break_in(language: str, text: str) -> None:
    assert action(text, language) is not Action.emergency


@pytest.mark.parametrize(
    "text",
    ["廚房有煤氣味！", "我的孩子發高燒了", "有人暈倒了，怎麼辦", "著火了！", "浴室漏水了，水到處都是"],
)
def test_an_emergency_in_traditional_chinese_is_one_in_simplified(text: str) -> None:
    assert action(text, "zh") is action(simplified(text), "zh") is Action.emergency
