"""Settings whose default depends on the database."""

from concierge.core.settings import Settings

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/x"


def test_turns_outside_model_calls_default_to_one_on_sqlite_and_two_on_postgresql() -> None:
    assert Settings(database_url="sqlite:///x.db", worker_cpu_turns=None).cpu_turns == 1
    assert Settings(database_url=PG, worker_cpu_turns=None).cpu_turns == 2
    assert Settings(database_url=PG, worker_cpu_turns=1).cpu_turns == 1  # WORKER_CPU_TURNS wins
    assert Settings(database_url="sqlite:///x.db", worker_cpu_turns=4).cpu_turns == 4
