"""The shape of the package: no import cycles, and stages that meet only at their contracts.

Every ``import`` in ``narration/`` counts, also those inside functions (a lazy import hides a cycle
from Python, not from a reader).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "narration"

# stage -> what of the other stages it may import (module prefixes)
STAGES = {
    "narration.text": (),
    "narration.synth": ("narration.text",),
    "narration.audio": ("narration.synth.types", "narration.synth.engines"),
    "narration.publish": ("narration.audio.types", "narration.audio.manifest"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports(name: str, path: Path, known: set[str]) -> Iterator[str]:
    """The ``narration`` modules that module ``name`` imports (resolved to modules, not names)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target.startswith("narration") and target != name:
                yield target


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: set(imports(name, path, known)) for name, path in found.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return out


def stage_of(name: str) -> str | None:
    return next((stage for stage in STAGES if name == stage or name.startswith(stage + ".")), None)


def test_the_graph_sees_imports() -> None:
    edges = graph()
    assert "narration.synth.types" in edges["narration.audio.layout"]
    assert "narration.audio.stage" in edges["narration.build"]


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_a_cycle_is_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_stages_meet_only_at_their_contracts() -> None:
    wrong = []
    for name, targets in graph().items():
        stage = stage_of(name)
        if stage is None:
            continue
        for target in targets:
            other = stage_of(target)
            if other is None or other == stage:
                continue
            if not any(target == allowed or target.startswith(allowed + ".") for allowed in STAGES[stage]):
                wrong.append(f"{name} -> {target}")
    assert wrong == []
