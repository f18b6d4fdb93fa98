"""The test suite's own rules: a test module imports its helpers from `tests/support/`, never from another test
module or from `conftest.py` (fixtures come to it by name), and every folder of tests is a package (two folders
may then hold modules of the same name)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.paths import REPO

TESTS = REPO / "tests"
SUPPORT = "tests.support"


def python_files() -> list[Path]:
    return sorted(path for path in TESTS.rglob("*.py") if "fixtures" not in path.relative_to(TESTS).parts)


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts)


def imported(source: str, module: str) -> list[tuple[int, str]]:
    """(line, module) of every import in `source`, written in `module`; relative imports made absolute, and
    `from tests import x` counted as an import of `tests.x`."""
    package = module.rsplit(".", 1)[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parent, base] if base else parent)
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def wrong_imports(source: str, module: str) -> list[str]:
    """The imports in `source` of a test module or of conftest: any module of `tests` outside `tests.support`
    that is a module of its own (a helper imported by name from a support module is fine)."""
    wrong = []
    for line, name in imported(source, module):
        parts = name.split(".")
        if parts[0] != "tests" or name == "tests" or name.startswith(SUPPORT + ".") or name == SUPPORT:
            continue
        if any(part.startswith("test_") or part == "conftest" for part in parts[1:]) or not _is_package(parts):
            wrong.append(f"{module}:{line} imports {name}")
    return wrong


def _is_package(parts: list[str]) -> bool:
    """Whether `tests.a.b` names a folder of tests (a package: importing it imports nothing of a test module)."""
    return (REPO.joinpath(*parts) / "__init__.py").exists()


def test_no_test_module_imports_another() -> None:
    wrong = []
    for path in python_files():
        wrong += wrong_imports(path.read_text(encoding="utf-8"), module_name(path))
    assert wrong == []


def test_the_check_finds_each_kind_of_import() -> None:
    source = """
from tests.ui.test_app import helper
from tests.conftest import SIZE
import tests.session.test_store
from tests import conftest
from . import test_wire
from .test_wire import frames

def later():
    from tests.test_commands import README
"""
    found = wrong_imports(source, "tests.stream.test_event_stream")
    assert [entry.split(" imports ")[1] for entry in found] == [
        "tests.ui.test_app",
        "tests.ui.test_app.helper",
        "tests.conftest",
        "tests.conftest.SIZE",
        "tests.session.test_store",
        "tests.conftest",
        "tests.stream.test_wire",
        "tests.stream.test_wire",
        "tests.stream.test_wire.frames",
        "tests.test_commands",
        "tests.test_commands.README",
    ]
    fine = (
        "from tests.support.app import demo_app\nfrom tests.support import hostile_streams\nimport tests.support.pty\n"
    )
    assert wrong_imports(fine, "tests.ui.test_app") == []


def test_every_folder_of_tests_is_a_package() -> None:
    folders = {path.parent for path in python_files()}
    assert sorted(str(folder.relative_to(REPO)) for folder in folders if not (folder / "__init__.py").exists()) == []


def test_helpers_are_not_collected_as_tests() -> None:
    """What `tests/support/` holds is never a test module, and a test module holds tests."""
    support = TESTS / "support"
    assert not [path.name for path in support.rglob("test_*.py")]
    for path in TESTS.rglob("test_*.py"):
        if "support" in path.relative_to(TESTS).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tests = [
            node.name
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")
        ]
        assert tests, f"{path.relative_to(REPO)} holds no test"
