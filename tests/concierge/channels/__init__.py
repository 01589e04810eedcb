"""Tests of concierge/channels: the outbox sender against a fake Twilio."""
