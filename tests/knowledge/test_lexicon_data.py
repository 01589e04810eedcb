"""Lexicon data files: the packaged ones build the lexicons, a malformed one fails as `path:line: message`."""

import importlib.util
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from concierge.guard import lexicon as guard
from knowledge import lexicon
from knowledge.lexicon_data import LexiconDataError
from knowledge.policy import Category
from tests.factories import ROOT


@pytest.fixture
def knowledge_data(tmp_path: Path) -> Path:
    """A copy of the packaged knowledge data, to spoil."""
    return Path(shutil.copytree(lexicon.DATA, tmp_path / "knowledge"))


@pytest.fixture
def guard_data(tmp_path: Path) -> Path:
    """A copy of the packaged screening data, to spoil."""
    return Path(shutil.copytree(guard.DATA, tmp_path / "guard"))


def error(load: Callable[[Path], Any], directory: Path) -> str:
    """The message `load` fails with on `directory`."""
    with pytest.raises(LexiconDataError) as info:
        load(directory)
    return str(info.value)


def test_the_packaged_files_build_the_module_constants() -> None:
    loaded = lexicon.load()
    assert loaded.keywords == lexicon.KEYWORDS
    assert loaded.function_words == lexicon.FUNCTION_WORDS
    assert loaded.shared_function_words == lexicon.SHARED_FUNCTION_WORDS
    assert loaded.common_words == lexicon.COMMON_WORDS
    assert loaded.weak_keywords == lexicon.WEAK_KEYWORDS
    assert loaded.context_keywords == lexicon.CONTEXT_KEYWORDS
    assert loaded.recommendation_words == lexicon.RECOMMENDATION_WORDS
    assert guard.load() == (
        guard.LEXICON,
        guard.EXCLUDE,
        guard.FOLLOW_UPS,
        guard.TIMING,
        guard.WRONG_REPLY,
        guard.LENIENCY,
        guard.CLASSES,
    )
    assert list(guard.WRONG_REPLY) == list(lexicon.SUPPORTED_LANGUAGES)  # "that's wrong" in every language
    assert list(guard.LENIENCY) == list(lexicon.SUPPORTED_LANGUAGES)  # "would the owner mind" in every language


def test_every_topic_and_category_has_every_language_in_order() -> None:
    assert list(lexicon.KEYWORDS) == list(lexicon.TOPICS)
    assert list(lexicon.FUNCTION_WORDS) == list(lexicon.SUPPORTED_LANGUAGES)
    assert list(guard.LEXICON) == list(Category)
    for by_language in (*lexicon.KEYWORDS.values(), *guard.LEXICON.values()):
        assert list(by_language) == list(lexicon.SUPPORTED_LANGUAGES)
        assert all(isinstance(words, tuple) and words for words in by_language.values())
    assert list(guard.EXCLUDE)[:3] == [Category.fire, Category.gas, Category.emergency]
    assert all(isinstance(words, tuple) for words in guard.EXCLUDE.values())


def test_known_words_are_where_they_were() -> None:
    assert lexicon.KEYWORDS["wifi"]["en"][:3] == ("wifi", "wi-fi", "wlan")
    assert lexicon.KEYWORDS["wifi"]["zh"][-1] == "wifi密码"
    assert lexicon.KEYWORDS["check_in"]["fr"][3] == "heure d'arrivée"
    # YAML would read these as booleans unquoted: they stay words.
    assert {"yes"} <= lexicon.FUNCTION_WORDS["en"] and "on" in lexicon.FUNCTION_WORDS["fr"]
    assert {"no", "de", "la", "que"} <= lexicon.SHARED_FUNCTION_WORDS
    assert {"time", "please", "casa", "aujourd'hui", "cześć"} <= lexicon.COMMON_WORDS
    assert {"recommend", "things to do", "co polecasz"} <= lexicon.WEAK_KEYWORDS
    assert {"arrive", "llegar", "przyjazd"} <= lexicon.CONTEXT_KEYWORDS
    assert guard.LEXICON[Category.refund]["en"][:2] == ("refund me", "want * refund")
    assert guard.LEXICON[Category.abuse]["en"][0] == "idiot"
    assert guard.EXCLUDE[Category.fire][0] == "fire extinguisher"
    assert guard.EXCLUDE[Category.discount][-1] == "for free?"
    assert guard.FOLLOW_UPS[0] == "now tell me" and guard.FOLLOW_UPS[-1] == "现在告诉我"


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("zh: [无线", 'zh: ["无线', 12, "found unexpected end of stream (while scanning a quoted scalar from line 11)"),
        ("", "xx: [wifi]\n", 12, "unknown language 'xx'"),
        ("", "en: [router]\n", 12, "duplicate language 'en'"),
        ("es: [wifi,", "es: [wifi,\n  yes,", 4, "expected a word, found 'yes' (read as bool: quote it)"),
        ("en: [wifi,", "en: [wifi, 12,", 2, "expected a word, found '12' (read as int: quote it)"),
        ("en: [wifi,", "en: [wifi, [router],", 2, "expected a word, found a list"),
        ("fr: [wifi,", "fr: [wifi, wifi,", 4, "duplicate word 'wifi'"),
        ("de: [wlan,", "de: [wlan, ' router',", 5, "word ' router' is empty or has spaces around it"),
        ("nl: [", "nl: wifi\n# [", 8, "expected a list of words, found 'wifi'"),
        ("zh: [", "# zh: [", 2, "missing language 'zh'"),
        (None, "- wifi\n- router\n", 1, "expected a mapping of languages, found a list"),
        (None, "# nothing yet\n", 1, "empty file"),
    ],
)
def test_a_malformed_topic_file(knowledge_data: Path, old: str | None, new: str, line: int, message: str) -> None:
    path = knowledge_data / "topics" / "wifi.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") == 11 and (old is None or old in text)
    path.write_text(new if old is None else text + new if not old else text.replace(old, new, 1), encoding="utf-8")
    assert error(lexicon.load, knowledge_data) == f"{path}:{line}: {message}"


