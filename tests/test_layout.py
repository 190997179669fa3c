"""The layout holds: no import cycles, a docstring on every package, nothing cited from outside."""

import ast
import re
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
PACKAGES = ["config", "pluginmeta", "todos", "sportstats", "retrieval"]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in (PROJECT / package).rglob("*.py")
        if "migrations" not in path.parts
    }


def imports_of(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """The project modules a module imports, anywhere in it (a function's import counts too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in modules else base)
    return {module for module in found if module in modules and module != name}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_module_of_the_project_imports_itself_through_others():
    modules = project_modules()
    graph = {name: imports_of(path, name, modules) for name, path in modules.items()}
    assert import_cycles(graph) == []


def package_graph(depth: int) -> dict[str, set[str]]:
    """The import graph between packages named by the first depth parts of module names."""
    modules = project_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = ".".join(name.split(".")[:depth])
        targets = {".".join(t.split(".")[:depth]) for t in imports_of(path, name, modules)}
        graph.setdefault(package, set()).update(targets - {package})
    return {package: targets & graph.keys() for package, targets in graph.items()}


@pytest.mark.parametrize("depth", [1, 2], ids=["apps", "sub-packages"])
def test_no_package_imports_itself_through_others(depth):
    # pluginmeta.auth and pluginmeta.hosts, say, may not need each other, even through
    # modules that do not form a cycle themselves.
    assert import_cycles(package_graph(depth)) == []


def test_the_platform_imports_no_app():
    apps = {"todos", "sportstats", "retrieval"}
    assert not package_graph(1)["pluginmeta"] & apps


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(graph) == [["a", "b", "c"]]


@pytest.mark.parametrize(
    "package",
    sorted(
        str(init.parent.relative_to(PROJECT))
        for name in PACKAGES
        for init in (PROJECT / name).rglob("__init__.py")
        if "migrations" not in init.parts and "commands" not in init.parts
    ),
)
def test_every_package_says_what_it_owns(package):
    docstring = ast.get_docstring(ast.parse((PROJECT / package / "__init__.py").read_text()))
    assert docstring, f"{package}/__init__.py has no docstring"


OUTSIDE_REFERENCE = re.compile(r"DESIGN\.md|\.\./shared|shared/notes|shared/seeds")


def test_nothing_cites_a_document_outside_the_repository():
    tracked = [
        path
        for path in PROJECT.rglob("*")
        if path.is_file()
        and path.suffix in {".py", ".md", ".html", ".toml", ".txt", ".yaml", ".json", ".cfg"}
        and not any(
            # Git-ignored outputs: mutmut's copy of the project, the built manual.
            part.startswith(".") or part in {"node_modules", "out", "mutants", "site"}
            for part in path.relative_to(PROJECT).parts
        )
        and path != Path(__file__)
    ]
    citing = [
        str(p.relative_to(PROJECT)) for p in tracked if OUTSIDE_REFERENCE.search(p.read_text())
    ]
    assert citing == []


def test_no_test_module_imports_another():
    # Shared helpers live in tests/helpers/ and fixtures in conftest.py, so running or
    # reading one test module never drags in another's tests.
    importing = [
        str(path.relative_to(PROJECT))
        for path in (PROJECT / "tests").rglob("*.py")
        if re.search(r"^\s*from tests\.(\w+\.)*test_\w+ import", path.read_text(), re.MULTILINE)
    ]
    assert importing == []
