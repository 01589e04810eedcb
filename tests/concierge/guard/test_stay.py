"""A change of dates that makes the stay longer at its end (concierge/guard/stay.py)."""

from concierge.guard.stay import extends_stay


def test_staying_longer_in_any_language() -> None:
    assert extends_stay("can we keep the house one more night?", language="en")
    assert extends_stay("nos gustaría quedarnos una noche más, hasta el lunes", language="es")
    assert extends_stay("zouden we het huis nog een nachtje langer kunnen houden?", language="nl")
    assert extends_stay("もう一泊延泊することはできますか", language="ja")
    assert extends_stay("我们想多住一晚，周五再走，可以吗？", language="zh")


def test_moving_the_dates_is_no_longer_stay() -> None:
    assert not extends_stay("could we move our booking a week later?", language="en")
    assert not extends_stay("we want to arrive a day later", language="en")
