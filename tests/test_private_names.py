"""Private names of the libraries claude-tui builds on are used only in the two adapter modules.

A private name starts with `_` (dunders are not private). Using one means: importing from a private
module (`anthropic._models`) or importing a private name; reading or setting a private attribute of a
library's module, class or object (`raw_stream._client`, `app._display`); or, in a subclass of a library
class (or a mixin used with one), defining or reaching a name that is private in the library class (an
override of a private hook like `_fatal_error`, an attribute that would shadow one). Our own private
attributes on our own objects are fine.

The receiver of an attribute is known from `self`/`cls`/`super()`, from a name bound to a module or class,
from a parameter's or variable's annotation, or from an `isinstance` check in the same function. When it is
not known, a private name counts as the library's if a library defines it or claude-tui does not.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tui_chat

PACKAGE = Path(tui_chat.__file__).parent
ADAPTERS = {"tui_chat.adapters.sdk_private", "tui_chat.adapters.textual_private"}


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_modules() -> dict[str, ast.Module]:
    return {module_name(path): ast.parse(path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.rglob("*.py"))}


def import_roots(trees: dict[str, ast.Module]) -> set[str]:
    roots: set[str] = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                roots.add(node.module.split(".")[0])
    return roots


TREES = package_modules()
LIBRARIES = frozenset(import_roots(TREES) - set(sys.stdlib_module_names) - {"tui_chat", "__future__"})
"""The libraries tui_chat imports (anthropic, httpx2, textual, rich, aiohttp, pydantic, ...)."""


def library_of(obj: Any) -> bool:
    name = obj.__name__ if inspect.ismodule(obj) else getattr(obj, "__module__", None)
    return isinstance(name, str) and name.split(".")[0] in LIBRARIES


def load(name: str) -> dict[str, Any]:
    """The module's namespace (empty for `__main__` modules, which would run the app)."""
    if name.endswith("__main__"):
        return {}
    return vars(importlib.import_module(name))


@functools.cache
def class_statements(path: str) -> dict[str, ast.ClassDef]:
    """The class statements of a source file, by qualified name."""
    found: dict[str, ast.ClassDef] = {}

    def collect(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                found[prefix + child.name] = child
                collect(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                collect(child, f"{prefix}{child.name}.<locals>.")

    collect(ast.parse(Path(path).read_text(encoding="utf-8")), "")
    return found


def assigned_on_self(cls: type) -> set[str]:
    """The private attributes the methods of `cls` (as written in its source) assign on `self`."""
    try:
        path = inspect.getsourcefile(cls)
    except TypeError:
        return set()
    statement = class_statements(path).get(cls.__qualname__) if path and path.endswith(".py") else None
    if statement is None:
        return set()
    return {
        node.attr
        for node in ast.walk(statement)
        if isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Store)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
        and is_private(node.attr)
    }


@functools.cache
def library_privates(cls: type) -> frozenset[str]:
    """The private names the library classes in `cls`'s MRO define: class attributes, slots, and the
    instance attributes their methods assign."""
    names: set[str] = set()
    for base in cls.__mro__:
        if not library_of(base):
            continue
        names.update(name for name in vars(base) if is_private(name))
        slots = vars(base).get("__slots__", ())
        names.update(name for name in ([slots] if isinstance(slots, str) else slots) if is_private(name))
        names.update(assigned_on_self(base))
    return frozenset(names)


@functools.cache
def all_library_privates() -> frozenset[str]:
    """Every private name the loaded modules of the libraries define or use (for receivers of unknown type)."""
    for name in TREES:
        load(name)
    pattern = re.compile(r"(?:\.|def |class )(_[A-Za-z0-9]\w*)|\n[ \t]*(_[A-Za-z0-9]\w*)[ \t]*[:=]")
    names: set[str] = set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if library_of(module) and isinstance(path, str) and path.endswith(".py"):
            for groups in pattern.findall(Path(path).read_text(encoding="utf-8", errors="replace")):
                names.update(groups)
    return frozenset(name for name in names if name and is_private(name))


@functools.cache
def our_privates() -> frozenset[str]:
    """The private names claude-tui's own code defines (attributes it assigns, functions, classes, slots)."""
    names: set[str] = set()
    for tree in TREES.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
                names.add(node.value)  # __slots__ entries
    return frozenset(name for name in names if is_private(name))


@functools.cache
def our_classes() -> tuple[type, ...]:
    found: list[type] = []

    def collect(owner: Any, module: str) -> None:
        for value in vars(owner).values():
            if inspect.isclass(value) and value.__module__ == module and value not in found:
                found.append(value)
                collect(value, module)

    for name in TREES:
        namespace = load(name)
        for value in namespace.values():
            if inspect.isclass(value) and value.__module__ == name and value not in found:
                found.append(value)
                collect(value, name)
    return tuple(found)


@functools.cache
def applicable_privates(cls: type, classes: tuple[type, ...]) -> frozenset[str]:
    """Library-private names that code in `cls` must not use on `self`: those of its own library bases and,
    for a mixin, of the library bases of every class in `classes` that mixes it in."""
    names = set(library_privates(cls))
    for other in classes:
        if cls in other.__mro__:
            names |= library_privates(other)
    return frozenset(names)


@dataclass(frozen=True)
class Use:
    module: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line}: {self.what}"


