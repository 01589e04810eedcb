"""Lexicon data files: YAML word lists read with their line numbers, checked, and turned into tuples.

The knowledge lexicon (`knowledge/data`) and the screening lexicon (`concierge/guard/data`) keep their words in
packaged YAML files, read once when their module is imported. A mistake in a file (bad YAML, an unknown topic,
category or language, a key given twice, a word YAML reads as a boolean or a number, a list where a word
belongs) raises `LexiconDataError` with the message `path:line: what is wrong`, so the import fails, and the
service does not start, with the place to fix. Nodes are checked before anything is built from them: plain
`yaml.safe_load` would keep the last of two equal keys and turn `no` into False without a word.
"""

from collections.abc import Sequence
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"


class LexiconDataError(ValueError):
    """A malformed lexicon data file; the message is `path:line: what is wrong`."""


def data_error(path: Path, node: Node | None, message: str) -> LexiconDataError:
    """The error for `message` at the line of `node` (line 1, the file itself, without one)."""
    mark = node.start_mark if node is not None else None
    return LexiconDataError(f"{path}:{mark.line + 1 if mark is not None else 1}: {message}")


def load_yaml_data(path: Path) -> Node:
    """The node tree of one YAML file, with line numbers; a missing, unreadable or empty file raises."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise LexiconDataError(f"{path}:1: cannot read the file ({e.__class__.__name__})") from e
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as e:  # libyaml's wording, or PyYAML's without libyaml
        mark = e.problem_mark or e.context_mark
        message = e.problem or e.context or "not valid YAML"
        if e.problem and e.context and e.context_mark is not None:
            message += f" ({e.context} from line {e.context_mark.line + 1})"
        raise LexiconDataError(f"{path}:{mark.line + 1 if mark is not None else 1}: {message}") from e
    except yaml.YAMLError as e:
        raise LexiconDataError(f"{path}:1: {e}") from e
    if node is None:
        raise LexiconDataError(f"{path}:1: empty file")
    return node


def named_files(directory: Path, names: Sequence[str], what: str) -> dict[str, Path]:
    """The `<name>.yaml` file of each name, in the order of `names`; a file named otherwise is an error."""
    for path in sorted(directory.glob("*.yaml")):
        if path.stem not in names:
            raise data_error(path, None, f"unknown {what} {path.stem!r}")
    return {name: directory / f"{name}.yaml" for name in names}


def mapping(path: Path, node: Node, keys: Sequence[str], what: str, *, required: bool = True) -> dict[str, Node]:
    """The values of a mapping keyed by some of `keys` (all of them if `required`), in the file's order."""
    if not isinstance(node, MappingNode):
        raise data_error(path, node, f"expected a mapping of {what}s, found {_kind(node)}")
    found: dict[str, Node] = {}
    for key, value in node.value:
        if not isinstance(key, ScalarNode) or key.tag != _STR:
            raise data_error(path, key, f"expected a {what}, found {_kind(key)}")
        if key.value in found:
            raise data_error(path, key, f"duplicate {what} {key.value!r}")
        if key.value not in keys:
            raise data_error(path, key, f"unknown {what} {key.value!r}")
        found[key.value] = value
    missing = [key for key in keys if key not in found] if required else []
    if missing:
        raise data_error(path, node, f"missing {what} {missing[0]!r}")
    return found


def words(path: Path, node: Node) -> tuple[str, ...]:
    """The words of a list, in order: strings without spaces around them, each one once."""
    if not isinstance(node, SequenceNode):
        raise data_error(path, node, f"expected a list of words, found {_kind(node)}")
    found: dict[str, None] = {}
    for item in node.value:
        if not isinstance(item, ScalarNode) or item.tag != _STR:
            raise data_error(path, item, f"expected a word, found {_kind(item)}")
        word = item.value
        if not word or word != word.strip():
            raise data_error(path, item, f"word {word!r} is empty or has spaces around it")
        if word in found:
            raise data_error(path, item, f"duplicate word {word!r}")
        found[word] = None
    return tuple(found)


def language_words(
    path: Path, node: Node, languages: Sequence[str], *, required: bool = True
) -> dict[str, tuple[str, ...]]:
    """The words of a mapping of language to list, in the order of `languages` (all of them if `required`)."""
    by_language = mapping(path, node, languages, "language", required=required)
    return {language: words(path, by_language[language]) for language in languages if language in by_language}


def language_file(path: Path, languages: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The words of a file that maps every language in `languages` to its list."""
    return language_words(path, load_yaml_data(path), languages)


def _kind(node: Node) -> str:
    """What a node is, for a message: "a list", "a mapping", or its value and what YAML reads it as."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    kind = node.tag.rsplit(":", 1)[-1]
    return repr(node.value) if kind == "str" else f"{node.value!r} (read as {kind}: quote it)"
