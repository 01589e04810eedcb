"""Tests of concierge/turn: the turn graph on a real database."""