class Scanner:
    """Finds the uses of library-private names in one module."""

    def __init__(self, module: str, tree: ast.Module, classes: tuple[type, ...] | None = None) -> None:
        self.module = module
        self.tree = tree
        self.namespace = load(module)
        self.classes = our_classes() if classes is None else classes
        """Our classes, for the mixins among them."""
        self.imported: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.imported[alias.asname] = alias.name
                    else:
                        self.imported.setdefault(alias.name.split(".")[0], alias.name.split(".")[0])
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    self.imported[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        self.uses: list[Use] = []

    # ------------------------------------------------------------------------------ resolving names
    def resolve_dotted(self, dotted: str) -> Any:
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            try:
                obj: Any = importlib.import_module(".".join(parts[:cut]))
            except ImportError:
                continue
            try:
                for part in parts[cut:]:
                    obj = getattr(obj, part)
            except AttributeError:
                return None
            return obj
        return None

    def resolve(self, node: ast.expr | None) -> list[Any]:
        """The modules or classes an expression (or annotation) stands for; [] when unknown."""
        if node is None:
            return []
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                return self.resolve(ast.parse(node.value, mode="eval").body)
            except SyntaxError:
                return []
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self.resolve(node.left) + self.resolve(node.right)
        if isinstance(node, ast.Subscript):
            return self.resolve(node.value)
        if isinstance(node, ast.Name):
            if node.id in self.namespace:
                obj = self.namespace[node.id]
            elif node.id in self.imported:
                obj = self.resolve_dotted(self.imported[node.id])
            else:
                return []
            return [obj] if inspect.ismodule(obj) or inspect.isclass(obj) else []
        if isinstance(node, ast.Attribute):
            found = []
            for owner in self.resolve(node.value):
                obj = getattr(owner, node.attr, None)
                if inspect.ismodule(obj) or inspect.isclass(obj):
                    found.append(obj)
            return found
        return []

    def class_of(self, node: ast.ClassDef, outer: list[ast.AST]) -> type | None:
        """The class object of a class statement at module level or nested in classes."""
        if any(not isinstance(scope, ast.ClassDef) for scope in outer):
            return None
        obj: Any = self.namespace
        for scope in [*outer, node]:
            assert isinstance(scope, ast.ClassDef)
            obj = obj.get(scope.name) if isinstance(obj, dict) else getattr(obj, scope.name, None)
            if obj is None:
                return None
        return obj if inspect.isclass(obj) else None

    def privates_of(self, node: ast.ClassDef, outer: list[ast.AST]) -> frozenset[str]:
        cls = self.class_of(node, outer)
        if cls is not None:
            return applicable_privates(cls, self.classes)
        names: set[str] = set()  # a class made inside a function: from its bases
        for base in node.bases:
            for obj in self.resolve(base):
                if inspect.isclass(obj):
                    names |= applicable_privates(obj, self.classes)
        return frozenset(names)

    # ------------------------------------------------------------------------------------ scanning
    def scan(self) -> list[Use]:
        self.visit(self.tree, scopes=[], privates=frozenset(), types={})
        return self.uses

    def found(self, node: ast.AST, what: str) -> None:
        self.uses.append(Use(self.module, getattr(node, "lineno", 0), what))

    def visit(
        self, node: ast.AST, *, scopes: list[ast.AST], privates: frozenset[str], types: dict[str, list[Any]]
    ) -> None:
        if isinstance(node, ast.ClassDef):
            privates = self.privates_of(node, [s for s in scopes if isinstance(s, ast.ClassDef | ast.FunctionDef)])
            for statement in node.body:
                for target in self.class_level_names(statement):
                    if target in privates:
                        self.found(statement, f"class {node.name} defines {target}, private in its library base")
            scopes = [*scopes, node]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if scopes and isinstance(scopes[-1], ast.ClassDef) and node.name in privates:
                self.found(node, f"{scopes[-1].name}.{node.name} overrides a private method of its library base")
            types = {**types, **self.local_types(node)}
            scopes = [*scopes, node]
        elif isinstance(node, ast.Import | ast.ImportFrom):
            self.check_import(node)
        elif isinstance(node, ast.Attribute) and is_private(node.attr):
            self.check_attribute(node, node.value, node.attr, privates, types)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and is_private(node.args[1].value)
        ):
            self.check_attribute(node, node.args[0], node.args[1].value, privates, types)
        for child in ast.iter_child_nodes(node):
            self.visit(child, scopes=scopes, privates=privates, types=types)

    @staticmethod
    def class_level_names(statement: ast.stmt) -> Iterator[str]:
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
        else:
            return
        for target in targets:
            if isinstance(target, ast.Name):
                yield target.id

    def local_types(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, list[Any]]:
        """What the function's annotations and `isinstance` checks say its names are."""
        arguments = function.args
        types: dict[str, list[Any]] = {}
        for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            if argument.annotation is not None:
                types[argument.arg] = self.resolve(argument.annotation)
        for node in ast.walk(function):
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                types[node.target.id] = self.resolve(node.annotation)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "isinstance"
                and len(node.args) == 2
                and isinstance(node.args[0], ast.Name)
            ):
                kinds = node.args[1].elts if isinstance(node.args[1], ast.Tuple) else [node.args[1]]
                types[node.args[0].id] = [obj for kind in kinds for obj in self.resolve(kind)]
        return types

    def check_import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] in LIBRARIES and any(is_private(part) for part in parts):
                    self.found(node, f"import {alias.name} (a private module)")
            return
        if node.level or not node.module:
            return
        parts = node.module.split(".")
        if parts[0] not in LIBRARIES:
            return
        if any(is_private(part) for part in parts):
            self.found(node, f"from {node.module} import … (a private module)")
        for alias in node.names:
            if is_private(alias.name):
                self.found(node, f"from {node.module} import {alias.name} (a private name)")

    def check_attribute(
        self, node: ast.AST, receiver: ast.expr, name: str, privates: frozenset[str], types: dict[str, list[Any]]
    ) -> None:
        shown = f"{ast.unparse(receiver)}.{name}"
        is_super = (
            isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name) and receiver.func.id == "super"
        )
        if is_super or (isinstance(receiver, ast.Name) and receiver.id in ("self", "cls")):
            if name in privates:
                self.found(node, f"{shown}: private in a library base class")
            return
        if isinstance(receiver, ast.Name) and receiver.id in types:
            kinds = types[receiver.id]
        else:
            kinds = self.resolve(receiver)
        if kinds:
            for kind in kinds:
                if inspect.ismodule(kind) and library_of(kind):
                    self.found(node, f"{shown}: a private name of the library module {kind.__name__}")
                elif inspect.isclass(kind) and (library_of(kind) or name in library_privates(kind)):
                    self.found(node, f"{shown}: private in the library class {kind.__module__}.{kind.__qualname__}")
            return
        if name in all_library_privates() or name not in our_privates():
            self.found(node, f"{shown}: a private name of a library (receiver of unknown type)")


