"""The package's modules import one another without cycles.

A cycle makes the import order decide what works (a name is missing while its module is
half loaded), and ties modules together that the folders present as separate rooms. The
checker reads the source with `ast`, so it needs no tool and sees what Python would run:

- every `import` and `from ... import` of an `eachcustomer.*` module, at module level and
  inside functions (an import moved into a function to dodge a cycle is still the cycle);
- but not those under `if TYPE_CHECKING:`, which never run;
- `from package import name` is an edge to the submodule `package.name` when there is one,
  else to the package's `__init__` (a re-export: the `__init__` is then part of the graph);
- the packages Python loads on the way to a module are edges too (their `__init__` runs
  first), except the importer's own packages, which are already loading when it runs: so a
  package's `__init__` importing its own children is fine, while a child importing its
  package's `__init__` for a name that `__init__` imports from the child is a cycle.

Imports by computed name (`importlib.import_module(f"...{page}...")`) are not seen.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1] / "eachcustomer"
PACKAGE = "eachcustomer"


def module_files(root: Path = ROOT, package: str = PACKAGE) -> dict[str, Path]:
    """Every module of the package by dotted name (following the links to the folders)."""
    modules: dict[str, Path] = {}
    paths = (
        Path(folder) / name
        for folder, _, names in os.walk(root, followlinks=True)
        for name in names
        if name.endswith(".py")
    )
    for path in sorted(paths):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join((package, *parts))] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """The import statements that can run: all of them but those under `if TYPE_CHECKING:`."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            children: list[ast.AST] = list(node.orelse)
        else:
            children = list(ast.iter_child_nodes(node))
        for child in children:
            visit(child)

    visit(tree)
    return found


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The module a `from ... import` names, its relative dots resolved against `module`."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imported_modules(module: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that `module` (the file `path`) imports when it runs."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    targets: set[str] = set()
    for node in _imports(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        source = _absolute(node, module, path.name == "__init__.py")
        for alias in node.names:
            sub = f"{source}.{alias.name}"
            targets.add(sub if sub in known else source)
    # A package on the way that contains the importer is already loading: not an edge. One
    # that the importer names (`from its_package import name`) is.
    loading = _packages(module)
    on_the_way = {p for target in targets for p in _packages(target) if p not in loading}
    return {t for t in targets | on_the_way if t in known and t != module}


def _packages(module: str) -> set[str]:
    """The packages that contain `module`: for `a.b.c`, `a` and `a.b`."""
    parts = module.split(".")
    return {".".join(parts[:end]) for end in range(1, len(parts))}


def import_graph(root: Path = ROOT, package: str = PACKAGE) -> nx.DiGraph:
    """Modules as nodes, an edge from each module to every package module it imports."""
    files = module_files(root, package)
    graph = nx.DiGraph()
    graph.add_nodes_from(files)
    for module, path in files.items():
        for target in imported_modules(module, path, set(files)):
            graph.add_edge(module, target)
    return graph


def import_cycles(graph: nx.DiGraph) -> list[list[str]]:
    """The modules of each cycle (a strongly connected component of more than one module)."""
    components = (sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1)
    return sorted(components)


def _describe(graph: nx.DiGraph, component: list[str]) -> str:
    edges = sorted((a, b) for a, b in graph.subgraph(component).edges)
    lines = [f"{len(component)} modules: " + ", ".join(component)]
    lines += [f"    {a} imports {b}" for a, b in edges]
    return "\n".join(lines)


def test_the_package_has_no_import_cycles() -> None:
    graph = import_graph()
    cycles = import_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(_describe(graph, c) for c in cycles)


def test_the_graph_covers_the_whole_package() -> None:
    graph = import_graph()
    for module in (
        "eachcustomer.cli",
        "eachcustomer.sim.model",
        "eachcustomer.experiments.reports.report",
        "eachcustomer.dashboard.app",
    ):
        assert module in graph
    # the edges are there: the model imports its parameters
    assert graph.has_edge("eachcustomer.sim.model", "eachcustomer.sim.params")


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("files", "cycle"),
    [
        pytest.param(
            {"__init__.py": "", "a.py": "import pkg.b\n", "b.py": "from pkg.a import x\n"},
            ["pkg.a", "pkg.b"],
            id="module level",
        ),
        pytest.param(
            {
                "__init__.py": "",
                "a.py": "from pkg import b\n",
                "b.py": "def f():\n    from pkg.a import x\n",
            },
            ["pkg.a", "pkg.b"],
            id="inside a function",
        ),
        pytest.param(
            {
                "__init__.py": "",
                "sub/__init__.py": "from pkg.sub.child import thing\n",
                "sub/child.py": "from pkg.sub import other\n",
            },
            ["pkg.sub", "pkg.sub.child"],
            id="child imports its package's re-export",
        ),
        pytest.param(
            {"__init__.py": "", "a.py": "from . import b\n", "b.py": "from .a import x\n"},
            ["pkg.a", "pkg.b"],
            id="relative",
        ),
        pytest.param(
            {
                "__init__.py": "",
                "a.py": "import pkg.sub.child\n",
                "sub/__init__.py": "from pkg.a import x\n",
                "sub/child.py": "",
            },
            ["pkg.a", "pkg.sub"],
            id="through a package loaded on the way",
        ),
        pytest.param(
            {
                "__init__.py": "",
                "a.py": "import pkg.b\n",
                "b.py": (
                    "from typing import TYPE_CHECKING\n"
                    "if TYPE_CHECKING:\n    from pkg.a import x\n"
                    "else:\n    from pkg.a import y\n"
                ),
            },
            ["pkg.a", "pkg.b"],
            id="else branch of TYPE_CHECKING",
        ),
    ],
)
def test_the_checker_finds_a_cycle(tmp_path: Path, files: dict[str, str], cycle: list[str]) -> None:
    graph = import_graph(_package(tmp_path, files), "pkg")
    assert import_cycles(graph) == [cycle]


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(
            {
                "__init__.py": "",
                "a.py": "import pkg.b\n",
                "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n",
            },
            id="TYPE_CHECKING",
        ),
        pytest.param(
            {
                "__init__.py": "",
                "sub/__init__.py": "from pkg.sub.child import thing\n",
                "sub/child.py": "from pkg.sub.sibling import other\n",
                "sub/sibling.py": "import numpy\n",
            },
            id="package imports its children",
        ),
    ],
)
def test_the_checker_accepts(tmp_path: Path, files: dict[str, str]) -> None:
    assert import_cycles(import_graph(_package(tmp_path, files), "pkg")) == []
