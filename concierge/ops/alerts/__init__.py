"""Operational alerts: thresholds on recent turns, the outbox and escalations, notified to admins once per window."""