def test_an_unknown_or_missing_topic_file(knowledge_data: Path) -> None:
    topics = knowledge_data / "topics"
    (topics / "wify.yaml").write_text("en: [wifi]\n", encoding="utf-8")
    assert error(lexicon.load, knowledge_data) == f"{topics / 'wify.yaml'}:1: unknown topic 'wify'"
    (topics / "wify.yaml").unlink()
    (topics / "pool.yaml").unlink()
    assert error(lexicon.load, knowledge_data) == f"{topics / 'pool.yaml'}:1: cannot read the file (FileNotFoundError)"


def test_a_malformed_word_list_file(knowledge_data: Path) -> None:
    path = knowledge_data / "words.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("weak_keywords:", "weak_keyword:"), encoding="utf-8")
    line = text[: text.index("weak_keywords:")].count("\n") + 1
    assert error(lexicon.load, knowledge_data) == f"{path}:{line}: unknown word list 'weak_keyword'"
    path.write_text(text.replace("\n  pl: [", "\n  pl: [12, "), encoding="utf-8")
    line = text[: text.index("\n  pl: [")].count("\n") + 2
    assert error(lexicon.load, knowledge_data) == f"{path}:{line}: expected a word, found '12' (read as int: quote it)"
    path = knowledge_data / "function_words.yaml"
    path.write_text("en: [the]\nen: [the]\n", encoding="utf-8")
    assert error(lexicon.load, knowledge_data) == f"{path}:2: duplicate language 'en'"


def test_malformed_screening_files(guard_data: Path) -> None:
    exclude = guard_data / "exclude.yaml"
    text = exclude.read_text(encoding="utf-8")
    exclude.write_text(text + "fires: [fire exit]\n", encoding="utf-8")
    line = text.count("\n") + 1
    assert error(guard.load, guard_data) == f"{exclude}:{line}: unknown category 'fires'"
    exclude.write_text(text + "fire: [fire exit]\n", encoding="utf-8")
    assert error(guard.load, guard_data) == f"{exclude}:{line}: duplicate category 'fire'"
    exclude.write_text(text, encoding="utf-8")

    unknown = guard_data / "categories" / "robbery.yaml"
    unknown.write_text("en: [rob*]\n", encoding="utf-8")
    assert error(guard.load, guard_data) == f"{unknown}:1: unknown category 'robbery'"
    unknown.unlink()

    follow_ups = guard_data / "follow_ups.yaml"
    follow_ups.write_text("# Now do it.\nen: [now tell me]\n", encoding="utf-8")
    assert error(guard.load, guard_data) == f"{follow_ups}:2: expected a list of words, found a mapping"
    follow_ups.write_text("[now tell me, *]\n", encoding="utf-8")
    assert error(guard.load, guard_data).startswith(f"{follow_ups}:1: ")  # a lone * is an alias to YAML: quote it

    fire = guard_data / "categories" / "fire.yaml"
    text = fire.read_text(encoding="utf-8")
    fire.write_text(text.replace("\nde: [", "\nde: [no, "), encoding="utf-8")
    line = text[: text.index("\nde: [")].count("\n") + 2
    assert error(guard.load, guard_data) == f"{fire}:{line}: expected a word, found 'no' (read as bool: quote it)"


@pytest.mark.parametrize(
    ("module", "data", "spoil"),
    [
        ("knowledge/lexicon.py", "knowledge/data", "topics/pool.yaml"),
        ("concierge/guard/lexicon.py", "concierge/guard/data", "categories/gas.yaml"),
    ],
)
def test_a_malformed_file_fails_the_import(tmp_path: Path, module: str, data: str, spoil: str) -> None:
    copy = tmp_path / "lexicon.py"
    shutil.copy(ROOT / module, copy)
    shutil.copytree(ROOT / data, tmp_path / "data")
    (tmp_path / "data" / spoil).write_text("en: [ok]\nes: [ok]\nes: [ok]\n", encoding="utf-8")
    spec = importlib.util.spec_from_file_location("spoiled_lexicon", copy)
    assert spec is not None and spec.loader is not None
    with pytest.raises(LexiconDataError, match=r"^.*:3: duplicate language 'es'$") as info:
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
    assert str(info.value) == f"{tmp_path / 'data' / spoil}:3: duplicate language 'es'"


def test_a_class_named_inside_a_wording_must_exist(guard_data: Path) -> None:
    exclude = guard_data / "exclude.yaml"
    text = exclude.read_text(encoding="utf-8")
    exclude.write_text(text.replace('"<no_need> * <late_out>"', '"<no_need> * <late_outs>"'), encoding="utf-8")
    assert error(guard.load, guard_data).endswith("unknown word class <late_outs> in '<no_need> * <late_outs>'")
    exclude.write_text(text, encoding="utf-8")
    assert guard.load(guard_data).exclude[Category.late_check_out][0] == "<no_need> * <late_out>"
