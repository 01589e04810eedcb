"""Guardrails: input screening, output checks and the secrets policy."""
