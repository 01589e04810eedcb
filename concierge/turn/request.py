"""The respond node's side of the router: what a responder is given, and what the trace keeps of its answer."""

from typing import Any

from concierge.conversation.models import Author
from concierge.guard.output import check_reply
from concierge.llm import usage as llm_service
from concierge.llm.prompting import output_context
from concierge.llm.types import ResponseRequest, TurnResponse
from concierge.turn.state import TurnContext, TurnState

RELATED_FLOOR = 0.3  # weaker candidates from this score are offered to a model as possibly relevant
RELATED_MOST = 3


def history_of(state: TurnState) -> list[tuple[str, str]]:
    """The conversation's last messages before this one as (author, text): guest, bot (the concierge and its
    notices) and staff."""
    turns = []
    for message in state.get("history", []):
        if not message.body:
            continue
        if message.direction == "in":
            turns.append(("guest", message.body))
        else:
            turns.append(("staff" if message.author == Author.staff else "bot", message.body))
    return turns


def request_for(state: TurnState, *, spent_today_usd: float = 0.0, context_tokens: int = 6000) -> ResponseRequest:
    """The responder's input: the ranked entries, the whole knowledge in effect, the booking, the conversation."""
    by_topic = {e["topic"]: e for e in state["entries"]}
    selected = set(state["selected"])
    scores = {c.topic: c.score for c in state.get("candidates", [])}
    related = [
        by_topic[c.topic]
        for c in state.get("candidates", [])
        if c.topic not in selected and c.score >= RELATED_FLOOR and c.topic in by_topic
    ][:RELATED_MOST]
    reservation = state.get("reservation")
    prop = state["property"]
    return ResponseRequest(
        text=state["text"],
        language=state["language"],
        entries=[by_topic[t] for t in state["selected"]],
        property_name=prop.name,
        access=state["access"],
        access_window_hours=prop.access_window_hours,
        confidence=max((scores.get(t, 0.0) for t in state["selected"]), default=0.0),
        related=related,
        knowledge=state["entries"],
        reservation=(
            {
                "guest name": reservation.guest_name,
                "check-in date": reservation.check_in.isoformat(),
                "check-out date": reservation.check_out.isoformat(),
                "guests": str(reservation.guests),
            }
            if reservation is not None
            else None
        ),
        spent_today_usd=spent_today_usd,
        history=history_of(state),
        context_tokens=context_tokens,
    )


def build(state: TurnState, context: TurnContext) -> ResponseRequest:
    """The request for this turn; the property's spend today is read only when a model may be called."""
    spent = 0.0
    if context.router.uses_models:
        spent = llm_service.spent_today(context.session, prop=state["property"], now=context.now)
    return request_for(state, spent_today_usd=spent, context_tokens=context.context_tokens)


def call_router(request: ResponseRequest, context: TurnContext) -> TurnResponse:
    """The router's answer, with a worker turn's read transaction ended first: a model call (seconds) never holds a
    database transaction or a pooled connection, nor the worker's CPU slot. What the turn loaded stays readable
    (detached); a later read, if any, begins a new read transaction."""
    if context.reads_end_before_model:
        context.session.close()
    if context.slots is None or not context.router.uses_models:  # no model to wait for: keep the slot
        return context.router.respond(request)
    with context.slots.released():  # other turns run while this one waits for the model
        return context.router.respond(request)


def trace(response: TurnResponse) -> dict[str, Any]:
    """What the trace keeps of the router's work: no message text, no model output."""
    return {
        "route": response.route,
        "chain": response.chain,
        "prompt": response.prompt,
        "calls": response.calls,
        "rejected": response.checks,
        "cost_usd": response.cost_usd,
        "budget_exceeded": response.budget_exceeded,
        "intent": response.intent,
    }


def recheck(state: TurnState, context_tokens: int = 6000) -> list[str]:
    """The output check run again on a model's reply, as the graph's last line of defence."""
    request = request_for(state, context_tokens=context_tokens)
    return [f"output:{f.kind}" for f in check_reply(state["reply"], output_context(request))]
