"""Tests of concierge/llm: the model router, its parts, and turns answered by a fake provider."""
