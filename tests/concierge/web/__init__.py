"""Tests of concierge/web: sign-in, the owner's pages, page languages, queries per page."""
