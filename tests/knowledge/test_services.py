"""Requests for a service a person performs (booking, ordering, calling, bringing) are handed over, not answered."""

import pytest

from knowledge.services import asks_service


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "hiya, could you book us a table for 4 tonight somewhere near the beach? paella ideally"),
        ("en", "can you recommend and reserve a boat trip for saturday?"),
        ("en", "any chance someone could drop off a second duvet today?"),
        ("en", "please call the restaurant for us"),
        ("es", "nos podéis reservar mesa para 4 esta noche?"),
        ("fr", "pourriez-vous nous appeler un taxi pour demain 6h ?"),
        ("de", "Könnten Sie uns für heute Abend einen Tisch für 4 Personen reservieren?"),
        ("it", "potreste prenotarci un taxi per domattina alle 5?"),
        ("nl", "kunnen jullie zaterdag een boottocht voor ons regelen en reserveren?"),
        ("pl", "Czy możecie zamówić nam taksówkę na lotnisko na 7 rano?"),
        ("zh", "能帮我们订一辆明天早上6点去机场的出租车吗？"),
        ("ja", "今晩4人でレストランを予約してもらえますか？"),
    ],
)
def test_a_service_asked_of_the_host_is_seen(language: str, text: str) -> None:
    assert asks_service(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "do we need to book the hot tub?"),
        ("en", "can we book an extra night?"),
        ("en", "can you tell me if i need to book"),
        ("en", "could you recommend a restaurant?"),
        ("es", "se pueden reservar las tumbonas?"),
        ("it", "si può prenotare il barbecue?"),
    ],
)
def test_the_guests_own_plan_is_no_service(language: str, text: str) -> None:
    assert not asks_service(text, language)
