"""Tests of concierge/users."""
