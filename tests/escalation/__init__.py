"""Tests of the escalation package: the hand-off lifecycle, delivery, the WhatsApp template."""
