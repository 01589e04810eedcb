"""The turn graph: one guest message in, a decision (reply, escalate or both) out."""
