"""Tests of concierge/conversation: storing messages, jobs, ordering, group commit, formatting, traces."""
