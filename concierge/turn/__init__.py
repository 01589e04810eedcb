"""The turn: the LangGraph graph that decides and writes one reply, and the one place its result is recorded."""
