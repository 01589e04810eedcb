"""The layout's own rules: every module sits in a layer of `.importlinter`, no code module grows past its limit, and
no test module imports another test module or a conftest.py (shared helpers live in tests/factories.py)."""

import ast
import configparser
from pathlib import Path

from tests.factories import ROOT

PACKAGES = ("concierge", "knowledge", "escalation")
MAX_LINES = 330  # DESIGN.md: split a module when it passes ~300 lines


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[dotted.removesuffix(".__init__")] = path
    return found


def _layer_modules() -> list[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    layers = config["importlinter:contract:layers"]["layers"]
    return [name.strip() for line in layers.splitlines() for name in line.replace("|", ":").split(":") if name.strip()]


def test_every_module_is_in_a_layer() -> None:
    layered = _layer_modules()
    packages = {name.rsplit(".", i)[0] for name in layered for i in range(1, name.count(".") + 1)}
    outside = [
        module
        for module in _modules()
        if module not in packages  # a package that only groups layered modules
        and not any(module == layer or module.startswith(layer + ".") for layer in layered)
    ]
    assert outside == [], f"add these modules to a layer in .importlinter: {outside}"


def test_layers_name_only_existing_modules() -> None:
    modules = _modules()
    assert [layer for layer in _layer_modules() if layer not in modules] == []


def test_no_code_module_is_over_the_limit() -> None:
    long = {
        str(path.relative_to(ROOT)): count
        for path in _modules().values()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these modules (DESIGN.md: ~300 lines): {long}"


def _imported(path: Path, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The dotted names an import statement reaches (relative imports resolved against the file's package)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    package = list(path.relative_to(ROOT).parent.parts)
    base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
    module = ".".join(part for part in (base, node.module or "") if part)
    return [module, *(f"{module}.{alias.name}" for alias in node.names)]


def test_no_test_module_imports_a_test_module_or_a_conftest() -> None:
    found = []
    for folder in ("tests", "scripts"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
                if not isinstance(node, ast.Import | ast.ImportFrom):
                    continue
                for name in _imported(path, node):
                    last = name.rsplit(".", 1)[-1]
                    if name.startswith("tests.") and (last.startswith("test_") or last == "conftest"):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert found == [], f"move what these share to tests/factories.py (fixtures: to a conftest.py): {found}"
