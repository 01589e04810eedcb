"""Tests of concierge/guard: screening, output checks, secrets and the access window, privacy."""
