"""Misspelt emergency words (concierge/guard/typos.py): read as meant before the screen, never a real word changed."""

from pathlib import Path

import pytest

from concierge.guard.phrases import normalize
from concierge.guard.policy import policy_from
from concierge.guard.screening import Screener
from concierge.guard.typos import CORRECTIONS, corrected, load
from knowledge.lexicon_data import LexiconDataError
from knowledge.policy import Category

POLICY = policy_from(None)


def category(text: str, language: str) -> Category | None:
    return Screener().screen(text, language=language, history=(), policy=POLICY).category


def test_a_misspelt_word_is_read_as_the_word_meant() -> None:
    assert corrected(normalize("hlp my kid is chokng cant breth")) == "help my kid is choking cant breath"


def test_only_whole_words_are_corrected() -> None:
    assert corrected("smoker") == "smoker"  # "smok" is listed, "smoker" is a word
    assert corrected("cooking dinner") == "cooking dinner"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "hlp pls my kid is chokng cant breth properly"),
        ("en", "my dad colapsed and is unconcious"),
        ("es", "mi padre no repira, llamen una hambulancia"),
        ("de", "mein mann ist bewustlos"),
    ],
)
def test_an_emergency_typed_in_a_panic_is_an_emergency(language: str, text: str) -> None:
    assert category(text, language) in {Category.medical, Category.emergency}


def test_a_calm_message_with_a_real_word_that_looks_like_a_typo_is_untouched() -> None:
    assert category("i'm cooking pasta, where is the colander?", "en") is None


def test_no_typed_word_is_also_a_meant_word() -> None:
    meant = {word for words in CORRECTIONS.values() for word in words.split()}
    assert not set(CORRECTIONS) & meant


def test_an_entry_without_a_meant_word_fails_the_load(tmp_path: Path) -> None:
    languages = ("en", "es", "fr", "de", "it", "pt", "nl", "pl", "ja", "zh")
    path = tmp_path / "typos.yaml"
    path.write_text("\n".join(f"{code}: []" for code in languages).replace("en: []", "en: [breth]"))
    with pytest.raises(LexiconDataError):
        load(path)
