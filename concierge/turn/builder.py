"""Assemble the turn graph, and run it to a typed `TurnResult`."""

from typing import Any, cast

from langgraph.graph import END, START, StateGraph

from concierge.guard.phrases import says_reply_was_wrong
from concierge.turn import nodes
from concierge.turn.result import Decision, TurnResult, TurnTrace
from concierge.turn.state import TurnContext, TurnState

SCREENING = ("detect_language", "screen_input")  # every guest message, whoever owns the conversation
ANSWERING = ("retrieve", "respond", "check_output", "decide")  # the bot's conversations, and emergencies in any


class TurnGraph:
    """The compiled turn graph; the router and session arrive per turn in the runtime context."""

    def __init__(self, checkpointer: Any = None) -> None:
        graph = StateGraph(TurnState, context_schema=TurnContext)
        # The @timed wrapper hides the node signature from langgraph's overloads; the call is right at runtime.
        graph.add_node("load_context", nodes.load_context)  # type: ignore[call-overload]
        graph.add_node("record_only", nodes.record_only)  # type: ignore[call-overload]
        graph.add_node("waiting", nodes.wait_for_person)  # type: ignore[call-overload]
        for name in (*SCREENING, *ANSWERING):
            graph.add_node(name, getattr(nodes, name))
        graph.add_edge(START, "load_context")
        graph.add_conditional_edges("load_context", nodes.route_after_context, ["detect_language", "record_only"])
        graph.add_conditional_edges("screen_input", nodes.route_after_screening, ["retrieve", "waiting"])
        for stage in (SCREENING, ANSWERING):
            for before, after in zip(stage, stage[1:], strict=False):
                graph.add_edge(before, after)
        graph.add_edge("decide", END)
        graph.add_edge("record_only", END)
        graph.add_edge("waiting", END)
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
