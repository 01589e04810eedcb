"""Tests of the concierge package: one folder per sub-package, app.py and cli.py at the top."""
