"""An evening the guests host at the house: people over and a party, drinks, music, a barbecue or the hot tub
(concierge/guard/evening.py). Words begin the message's words, in its language or English; near misses name no one
over, or no evening, or an evening out."""

import pytest

from concierge.guard.evening import (
    at_the_house,
    goes_out,
    hosts_an_evening,
    loud,
    night_hours,
    someone_elses,
    stays_up_past,
)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "we met some lovely people on the beach, could we invite them back to ours for paella tonight?"),
        ("ja", "土曜の夜に友達を何人か呼んで、夜11時半くらいまで飲み会をしてもいいですか"),
        ("zh", "周六晚上几个朋友来烧烤，可能会到晚上十二点左右，可以吗？"),
        ("de", "Wir haben Freunden zum Abendessen da, ist es okay wenn es etwas lauter wird?"),
        ("pl", "czy możemy zrobić małą imprezkę dla 4-5 znajomych?"),
        ("nl", "mogen we vanavond met onze vrienden in de hottub?"),
    ],
)
def test_people_over_for_an_evening_is_hosting(language: str, text: str) -> None:
    assert hosts_an_evening(text, language=language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "what are the quiet hours?"),
        ("en", "can we use the barbecue?"),
        ("en", "is there a good bar nearby for tonight?"),
        ("de", "Ab wann kann man morgens in den Whirlpool?"),
        ("es", "alguna terraza o bar chulo cerca para tomar algo esta noche?"),
        ("ja", "静かにする時間は何時からですか？"),
    ],
)
def test_no_one_over_or_no_evening_is_no_hosting(language: str, text: str) -> None:
    assert not hosts_an_evening(text, language=language)


def test_an_evening_out_names_no_house_and_one_at_ours_does() -> None:
    assert not at_the_house("any restaurant for a birthday dinner with friends?", language="en")
    assert at_the_house("could we have friends back to ours for drinks?", language="en")
    assert at_the_house("几个朋友来家里吃饭", language="zh")


def test_hours_in_words_are_night_hours() -> None:
    assert max(night_hours("bis halb zwölf etwas lauter", language="de")) >= 23
    assert max(night_hours("tot een uur of 12 's nachts", language="nl")) >= 24
    assert night_hours("we'd like to arrive at 11 in the morning", language="en") == []


def test_a_place_out_asked_for_is_going_out_unless_the_house_is_named() -> None:
    assert goes_out("vienen unos amigos a cenar el sábado, algún restaurante cerca?", language="es")
    assert not goes_out("could we have friends back to ours after the bar?", language="en")
    assert not goes_out("周六晚上几个朋友来烧烤，可以吗？", language="zh")


def test_staying_up_tonight_past_the_evening_hour_and_near_misses() -> None:
    rules = ["Maximum 6 people. No parties. Keep quiet after 22:00, also on the terrace."]
    assert stays_up_past("Mogen we vanavond tot half 12 op het terras blijven zitten?", rules, language="nl")
    assert stays_up_past("on the balcony tonight, ok if it goes on until half 12?", rules, language="en")
    assert not stays_up_past("what are the quiet hours tonight?", rules, language="en")
    assert not stays_up_past("can we sit on the terrace until 9 tonight?", rules, language="en")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "the people upstairs have been playing music till 1am two nights in a row, what should we do?"),
        ("pt", "os vizinhos de cima estão a fazer muito barulho, já passa da meia-noite"),
        ("de", "Die Leute von oben feiern schon wieder eine Party bis 2 Uhr nachts, was können wir tun?"),
        ("es", "los de al lado tienen una fiesta con música a tope, ¿se puede hacer algo?"),
        ("zh", "楼上的人在开派对，音乐很吵，已经半夜了，怎么办？"),
    ],
)
def test_someone_elses_noise_is_no_hosting(language: str, text: str) -> None:
    assert someone_elses(text, language=language)
    assert not hosts_an_evening(text, language=language)


def test_inviting_the_neighbours_or_friends_staying_nearby_is_hosting() -> None:
    nearby = "domani sera vorremmo fare una grigliata con degli amici che sono in vacanza qui vicino, va bene?"
    assert not someone_elses(nearby, language="it")
    assert hosts_an_evening(nearby, language="it")
    text = "can we invite the neighbours over for a barbecue tonight?"
    assert not someone_elses(text, language="en")
    assert hosts_an_evening(text, language="en")


def test_portuguese_a_gente_is_we_not_people_over() -> None:
    assert not hosts_an_evening("a gente chega meia noite, tem problema?", language="pt")
    assert not hosts_an_evening(
        "a banheira de hidromassagem já vai estar quentinha quando a gente chegar?", language="pt"
    )
    assert hosts_an_evening("uns amigos vêm jantar, podemos ficar no terraço até à meia-noite?", language="pt")


def test_an_hour_alone_needs_friends_and_the_night() -> None:
    assert not hosts_an_evening(
        "since the next guests only come on monday, could we stay on till 3 on sunday?", language="en"
    )
    assert not hosts_an_evening("my friends arrive sunday, could we stay on till 3?", language="en")
    assert hosts_an_evening("some friends are coming, can we stay on the balcony till 1am?", language="en")
    assert hosts_an_evening("vengono degli amici, possiamo stare sul balcone fino alle due di notte?", language="it")


def test_music_a_party_or_a_night_hour_is_loud_a_dinner_for_two_is_not() -> None:
    assert not loud(
        "Ich würde meiner Freundin gern ein Candle-Light-Dinner machen, darf ich Teelichter anzünden?", language="de"
    )
    assert loud("a few candles for our party tonight?", language="en")
    assert loud("candles at dinner with friends till midnight, ok?", language="en")
