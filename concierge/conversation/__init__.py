"""The conversation: its models, storing inbound messages, jobs, the outbox, traces."""
