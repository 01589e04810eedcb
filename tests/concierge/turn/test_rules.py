"""A request to bend a house rule quotes the rule and tells the team; a question about the rule is answered
(concierge/turn/rules.py, issue #17 point 7). The messages are written as guests write, not in the rules' words."""

from typing import Any

from knowledge.models import Property
from tests.factories import JOHN, ask, make_property, pack_data

SMOKING = "No smoking anywhere in the flat, including the balcony. You can smoke in the courtyard by the bins."
NOISE = "Quiet hours in the building are 22:00 to 6:00. Close the windows if you play music in the evening."
RULES = "Maximum 3 guests. No parties or events, and please do not light candles."
FIRE = "The gas barbecue is on the terrace. Charcoal and open fires are not allowed because of the dunes."
CHECK_OUT = "Check-out is by 10:00. On other days than Sundays you can stay until 12:00 for 25 €: ask the day before."
KITCHEN = "The kitchen has an induction hob, an oven, a dishwasher and a coffee machine with pods."


def flat() -> Property:
    """The test pack with the rules guests ask to bend: smoking, quiet hours, the house rules, a custom barbecue."""
    data = pack_data()
    extra: list[dict[str, Any]] = [
        {"topic": "smoking", "title": "Smoking", "content": {"en": SMOKING}},
        {"topic": "noise", "title": "Quiet hours", "content": {"en": NOISE}},
        {"topic": "house_rules", "title": "House rules", "content": {"en": RULES}},
        {"topic": "custom:barbecue", "title": "Barbecue", "content": {"en": FIRE}},
        {"topic": "kitchen", "title": "Kitchen", "content": {"en": KITCHEN}},
        {"topic": "check_out", "title": "Check-out", "content": {"en": CHECK_OUT}},
    ]
    return make_property(knowledge=data["knowledge"] + extra)


def test_smoking_once_inside_asked_sideways_quotes_the_rule_and_tells_the_team(database_url: str) -> None:
    result = ask(
        flat(), "would the owner mind if my husband smoked one by the window? it's pouring outside", phone=JOHN
    )
    assert result["escalations"] == ["policy:rule_exception"]
    assert SMOKING in result["reply"]


def test_music_past_quiet_hours_with_a_reassurance_is_a_request(database_url: str) -> None:
    result = ask(flat(), "it's our anniversary, some music till midnight? nothing wild, we'll keep it down", phone=JOHN)
    assert result["escalations"] == ["policy:rule_exception"]
    assert NOISE in result["reply"]


def test_an_owners_custom_rule_is_the_rule_bent(database_url: str) -> None:
    result = ask(
        flat(),
        "hope it's not a problem if we do a charcoal barbecue in the garden, the kids want marshmallows",
        phone=JOHN,
    )
    assert result["escalations"] == ["policy:rule_exception"]
    assert FIRE in result["reply"]


def test_an_explicit_ask_for_an_exception_quotes_the_rule_retrieval_ranks(database_url: str) -> None:
    result = ask(flat(), "could you make an exception and let us smoke on the balcony?", phone=JOHN)
    assert result["escalations"] == ["policy:rule_exception"]
    assert SMOKING in result["reply"]


def test_a_plain_question_about_a_rule_is_answered_without_a_hand_off(database_url: str) -> None:
    result = ask(flat(), "is smoking allowed on the balcony?", phone=JOHN)
    assert result["escalations"] == []
    assert SMOKING in result["reply"]


def test_asking_sideways_about_what_is_no_rule_is_answered(database_url: str) -> None:
    result = ask(flat(), "would it be ok to use the oven for a pizza tonight?", phone=JOHN)
    assert result["escalations"] == []
    assert KITCHEN in result["reply"]


def test_a_party_larger_than_the_maximum_is_an_extra_guests_request(database_url: str) -> None:
    result = ask(flat(), "quick one, we're 3 adults plus a toddler, she'd sleep in with us", phone=JOHN)
    assert result["escalations"] == ["policy:extra_guests"]
    assert RULES in result["reply"]


def test_a_party_within_the_maximum_is_no_request(database_url: str) -> None:
    result = ask(flat(), "we're 2 adults and a baby, what does the kitchen have?", phone=JOHN)
    assert result["escalations"] == []
    assert KITCHEN in result["reply"]


def test_a_headcount_about_something_else_is_no_request(database_url: str) -> None:
    result = ask(flat(), "does the kitchen have enough plates for 6 people?", phone=JOHN)
    assert "policy:extra_guests" not in result["escalations"]


def test_a_check_out_hour_the_entry_does_not_hold_is_a_request_for_it(database_url: str) -> None:
    result = ask(
        flat(), "we leave on sunday but our flight isn't until 6pm. any chance of checking out at 2 or 3?", phone=JOHN
    )
    assert result["escalations"] == ["policy:late_check_out"]
    assert CHECK_OUT in result["reply"]


