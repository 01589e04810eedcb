"""Assemble the turn graph."""

from typing import Any

from langgraph.graph import END, START, StateGraph

from concierge.turn import nodes
from concierge.turn.state import TurnContext, TurnState

PIPELINE = ("detect_language", "screen_input", "retrieve", "respond", "check_output", "decide")


def build_graph(checkpointer: Any = None) -> Any:
    """The compiled turn graph; the router and session arrive per turn in the runtime context."""
    graph = StateGraph(TurnState, context_schema=TurnContext)
    # The @timed wrapper hides the node signature from langgraph's overloads; the call is right at runtime.
    graph.add_node("load_context", nodes.load_context)  # type: ignore[call-overload]
    graph.add_node("record_only", nodes.record_only)  # type: ignore[call-overload]
    for name in PIPELINE:
        graph.add_node(name, getattr(nodes, name))
    graph.add_edge(START, "load_context")
    graph.add_conditional_edges("load_context", nodes.route_after_context, ["detect_language", "record_only"])
    for before, after in zip(PIPELINE, PIPELINE[1:], strict=False):
        graph.add_edge(before, after)
    graph.add_edge("decide", END)
    graph.add_edge("record_only", END)
    return graph.compile(checkpointer=checkpointer)
