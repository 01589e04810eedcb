"""`concierge eval`: run scenario suites through the real turn pipeline and score them against thresholds.

A suite is a YAML file of cases; each case is one guest (booked now, arriving later, or unknown) sending one or
more messages, with what the last turn must do. Every suite runs on a fresh SQLite database built by the
migrations, with the pack's reservations moved around today so the access window is always the same.

cases.py reads suites, runner.py plays them, scoring.py judges them; commands.py is `concierge eval`, with runs.py
and compare.py behind it. Nothing is imported here, so the command line can register `eval` without loading the turn.
"""