def test_music_till_an_hour_past_quiet_hours_is_a_request_without_any_wording_of_tolerance(database_url: str) -> None:
    for message in ("dá pra ouvir música até a meia-noite?",):
        result = ask(flat(), message, phone=JOHN)
        assert result["escalations"] == ["policy:rule_exception"], message
        assert NOISE in result["reply"]
        assert SMOKING not in result["reply"]


def test_music_until_the_start_of_quiet_hours_and_the_plain_question_are_answered(database_url: str) -> None:
    for message in ("can we play music until 21:00?", "what time do quiet hours start?"):
        result = ask(flat(), message, phone=JOHN)
        assert result["escalations"] == [], message
        assert NOISE in result["reply"]


def test_asking_plainly_for_what_a_rule_forbids_tells_the_team(database_url: str) -> None:
    result = ask(flat(), "we brought a bag of charcoal, can we use it on the barbecue?", phone=JOHN)
    assert result["escalations"] == ["policy:rule_exception"]
    assert FIRE in result["reply"]


def test_a_bare_twelve_is_no_hour_past_the_evening(database_url: str) -> None:
    result = ask(flat(), "the quiet hours are fine, can we have music till 12 on saturday?", phone=JOHN)
    assert result["escalations"] == []


def test_a_party_past_quiet_hours_quotes_the_quiet_hours_too(database_url: str) -> None:
    result = ask(flat(), "few friends over for a party tonight, is it ok if we're a bit loud till 11.30?", phone=JOHN)
    assert result["escalations"]
    assert NOISE in result["reply"]


def test_a_thing_asked_for_plainly_quotes_the_rule_naming_it_whatever_retrieval_ranks(database_url: str) -> None:
    result = ask(flat(), "the kids want to toast marshmallows, can we make a little campfire tonight?", phone=JOHN)
    assert result["escalations"] == ["policy:rule_exception"]
    assert FIRE in result["reply"]
    assert KITCHEN not in result["reply"]


def test_friends_over_until_past_quiet_hours_quote_the_rule_even_unranked(database_url: str) -> None:
    result = ask(
        flat(), "vienen unos amigos a cenar el sábado, igual nos quedamos charlando hasta la 1 o así", phone=JOHN
    )
    assert result["escalations"] == ["policy:rule_exception"]
    assert "22:00" in result["reply"]


def test_friends_over_for_an_early_dinner_is_no_request(database_url: str) -> None:
    result = ask(flat(), "vienen unos amigos a cenar el sábado a las 20h, algún restaurante cerca?", phone=JOHN)
    assert "policy:rule_exception" not in result["escalations"]


def test_people_over_for_an_evening_without_an_hour_quote_the_house_rules(database_url: str) -> None:
    result = ask(
        flat(),
        "we met some lovely people on the beach, would it be alright to do paella for them at ours tonight?",
        phone=JOHN,
    )
    assert result["escalations"] == ["policy:rule_exception"]
    assert RULES in result["reply"] or NOISE in result["reply"]


def test_a_barbecue_with_friends_quotes_the_barbecue_and_the_house_rules(database_url: str) -> None:
    result = ask(flat(), "could we do a barbecue with some friends on saturday evening?", phone=JOHN)
    assert result["escalations"] == ["policy:rule_exception"]
    assert RULES in result["reply"] or NOISE in result["reply"]


def test_friends_over_till_midnight_is_no_late_check_out(database_url: str) -> None:
    result = ask(flat(), "uns amigos vêm jantar, podemos ficar até à meia-noite?", phone=JOHN)
    assert result["escalations"]  # screened as a late check-out: the hand-off quotes the evening rules
    assert RULES in result["reply"] or NOISE in result["reply"]
    assert CHECK_OUT not in result["reply"]


def test_the_barbecue_asked_about_or_a_bar_out_with_friends_is_no_request(database_url: str) -> None:
    for text in ("can we use the barbecue?", "any good bar nearby for drinks with friends tonight?"):
        assert "policy:rule_exception" not in ask(flat(), text, phone=JOHN)["escalations"]


def test_staying_up_tonight_past_quiet_hours_is_a_request_and_a_late_arrival_is_not_one(database_url: str) -> None:
    result = ask(flat(), "can we sit on the balcony tonight until half 12? we'll talk quietly", phone=JOHN)
    assert result["escalations"] == ["policy:rule_exception"]
    assert "policy:rule_exception" not in ask(flat(), "can we check in tonight at 11pm?", phone=JOHN)["escalations"]


def test_candles_at_a_dinner_for_two_quote_the_house_rules_not_the_quiet_hours(database_url: str) -> None:
    result = ask(flat(), "a candle-light dinner for my friend's birthday, may I light a few tea lights?", phone=JOHN)
    assert result["escalations"] == ["policy:rule_exception"]
    assert RULES in result["reply"]
    assert NOISE not in result["reply"]
