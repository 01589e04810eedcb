"""Times a guest names, read against the check-in or check-out hours of the entry (concierge/guard/hours.py)."""

from concierge.guard.hours import (
    entry_hour,
    guest_hours,
    inside_hours,
    names_a_gathering,
    others_named,
    without_times,
    without_travel_times,
)
from knowledge.policy import Category

CHECK_IN = "Check-in is from 15:00. It is self check-in with a lockbox."
CHECK_OUT = "Check-out is by 11:00."


def test_unambiguous_times_are_read_on_a_24_hour_clock() -> None:
    assert guest_hours("we land around 4pm, can we get in then?") == [16]
    assert guest_hours("on arrive vers 17h, on pourra entrer ?") == [17]
    assert guest_hours("arriviamo verso le 19, possiamo entrare?") == [19]
    assert guest_hours("Wir kommen gegen 18 Uhr an") == [18]
    assert guest_hours("夕方5時ごろ着きます") == [17]
    assert guest_hours("我们下午三点到，那时候能进去吗") == [15]


def test_an_hour_that_could_be_the_morning_or_no_time_at_all_is_not_read() -> None:
    assert guest_hours("we get there at 5 as planned") is None
    assert guest_hours("we are 14 people") is None
    assert guest_hours("on the 12th, around 5") is None
    assert guest_hours("can we get in?") is None


def test_times_inside_the_entrys_hours() -> None:
    assert entry_hour(CHECK_IN) == 15
    assert inside_hours("we arrive at 17:00, can we get in?", CHECK_IN, arriving=True)
    assert not inside_hours("we arrive at 11am, can we get in?", CHECK_IN, arriving=True)
    assert inside_hours("we leave at 9am, where do the keys go?", CHECK_OUT, arriving=False)
    assert not inside_hours("can we leave at 13:00?", CHECK_OUT, arriving=False)


def test_the_times_are_taken_out_of_the_text() -> None:
    assert "六点" not in without_times("我们傍晚六点到")
    assert "4pm" not in without_times("we land at 4pm")


def test_friends_or_a_pet_named_make_the_time_theirs() -> None:
    assert others_named("unos amigos vienen a cenar a las 21h, pueden entrar?") is Category.extra_guests
    assert others_named("晚上八点有几个朋友来吃饭，他们可以进去吗？") is Category.extra_guests
    assert others_named("on arrive à 17h avec notre chienne, c'est bon ?") is Category.pet_exception
    assert others_named("we arrive at 17:00, can we get in?") is None


def test_late_hours_read_the_end_of_an_evening_past_midnight() -> None:
    from concierge.guard.hours import late_hours, past_evening_limit

    assert late_hours("music on the balcony till 1") == [25]
    assert late_hours("hasta las 00:30 más o menos") == [24]
    assert late_hours("até umas 1h") == [25]
    assert late_hours("bis ca. 23 Uhr etwas lauter") == [23]
    assert late_hours("till 11.30 or so") == [23]
    assert late_hours("夜11時くらいまで") == [23]
    assert late_hours("bis Mitternacht") == [24]
    assert late_hours("we are 5 people for 3 nights") == []
    assert late_hours("can we sleep till 11 Uhr") == []
    assert late_hours("can we hang around till 12 on saturday?") == []  # noon as likely as midnight
    assert late_hours("music till 12 tonight?") == [24]
    assert late_hours("somos 4 amigos, ¿podemos ir igual?") == []  # "4 am…igos" is no 4 am
    assert late_hours("con 2 hijos hasta las 23h") == [23]
    quiet = ["Quiet hours in the building are 22:00 to 6:00."]
    assert past_evening_limit("dürfen wir bis 23 Uhr Musik hören?", quiet)
    assert not past_evening_limit("music until 21:00?", quiet)
    assert not past_evening_limit("till 1", ["Check-out is by 11:00."])


def test_late_hours_read_an_hour_after_midnight_in_words() -> None:
    from concierge.guard.hours import late_hours, past_evening_limit

    assert late_hours("music on the terrace until one in the morning") == [25]
    assert late_hours("bis ein Uhr nachts auf dem Balkon") == [25]
    assert late_hours("fino all'una di notte") == [25]
    assert late_hours("posiedzieć do pierwszej w nocy") == [25]
    assert late_hours("we arrive at one in the afternoon") == []
    assert past_evening_limit("bis ein Uhr nachts feiern", ["Nachtruhe ab 22:00."])


def test_the_hours_of_the_guests_own_travel_are_taken_out_with_their_word() -> None:
    assert "6pm" not in without_travel_times("our flight is at 6pm, where can we leave the bags?", language="en")
    assert without_travel_times("the train is at 3 so what time do we have to be out?", language="en") == (
        "the  so what time do we have to be out?"
    )
    assert "18" not in without_travel_times("il treno parte alle 18, dove lasciamo le valigie?", language="it")
    assert "四点" not in without_travel_times("我们的火车下午四点，退房以后行李放哪里？", language="zh")
    assert "18時" not in without_travel_times("18時のフライトなので、荷物を預けられますか？", language="ja")
    # The hour the guest asks for stays: it is not the travel's, nor in the travel's clause.
    assert "until 2" in without_travel_times("our flight is at 6pm, could we stay in the flat until 2?", language="en")
    assert "at 3" in without_travel_times("we have a lot of bags, check out at 3?", language="en")  # "lot": Polish
    assert "till 2" in without_travel_times("our flight home is late so could we stay till 2?", language="en")
    assert "till 4" in without_travel_times("late flight home so could we stay till 4 on sunday?", language="en")


def test_friends_and_a_gathering_named_together_are_an_evening_hosted() -> None:
    assert names_a_gathering("vienen unos amigos a cenar el sábado, hasta la 1 o así", language="es")
    assert names_a_gathering("vengono degli amici per una grigliata", language="it")
    assert not names_a_gathering("we arrive at midnight, where are the keys?", language="en")
    assert not names_a_gathering("vienen unos amigos el sábado", language="es")


def test_others_are_named_in_the_message_language_or_english() -> None:
    # "prima" is a cousin in Spanish, but Italian for "earlier": not a relative in an Italian check-out request.
    assert others_named("il check-out verso le 11 invece che prima?", language="it") is None
    assert others_named("unos amigos vienen a cenar a las 21h", language="es") is Category.extra_guests
    assert others_named("my friends come by at 9, can they get in?", language="de") is Category.extra_guests
