"""The package's shape: no import circles, lower layers never import upper ones, and the
top level holds only the few modules everything shares.

Imports are read from the source with ``ast`` (inside functions too: a lazy import is still
a dependency), so nothing is imported to check them.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "ganlab"
TOP_LEVEL = {"__init__", "__main__", "errors", "device", "losses"}
# Layers from the bottom: a module may import its own layer and those below it.
LOWER = ("config", "data", "nets", "losses", "scores", "games", "training")
UPPER = ("live", "labs", "ui", "cli", "figures", "benchmarks")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """ganlab module -> the ganlab modules it imports (``from a import b`` counts as the
    module ``a.b`` when that is one, else as ``a``)."""
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}

    def resolve(name: str) -> str | None:
        while name and name not in paths:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the package, up level - 1
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                imported = [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in imported:
                if target.split(".")[0] == "ganlab" and (found := resolve(target)) != name:
                    targets.add(found)
        graph[name] = targets - {None}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm,
    iterative so a deep chain cannot hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
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


def in_layer(module: str, layers: tuple[str, ...]) -> bool:
    parts = module.split(".")
    return len(parts) > 1 and parts[1] in layers


def test_the_cycle_finder_finds_a_circle_and_nothing_else():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_lazy_imports_inside_functions():
    graph = import_graph()
    # ganlab.games.make_game imports the games inside the function.
    assert "ganlab.games.toy" in graph["ganlab.games"]
    assert "ganlab.errors" in graph["ganlab.games"]


def test_there_are_no_import_cycles_among_ganlab_modules():
    found = cycles(import_graph())
    assert found == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def test_lower_layers_never_import_upper_ones():
    graph = import_graph()
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if in_layer(module, LOWER)
        for target in targets
        if in_layer(target, UPPER)
    )
    assert upward == [], "lower layers importing upper ones: " + "; ".join(upward)


def test_only_the_shared_modules_sit_at_the_top_of_the_package():
    top = {path.stem for path in PACKAGE.glob("*.py")}
    assert top <= TOP_LEVEL, f"unexpected top-level modules: {sorted(top - TOP_LEVEL)}"
    assert {"errors", "device", "losses"} <= top
