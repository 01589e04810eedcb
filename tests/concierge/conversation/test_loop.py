"""The recorded runs of a property's marked cases: which marks pass, and only on the version they were played on."""

from concierge.conversation import loop
from concierge.core.db import session_scope
from knowledge.models import Property


def test_a_run_on_the_published_version_says_which_marks_are_fixed(prop: Property) -> None:
    with session_scope() as s:
        assert loop.fixed_marks(s, slug="casa-test", published=1) == frozenset()  # never played
        loop.record_run(s, slug="casa-test", version=1, cases=[12, 3, 7], failed=["casa-test-mark-7"], mode="offline")
    with session_scope() as s:
        run = loop.last_run(s, slug="casa-test")
        assert run is not None and run.passed == 2 and run.passing == frozenset({3, 12})
        assert loop.fixed_marks(s, slug="casa-test", published=1) == frozenset({3, 12})
        # Published again since: the run says nothing about what is live now.
        assert loop.fixed_marks(s, slug="casa-test", published=2) == frozenset()
        assert loop.fixed_marks(s, slug="casa-test", published=None) == frozenset()
        assert loop.fixed_marks(s, slug="another", published=1) == frozenset()
