"""The offline-first rule: the model is skipped only for one self-contained question whose entry names what the
guest asked about (concierge/llm/sureness.py, phrases in concierge/llm/data/sureness.yaml)."""

from typing import Any

import pytest

from concierge.guard.secrets import Access
from concierge.llm import sureness
from concierge.llm.sureness import sure_of_one, unnamed
from concierge.llm.types import ResponseRequest

WIFI = {"topic": "wifi", "title": "Wi-Fi", "content": {"en": "Network CasaTest-5G, password sol-y-mar-2024."}}
POOL = {
    "topic": "pool",
    "title": "Pool",
    "content": {"en": "The rooftop pool is open from 1 June to 30 September.", "es": "La piscina abre en verano."},
}
PARKING = {"topic": "parking", "title": "Parking", "content": {"en": "Public car park on Calle Mar, 14 € a day."}}
TRANSPORT = {"topic": "transport", "title": "Transport", "content": {"en": "Tram 4 from the airport, or a taxi."}}
TIPS = {"topic": "local_tips", "title": "Nearby", "content": {"en": "Bakery on the corner."}}
CHECK_OUT = {"topic": "check_out", "title": "Check-out", "content": {"zh": "退房时间为11:00。"}}


def request(text: str, entries: list[dict[str, Any]], history: list[tuple[str, str]], **more: Any) -> ResponseRequest:
    return ResponseRequest(
        text=text,
        language=more.pop("language", "en"),
        entries=entries,
        property_name="Casa Test",
        access=Access.allowed,
        access_window_hours=24,
        history=history,
        confidence=more.pop("confidence", 1.0),
    )


EARLIER = [("guest", "is there wifi?"), ("bot", "Network CasaTest-5G, password sol-y-mar-2024.")]


@pytest.mark.parametrize(
    ("text", "entries", "history", "sure"),
    [
        ("what is the wifi password?", [WIFI], [], True),
        ("what is the wifi password?", [WIFI], EARLIER, True),  # a new question in a conversation is still one
        ("¿hay piscina?", [POOL], [], True),
        ("is there a Chinese supermarket nearby?", [TIPS], [], False),  # a list: does it hold what they ask for?
        ("can we stay till 2 on sunday?", [WIFI], [], False),  # their own time: an exception, not an FAQ
        ("最后一天可以下午两点再退房吗？", [CHECK_OUT], [], False),  # the same, in Chinese numerals
        ("wifi password? and where do we park?", [WIFI], [], False),  # a second question
        ("wifi password and where do we park", [WIFI], [], False),  # the same without question marks
        ("and the password for it?", [WIFI], EARLIER, False),  # points back at the chat
        ("what about the password", [WIFI], EARLIER, False),  # "what about …" continues the chat
        ("what is the wifi password?", [WIFI, TIPS], [], False),  # two topics
        ("we won't have a car, how do we get from the airport?", [PARKING], [], False),  # rules the topic out
        ("on n'a pas de voiture, comment on va en ville ?", [PARKING], [], False),
        ("我们没有车，从机场怎么过去？", [PARKING], [], False),
        ("有没有停车场？", [PARKING], [], True),  # "is there or is there not": a plain question, not a negation
        ("why is the pool gate locked?", [POOL], [], False),  # a problem report phrased as a question
        ("por que a piscina está fechada?", [POOL], [], False),
        ("can you book us a taxi to the airport?", [TRANSPORT], [], False),  # asks the team to act
        ("is the pool heated?", [POOL], [], False),  # a detail the entry does not hold
        ("is the parking guarded at night?", [PARKING], [], False),
        ("can I pay for parking with the app?", [PARKING], [], False),
        ("is the pool open?", [POOL], [], True),
        ("can we bring the car to the parking?", [PARKING], [], True),  # "bring" frames, "car" is named
        ("can we bring the car, where is the parking?", [PARKING], [], False),  # two clauses that name something
    ],
)
def test_offline_first_skips_the_model_only_for_one_self_contained_question(
    text: str, entries: list[dict[str, Any]], history: list[tuple[str, str]], sure: bool
) -> None:
    assert sure_of_one(request(text, entries, history), confidence=0.9) is sure
    assert not sure_of_one(request(text, entries, history, confidence=0.5), confidence=0.9)


