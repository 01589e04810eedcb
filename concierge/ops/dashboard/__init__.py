"""The owner dashboard: per property and period, how the concierge is doing and what it could not answer."""