def private_uses(modules: dict[str, ast.Module]) -> list[Use]:
    uses: list[Use] = []
    for module, tree in modules.items():
        if module not in ADAPTERS:
            uses.extend(Scanner(module, tree).scan())
    return uses


def test_only_the_adapters_use_private_names_of_libraries() -> None:
    uses = private_uses(TREES)
    assert not uses, "private names of libraries outside tui_chat/adapters/:\n" + "\n".join(map(str, uses))


def test_the_adapters_are_what_the_check_finds() -> None:
    """The check sees the adapters' own uses (so it would see them anywhere else): each kind of use it knows."""
    sdk = [str(use) for use in Scanner("tui_chat.adapters.sdk_private", TREES["tui_chat.adapters.sdk_private"]).scan()]
    textual = [
        str(use)
        for use in Scanner("tui_chat.adapters.textual_private", TREES["tui_chat.adapters.textual_private"]).scan()
    ]
    assert any("anthropic._models" in use and "private module" in use for use in sdk), sdk
    assert any("raw_stream._client" in use for use in sdk), sdk  # a parameter annotated with a library class
    assert any("client._process_response_data" in use for use in sdk), sdk  # a receiver of unknown type
    assert any("overrides a private method" in use and "_fatal_error" in use for use in textual), textual
    assert any("self._exit_renderables" in use for use in textual), textual  # on self, private in the base
    assert any("widget._vertical_scrollbar" in use for use in textual), textual
    assert any("textual._compositor" in use for use in textual), textual