def test_the_entry_must_name_what_the_guest_named_in_any_of_its_languages() -> None:
    assert unnamed("is the pool heated?", POOL, language="en") == ["heated"]
    assert unnamed("¿la piscina abre en verano?", POOL, language="es") == []  # the entry's Spanish text
    assert unnamed("is the pool opened in june?", POOL, language="en") == []  # by prefix and stem
    assert unnamed("泳池是温水吗？", POOL, language="zh") == ["温"]  # no word boundaries: character by character


def test_in_japanese_and_chinese_every_character_of_a_thing_must_be_the_entrys() -> None:
    hot_tub = {"topic": "custom:hot-tub", "title": "Hot tub", "content": {"en": "The hot tub is open 9:00-22:00."}}
    assert unnamed("热水浴缸可以用吗？", hot_tub, language="zh") == []  # the thing's Chinese name, a question frame
    assert unnamed("ホットタブは何時まで使えますか？", hot_tub, language="ja") == []
    assert unnamed("プールは子供だけで使えますか？", POOL, language="ja") == ["子", "供"]  # "children"
    parking = {**PARKING, "content": {"zh": "停车场每天14欧元。"}}
    assert unnamed("停车场可以停房车吗？", parking, language="zh") == ["房"]  # a camper van: not in the entry
    assert unnamed("wifiのパスワードを教えてください", WIFI, language="ja") == []
    assert unnamed("Netflixのパスワードを教えてください", WIFI, language="ja") == ["netflix"]  # its Latin words too


def test_every_section_of_the_phrase_file_is_read() -> None:
    assert set(sureness._rules()) == set(sureness.SECTIONS) - {"framing"}
    assert "bring" in sureness._framing()


LONG = "hi there, we are a family of five with two teenagers, what is the wifi password please?"


@pytest.mark.parametrize(
    ("text", "history", "sure"),
    [
        ("what is the wifi password?", [], True),
        ("what is the wifi password", [], True),  # no question mark, but opens as a question
        ("hi, what is the wifi password?", [], True),  # a greeting is no second clause
        ("the wifi password keeps getting rejected?", [], False),  # a doubt without a word of breakage
        ("is the wifi password still the same?", [], False),
        ("the wifi password.", [], False),  # no question
        ("wifi password is sol-y-mar", [], False),
        ("is it ok if we use the wifi password?", [], False),  # a condition
        ("wifi password or the cable, which is better?", [], False),  # a comparison
        ("what is the wifi password, the router is blinking", [], False),  # two clauses that name something
        ("WiFi密码是多少 路由器在哪里", [], False),  # two Chinese clauses, a space between them
        ("wifiのパスワード教えてください", [], True),  # "please tell me" asks
        ("wifiのパスワード", [], False),
        (LONG, [], False),  # a story, not a plain question
        ("avec le mot de passe wifi ?", [("guest", "il y a du wifi ?"), ("bot", "Oui.")], False),  # a fragment
        ("what is the wifi password?", [("guest", "my laptop is very old"), ("bot", "Noted.")], False),  # the scene
        ("what is the wifi password?", [("bot", "Do you mean the wifi or the TV?")], False),  # answers our question
    ],
)
def test_sure_only_of_a_short_plain_question_that_stands_alone(
    text: str, history: list[tuple[str, str]], sure: bool
) -> None:
    assert sure_of_one(request(text, [WIFI], history), confidence=0.9) is sure


def test_not_sure_when_a_weaker_topic_comes_close() -> None:
    plain = request("what is the wifi password?", [WIFI], [])
    assert sure_of_one(plain, confidence=0.9)
    close = ResponseRequest(**{**plain.__dict__, "related": [TRANSPORT]})
    assert not sure_of_one(close, confidence=0.9)


def test_the_shape_of_a_plain_question() -> None:
    assert sureness.short("what is the wifi password?") and not sureness.short(LONG)
    assert not sureness.short("我们一家五口明天下午到，想问一下公寓的无线网络密码是多少，还有路由器在哪里")
    assert sureness.is_question("where do we park") and sureness.is_question("停车场在哪里")
    assert not sureness.is_question("we park in the street") and not sureness.is_question("割引してください")
    assert sureness.one_clause("una pregunta, ¿cuál es la clave del wifi?")
    assert not sureness.one_clause("where is the pool, the kids want to swim")
