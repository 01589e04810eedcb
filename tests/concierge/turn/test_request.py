"""The respond node's side of the router: a model call never holds the turn's database transaction."""

from concierge.core.db import get_engine
from concierge.core.settings import get_settings
from concierge.llm import offline
from concierge.llm.router import Router
from concierge.llm.types import ResponseRequest, TurnResponse
from concierge.turn.runner import TurnRunner
from knowledge.models import Property
from tests.factories import JOHN, STRANGER, ask, make_property, pack_data

HEATING = "The radiators have a knob on each one: turn it to 4 for a warm room. The boiler switches on by itself."


class WatchingRouter(Router):
    """Stands for a model that takes seconds: notes how many pooled connections are in use while it answers."""

    def __init__(self) -> None:
        super().__init__(["offline"])
        self.connections_in_use: list[int] = []

    def respond(self, request: ResponseRequest) -> TurnResponse:
        self.connections_in_use.append(get_engine().pool.checkedout())  # type: ignore[attr-defined]
        return offline.respond(request)


def test_the_model_is_called_after_the_turn_has_let_go_of_its_connection(prop: Property) -> None:
    runner = TurnRunner(get_settings())
    runner.router = router = WatchingRouter()
    result = ask(prop, "what is the wifi password?", runner=runner, phone=STRANGER)
    assert router.connections_in_use == [0]
    # What the turn loaded before the call is still read after it: the reply and the trace are whole.
    assert "CasaTest-5G" in result["reply"] and result["trace"]["entry_ids"] == ["wifi"]


def test_a_hand_off_that_quotes_the_knowledge_calls_the_model_without_a_connection_too(database_url: str) -> None:
    heating = {"topic": "heating_cooling", "title": "Heating", "content": {"en": HEATING}}
    house = make_property(knowledge=[*pack_data()["knowledge"], heating])
    runner = TurnRunner(get_settings())
    runner.router = router = WatchingRouter()
    result = ask(house, "the heating doesn't work and the kids are cold", runner=runner, phone=JOHN)
    assert result["escalations"] == ["policy:maintenance"] and HEATING in result["reply"]
    assert router.connections_in_use == [0]
