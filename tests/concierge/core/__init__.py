"""Tests of concierge/core: backoff, the claim helper, the database and its write lock, migrations, metrics."""
