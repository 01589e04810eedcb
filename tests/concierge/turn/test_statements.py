"""What one turn costs the database: the statements from claim to recorded, counted on the real engine.

An exact count, not a timing: a change that adds a query per turn (an N+1, a lookup done twice) fails here first,
and one that removes a query lowers the figure here.
"""

from collections.abc import Iterator

import pytest
from sqlalchemy import event

from concierge.core.db import get_engine
from concierge.core.settings import get_settings
from concierge.turn.runner import TurnRunner
from knowledge.models import Property
from tests.factories import ANA, store

# Today's figure for an answered FAQ question while the queue is busy, the same on SQLite and PostgreSQL (BEGINs left
# out: SQLite's are statements, PostgreSQL's implicit): claim 1 (an UPDATE … RETURNING of the oldest due job),
# context and screening 3 (the message, its conversation, property, published knowledge, the guest's stay and the
# sender's messages in the rate window in one statement; the history; other guests and staff in one; the active
# release is read at most once a second, not per turn), record 5 (the claim's lease carries the job's conversation
# and message).
FAQ_TURN_STATEMENTS = 9
# On PostgreSQL the claim and the record commit without waiting for the WAL flush (`session_scope(redoable=True)`):
# a SET LOCAL each, transaction settings like BEGIN, counted apart.
REDOABLE = "SET LOCAL SYNCHRONOUS_COMMIT TO OFF"


seen_redoable: list[str] = []  # the SET LOCALs the `statements` fixture saw


@pytest.fixture
def statements() -> Iterator[list[str]]:
    seen: list[str] = []
    seen_redoable.clear()

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", REDOABLE)):  # SQLite's BEGINs are statements
            seen.append(statement)
        elif statement.upper() == REDOABLE:
            seen_redoable.append(statement)

    event.listen(get_engine(), "before_cursor_execute", count)
    yield seen
    event.remove(get_engine(), "before_cursor_execute", count)


def test_an_answered_question_costs_at_most_its_statements(prop: Property, statements: list[str]) -> None:
    # A stopped clock: the once-a-second backlog and release reads never fall in the counted turn, however slow the
    # machine (on a busy one the two turns were over a second apart and counted 13).
    runner = TurnRunner(get_settings(), monotonic=lambda: 1000.0)
    store(prop, "hello!", phone=ANA)
    assert runner.run_next()  # the conversation exists now, as for most messages
    store(prop, "what is the wifi password?", phone=ANA)
    statements.clear()
    seen_redoable.clear()
    assert runner.run_next()
    assert runner.last_result is not None and runner.last_result.entry_ids == ["wifi"]
    assert len(statements) == FAQ_TURN_STATEMENTS, "\n".join(s.split("\n")[0][:100] for s in statements)
    postgres = get_engine().dialect.name == "postgresql"
    assert len(seen_redoable) == (2 if postgres else 0), "the claim and the record only, and only on PostgreSQL"
