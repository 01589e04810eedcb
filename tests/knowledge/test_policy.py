"""The policy entries of each request only people grant are data (knowledge/data/policy_topics.yaml)."""

from pathlib import Path

import pytest

from knowledge.lexicon_data import LexiconDataError
from knowledge.policy import POLICY_TOPICS, Category, load_policy_topics


def test_each_exception_kind_names_the_entries_that_hold_its_policy() -> None:
    assert POLICY_TOPICS[Category.pet_exception] == ("pets", "house_rules")
    assert POLICY_TOPICS[Category.late_check_out] == ("check_out",)
    assert Category.maintenance not in POLICY_TOPICS


def test_an_unknown_topic_or_category_fails_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "policy_topics.yaml"
    path.write_text("late_check_out: [check_out]\npet_exception: [animals]\n", encoding="utf-8")
    with pytest.raises(LexiconDataError, match=r"policy_topics.yaml:2: unknown topic 'animals'"):
        load_policy_topics(path)
    path.write_text("late_checkout: [check_out]\n", encoding="utf-8")
    with pytest.raises(LexiconDataError, match=r":1: unknown category 'late_checkout'"):
        load_policy_topics(path)