def test_our_own_private_attributes_are_fine() -> None:
    source = """
from __future__ import annotations

from textual.widget import Widget


class Secret:
    __slots__ = ("_value",)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value


class Mine(Widget):
    def __init__(self) -> None:
        super().__init__()
        self._rows_drawn = 0

    def copy(self, other: Mine) -> None:
        self._rows_drawn = other._rows_drawn
"""
    uses = scan_source(source)
    assert uses == [], uses


def test_it_finds_each_kind_of_use() -> None:
    source = """
import anthropic._models
from anthropic.lib.streaming._messages import accumulate_event
from textual.app import App
from textual.widget import Widget


class Mine(Widget):
    _nodes = None

    def _size_updated(self, size, virtual_size, container_size, layout=True):
        return super()._size_updated(size, virtual_size, container_size, layout)


class Mixin:
    def hide(self) -> None:
        self._vertical_scrollbar = None


class Mixed(Mixin, Widget):
    pass


def probe(app: App[None], anything) -> None:
    app._display = None
    anything._batch_count
    getattr(anything, "_start_widget")
"""
    uses = [use.split(": ", 1)[1] for use in scan_source(source)]
    assert [use.split(" ")[0] for use in uses] == [
        "import",
        "from",
        "class",
        "Mine._size_updated",
        "super()._size_updated:",
        "self._vertical_scrollbar:",
        "app._display:",
        "anything._batch_count:",
        "anything._start_widget:",
    ], uses


def scan_source(source: str) -> list[str]:
    """The uses the check finds in `source`, as a module of a package of ours (imported from a temporary file)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        package = Path(folder) / "probe_package"
        package.mkdir()
        (package / "__init__.py").write_text("")
        (package / "probe_module.py").write_text(source)
        sys.path.insert(0, folder)
        try:
            module = importlib.import_module("probe_package.probe_module")
            extra = tuple(
                value
                for value in vars(module).values()
                if inspect.isclass(value) and value.__module__ == module.__name__
            )
            scanner = Scanner(module.__name__, ast.parse(source), our_classes() + extra)
            return [str(use) for use in scanner.scan()]
        finally:
            sys.path.remove(folder)
            for name in [name for name in sys.modules if name.startswith("probe_package")]:
                del sys.modules[name]
