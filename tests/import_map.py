"""Reading the architecture map (docs/architecture.md) and the project's imports with `ast`,
for tests/test_imports_map.py: the modules, the rows they belong to, what each imports."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
SCANNED = ("sfa_desktop", "sync_server", "installer", "benchmarks")
ANY = "*"
PACKAGE = "package"  # `sfa_desktop.__init__`: every row may import the version


@dataclass(frozen=True)
class Row:
    name: str
    prefixes: tuple[str, ...]
    allowed: frozenset[str]

    def holds(self, module: str) -> int:
        """The length of the longest prefix of this row matching `module` (0: none)."""
        return max(
            (len(p) for p in self.prefixes if module == p or module.startswith(p + ".")),
            default=0,
        )


@dataclass(frozen=True)
class Module:
    name: str  # dotted; a package's own module ends in `.__init__`
    path: Path

    @property
    def package(self) -> str:
        return self.name.rsplit(".", 1)[0]


def table(heading: str) -> list[list[str]]:
    """The cells of the first table under `## heading` in the map."""
    lines = DOC.read_text().splitlines()
    start = lines.index(f"## {heading}")
    found: list[list[str]] = []
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        if line.startswith("|"):
            found.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif found:
            break
    return found[2:]  # without the header and the |---| line


def _names(cell: str) -> list[str]:
    """`a, b (why), c` -> [a, b, c]; `—` -> []."""
    names = []
    for part in cell.split(","):
        name = part.split("(")[0].strip().strip("`")
        if name and name != "—":
            names.append(name)
    return names


@cache
def rows(heading: str) -> dict[str, Row]:
    found = {}
    for name, modules, _owns, allowed in table(heading):
        found[name] = Row(name, tuple(_names(modules)), frozenset(_names(allowed)))
    return found


@cache
def libraries() -> dict[str, frozenset[str]]:
    """Third-party top-level package -> the rows it may be imported in."""
    found = {}
    for names, where in table("Libraries kept to their rows"):
        for name in _names(names):
            found[name] = frozenset(_names(where))
    return found


def row_of(module: str, heading: str) -> Row | None:
    best = max(rows(heading).values(), key=lambda row: row.holds(module))
    return best if best.holds(module) else None


@cache
def modules() -> dict[str, Module]:
    found = {}
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[dotted] = Module(dotted, path)
    return found


def resolve(name: str) -> str | None:
    """The scanned module `name` means (a package: its `__init__`), or None."""
    known = modules()
    if name in known:
        return name
    if f"{name}.__init__" in known:
        return f"{name}.__init__"
    return None


@dataclass(frozen=True)
class Import:
    module: str  # a scanned module, or a third-party top-level name
    line: int
    first_party: bool


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _nodes(body: list[ast.stmt], top_level_only: bool) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements of `body`: every one, or only those that run when the module is
    imported (not in functions, not under `if TYPE_CHECKING`)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif top_level_only and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        elif top_level_only and isinstance(node, ast.If) and _is_type_checking(node):
            yield from _nodes(node.orelse, top_level_only)
        else:
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                for child in getattr(node, field, []):
                    if isinstance(child, ast.stmt):
                        yield from _nodes([child], top_level_only)
                    elif isinstance(child, ast.excepthandler | ast.match_case):
                        yield from _nodes(child.body, top_level_only)


@cache
def imports(name: str, top_level_only: bool = False) -> tuple[Import, ...]:
    """What module `name` imports (all of it, or only what runs at its import)."""
    module = modules()[name]
    tree = ast.parse(module.path.read_text(), str(module.path))
    found = []
    for node in _nodes(tree.body, top_level_only):
        for target in _targets(module, node):
            found.append(Import(target[0], node.lineno, target[1]))
    return tuple(found)


def _targets(module: Module, node: ast.Import | ast.ImportFrom) -> Iterator[tuple[str, bool]]:
    """(module, first party) for each name the statement imports."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield _target(module, alias.name)
        return
    base = node.module or ""
    if node.level:
        parts = module.package.split(".")
        parts = parts[: len(parts) - node.level + 1]
        base = ".".join([*parts, *([node.module] if node.module else [])])
    for alias in node.names:
        submodule = resolve(f"{base}.{alias.name}")
        yield (submodule, True) if submodule else _target(module, base)


def _target(module: Module, name: str) -> tuple[str, bool]:
    if module.name.startswith("benchmarks.") and resolve(f"benchmarks.{name}"):
        name = f"benchmarks.{name}"  # the benchmarks import each other by bare name
    if name.split(".")[0] in SCANNED:
        parts = name.split(".")
        while parts:  # the module itself, or the package holding a missing name
            found = resolve(".".join(parts))
            if found:
                return found, True
            parts.pop()
    return name.split(".")[0], False


def circles(top_level_only: bool) -> list[frozenset[str]]:
    """Sets of modules that import each other in a circle (strongly connected, > 1)."""
    graph = {
        name: sorted({i.module for i in imports(name, top_level_only) if i.first_party} - {name})
        for name in modules()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            members = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                members.add(member)
                if member == node:
                    break
            if len(members) > 1:
                found.append(frozenset(members))

    for name in graph:
        if name not in index:
            visit(name)
    return found
