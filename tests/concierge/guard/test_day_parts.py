import pytest

from concierge.guard.day_parts import spoken_times, with_day_parts
from concierge.guard.phrases import normalize
from concierge.guard.policy import policy_from
from concierge.guard.screening import Screener
from knowledge.policy import Category


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "any way to get into the flat before lunch?", "any way to get into the flat before 12?"),
        ("en", "could we stay till the afternoon?", "could we stay till 15?"),
        ("fr", "on arrive tôt le matin", "on arrive vers 8am"),
        ("it", "arriviamo in mattinata", "arriviamo alle 10am"),
        ("de", "könnten wir bis zum Nachmittag bleiben", "konnten wir bis 15 bleiben"),
        ("nl", "mogen we tot 's middags blijven", "mogen we tot 15 blijven"),
        ("pl", "czy możemy zostać do popołudnia", "czy mozemy zostac do 15"),
        # After an hour, the morning only tells its half of the day: no second time.
        ("en", "our flight lands at 8 in the morning", "our flight lands at 8am"),
    ],
)
def test_parts_of_the_day_are_written_as_times(language: str, text: str, expected: str) -> None:
    assert with_day_parts(normalize(text), language) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "we arrive in the afternoon"),  # could be inside check-in hours: a word, not a time
        ("en", "any good place for lunch nearby?"),
        ("en", "our flight is in the evening"),
        ("fr", "on arrive dans l'après-midi"),
        ("de", "wir kommen nachmittags an"),
    ],
)
def test_parts_of_the_day_that_say_no_side_of_the_hour_stay_words(language: str, text: str) -> None:
    assert with_day_parts(normalize(text), language) == normalize(text)


def test_spoken_times_reads_hours_in_words_and_approximate_hours() -> None:
    assert spoken_times(normalize("we should be there by 11ish"), "en") == "we should be there by 11"
    assert spoken_times(normalize("checked out at two instead?"), "en") == "checked out at 2 instead?"
    assert spoken_times(normalize("a 2-ish bedroom? no, a fish"), "en") == "a 2 bedroom? no, a fish"


def _category(text: str, language: str) -> Category | None:
    return Screener().screen(text, language=language, history=(), policy=policy_from(None)).category


@pytest.mark.parametrize(
    ("language", "text", "category"),
    [
        ("en", "is there any way to get into the flat before lunch?", Category.early_check_in),
        ("en", "we should be there by 11ish on friday, hope thats alright", Category.early_check_in),
        ("fr", "on arrive tôt le matin, on pourrait entrer directement ?", Category.early_check_in),
        ("en", "would it be ok if we checked out at two instead?", Category.late_check_out),
        ("ja", "朝6時に着く便なのですが、その時間に部屋に入ることはできますか？", Category.early_check_in),
        ("pl", "czy moglibyśmy oddać klucz dopiero około dwunastej?", Category.late_check_out),
    ],
)
def test_a_stay_time_said_in_words_is_screened(language: str, text: str, category: Category) -> None:
    assert _category(text, language) is category


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "we leave in the morning, what time is check-out?"),
        ("en", "what time is check-out?"),
        ("de", "wir reisen morgens ab, wo sollen wir den Schlüssel abgeben?"),
        ("en", "our flight lands at 8 in the morning, can we drop the suitcases somewhere till we can get in?"),
        ("zh", "晚上八点有几个朋友来吃饭，他们可以进去吗？"),
        ("fr", "on part le matin, à quelle heure faut-il rendre les clés ?"),
    ],
)
def test_a_morning_departure_or_a_question_is_no_stay_time_request(language: str, text: str) -> None:
    assert _category(text, language) not in (Category.early_check_in, Category.late_check_out)
