"""The house points one way: settings and errors at the bottom, the CLI at the top, no circles.

The import graph is read from the source with `ast` (every `import`, at any depth,
and `importlib.import_module` of a literal name), so an import hidden in a function
counts as much as one at the top. docs/architecture.md draws the same layers.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Bottom to top: a package may import only the packages before it.
LAYERS = ["migkg", "graph", "loaders", "cypher", "ontology", "sparql", "api", "cli"]

Graph = dict[str, set[str]]


def modules(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Every module of `packages` under `root`, by dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _targets(name: str, path: Path, node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:  # relative: from the module's own package
            package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, base] if base else package)
        for alias in node.names:
            yield f"{base}.{alias.name}"  # a module, or else a name in `base` (import_graph)
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
          and node.func.attr == "import_module" and node.args
          and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
        yield node.args[0].value


def import_graph(root: Path, packages: Iterable[str]) -> Graph:
    """Module → the modules of `packages` it imports."""
    mods = modules(root, packages)
    graph: Graph = defaultdict(set)
    for name, path in mods.items():
        graph[name]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            for target in _targets(name, path, node):
                # The longest module the name reaches: `from graph import falkor` is the
                # module graph.falkor, `from graph import open_backend` is graph/__init__.
                while target and target not in mods and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target in mods and target != name:
                    graph[name].add(target)
    return dict(graph)


def package_graph(graph: Graph) -> Graph:
    out: Graph = defaultdict(set)
    for source, targets in graph.items():
        for target in targets:
            a, b = source.split(".")[0], target.split(".")[0]
            if a != b:
                out[a].add(b)
    return dict(out)


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components with more than one member (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = len(index)
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(graph.get(succ, ())))))
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def upward(graph: Graph, layers: list[str]) -> list[str]:
    """Every import of a package from one above it, as `module -> module`."""
    rank = {package: i for i, package in enumerate(layers)}
    return sorted(f"{source} -> {target}" for source, targets in graph.items() for target in targets
                  if rank[target.split(".")[0]] > rank[source.split(".")[0]])


@pytest.fixture(scope="module")
def house() -> Graph:
    return import_graph(ROOT, LAYERS)


def test_every_product_package_has_a_layer() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    packages |= {p.parent.name for p in ROOT.glob("*/py.typed")}
    assert packages - {"tests"} == set(LAYERS)


def test_no_package_imports_one_above_it(house: Graph) -> None:
    assert upward(house, LAYERS) == []


def test_no_package_level_cycle(house: Graph) -> None:
    assert cycles(package_graph(house)) == []


def test_no_file_level_cycle(house: Graph) -> None:
    assert cycles(house) == []


def test_nothing_imports_the_cli(house: Graph) -> None:
    assert sorted(f"{s} -> {t}" for s, targets in house.items() for t in targets
                  if t.split(".")[0] == "cli" and s.split(".")[0] != "cli") == []


# -- the checks themselves fail on what they are meant to catch -------------------------------

def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_a_file_cycle_is_found_even_inside_a_function(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "low/__init__.py": "",
        "low/a.py": "from low.b import thing\n",
        "low/b.py": "def thing():\n    from low import a\n    return a\n",
        "low/c.py": "from . import a\n",
    })
    graph = import_graph(root, ["low"])
    assert cycles(graph) == [["low.a", "low.b"]]
    assert graph["low.c"] == {"low.a"}  # a module named from its package is that module


def test_an_upward_import_and_a_package_cycle_are_found(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "base/__init__.py": "", "base/settings.py": "import importlib\nimportlib.import_module('top.main')\n",
        "top/__init__.py": "", "top/main.py": "from base.settings import x\n",
    })
    graph = import_graph(root, ["base", "top"])
    assert upward(graph, ["base", "top"]) == ["base.settings -> top.main"]
    assert cycles(package_graph(graph)) == [["base", "top"]]
