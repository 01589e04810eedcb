"""Assemble the turn graph, and run it to a typed `TurnResult`."""

import operator
from collections.abc import Callable
from typing import Annotated, Any, TypedDict, cast

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


class GraphState(TypedDict):
    """What the graph carries between steps: the nodes' `TurnState` as one value, and the timeline.

    LangGraph keeps one channel per key and reads, copies and writes every channel at every step: with the ~40 keys
    of `TurnState` as channels that was about 40% of its fixed cost per turn (docs/benchmarks.md, seventh pass).
    The nodes still see and return `TurnState` keys; each step hands on the state its parts left.
    """

    turn: dict[str, Any]  # a TurnState
    nodes: Annotated[list[dict[str, Any]], operator.add]


GraphStep = Callable[[GraphState, Runtime[TurnContext]], dict[str, Any]]


def in_one_step(*parts: nodes.Node, until: Callable[[TurnState], bool] = lambda _: False) -> GraphStep:
    """One graph step running `parts` in order, each seeing the state as the parts before it left it, stopping
    early once `until` holds; the step hands on the state they leave and their timeline entries in order."""

    def run(state: GraphState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
        seen: dict[str, Any] = dict(state["turn"])
        timeline: list[dict[str, Any]] = []
        for part in parts:
            written = part(cast(TurnState, seen), runtime)
            timeline += written.pop("nodes", [])
            seen.update(written)
            if until(cast(TurnState, seen)):
                break
        return {"turn": seen, "nodes": timeline}

    return run


def route_after_intake(state: GraphState) -> str:
    """A staff alert thread is only recorded; any other conversation as `nodes.route_after_screening` decides."""
    turn = cast(TurnState, state["turn"])
    return "record_only" if nodes.alert_thread(turn) else nodes.route_after_screening(turn)


class TurnGraph:
    """The compiled turn graph; the router and session arrive per turn in the runtime context."""

    def __init__(self, checkpointer: Any = None) -> None:
        graph = StateGraph(GraphState, context_schema=TurnContext)
        # The step wrapper hides the node signature from langgraph's overloads; the call is right at runtime.
        graph.add_node("intake", in_one_step(*INTAKE, until=nodes.alert_thread))  # type: ignore[call-overload]
        graph.add_node("answer", in_one_step(*ANSWER))  # type: ignore[call-overload]
        graph.add_node("record_only", in_one_step(nodes.record_only))  # type: ignore[call-overload]
        graph.add_node("waiting", in_one_step(nodes.wait_for_person))  # type: ignore[call-overload]
        graph.add_edge(START, "intake")
        graph.add_conditional_edges("intake", route_after_intake, ["record_only", "answer", "waiting"])
        for last in ("answer", "record_only", "waiting"):
            graph.add_edge(last, END)
        self.compiled = graph.compile(checkpointer=checkpointer)

    def run(self, message_id: int, *, context: TurnContext, release: dict[str, Any] | None = None) -> TurnResult:
        """Run the turn for one stored guest message and return its result."""
        start: GraphState = {"turn": {"message_id": message_id, "release": release}, "nodes": []}
        final = self.compiled.invoke(start, context=context)  # the final state, as langgraph's plain dict
        return result_from(cast(TurnState, {**final["turn"], "nodes": final["nodes"]}))


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
