"""Assemble the turn graph, and run it to a typed `TurnResult`."""

from collections.abc import Callable
from typing import Any, cast

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from concierge.guard.phrases import says_reply_was_wrong
from concierge.turn import nodes
from concierge.turn.result import Decision, TurnResult, TurnTrace
from concierge.turn.state import TurnContext, TurnState

# A graph step costs LangGraph's own machinery about 0.2–0.5 ms of CPU whatever its node does (docs/benchmarks.md,
# issue 22), so nodes with no branch between them run as one step; each still times itself on the trace's
# timeline under its own name. Every guest message is screened, whoever owns the conversation; the bot answers its
# own conversations, and emergencies in any.
INTAKE = (nodes.load_context, nodes.detect_language, nodes.screen_input)
ANSWER = (nodes.retrieve, nodes.respond, nodes.check_output, nodes.decide)


def in_one_step(*parts: nodes.Node, until: Callable[[TurnState], bool] = lambda _: False) -> nodes.Node:
    """One graph step running `parts` in order, each seeing the state as the parts before it left it (as the graph
    would pass it on), stopping early once `until` holds; the step writes what they wrote, their timeline entries
    in order."""

    def run(state: TurnState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
        seen: dict[str, Any] = dict(state)
        update: dict[str, Any] = {}
        timeline: list[dict[str, Any]] = []
        for part in parts:
            written = part(cast(TurnState, seen), runtime)
            timeline += written.pop("nodes", [])
            seen.update(written)
            update.update(written)
            if until(cast(TurnState, seen)):
                break
        return {**update, "nodes": timeline}

    return run


def route_after_intake(state: TurnState) -> str:
    """A staff alert thread is only recorded; any other conversation as `nodes.route_after_screening` decides."""
    return "record_only" if nodes.alert_thread(state) else nodes.route_after_screening(state)


class TurnGraph:
    """The compiled turn graph; the router and session arrive per turn in the runtime context."""

    def __init__(self, checkpointer: Any = None) -> None:
        graph = StateGraph(TurnState, context_schema=TurnContext)
        # The @timed wrapper hides the node signature from langgraph's overloads; the call is right at runtime.
        graph.add_node("intake", in_one_step(*INTAKE, until=nodes.alert_thread))  # type: ignore[call-overload]
        graph.add_node("answer", in_one_step(*ANSWER))  # type: ignore[call-overload]
        graph.add_node("record_only", nodes.record_only)  # type: ignore[call-overload]
        graph.add_node("waiting", nodes.wait_for_person)  # type: ignore[call-overload]
        graph.add_edge(START, "intake")
        graph.add_conditional_edges("intake", route_after_intake, ["record_only", "answer", "waiting"])
        for last in ("answer", "record_only", "waiting"):
            graph.add_edge(last, END)
        self.compiled = graph.compile(checkpointer=checkpointer)

    def run(self, message_id: int, *, context: TurnContext, release: dict[str, Any] | None = None) -> TurnResult:
        """Run the turn for one stored guest message and return its result."""
        start: TurnState = {"message_id": message_id, "release": release, "nodes": []}
        final = self.compiled.invoke(start, context=context)  # the final state, as langgraph's plain dict
        return result_from(cast(TurnState, final))


def build_graph(checkpointer: Any = None) -> TurnGraph:
    """The turn graph, compiled once and run for every turn."""
    return TurnGraph(checkpointer)


def result_from(state: TurnState) -> TurnResult:
    """The turn's typed result from the graph's final state: the one place the state is read after the graph."""
    return TurnResult(
        decision=Decision(state["decision"]),
        send=state["send"],
        author=state["author"],
        despite_owner=state.get("despite_owner", False),
        reply=state.get("reply", ""),
        escalation=state.get("escalation"),
        language=state.get("language"),
        knowledge_version=state.get("knowledge_version"),
        entry_ids=list(state.get("entry_ids", [])),
        responder=state.get("responder"),
        outcome=state.get("outcome"),
        checks=list(state.get("checks", [])),
        disputes_reply="message" in state and says_reply_was_wrong(state["message"].body),
        trace=TurnTrace(
            message_id=state.get("message_id"),
            input_chars=len(state.get("text") or ""),
            language_reason=state.get("language_reason"),
            verdict=state.get("verdict"),
            screen=state.get("screen"),
            access=state.get("access"),
            candidates=list(state.get("candidates", [])),
            selected=list(state.get("selected", [])),
            clarify=list(state.get("clarify", [])),
            nodes=list(state.get("nodes", [])),
            llm=state.get("llm"),
            degraded=state.get("degraded", False),
            release=state.get("release"),
        ),
    )
