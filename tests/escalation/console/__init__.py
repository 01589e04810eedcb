"""Tests of escalation/console: the staff pages (queue, conversation, quiet hours, translation, trace)."""
