"""Tests of concierge/i18n: the language decision and the message catalogs."""
