"""Tests of concierge/worker: the worker loops and their shutdown."""
