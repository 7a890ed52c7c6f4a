"""The shape of the package: a package per stage, no import cycle, small modules.

Every import counts, including those inside functions and under `TYPE_CHECKING`: an import moved into
a function to dodge a cycle is still a cycle (STYLE.md, "The layout that shows the shape").
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import briefing

PACKAGE = Path(briefing.__file__).parent
MAX_LINES = 400
#: The only modules at the top of `briefing/`: entry points, the error base, typed values, orchestration.
TOP_LEVEL = {"__init__", "__main__", "errors", "models", "pipeline"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    found = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    assert "briefing.pipeline" in found
    return found


def imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The briefing modules `path` imports, anywhere in the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            # `from pkg import submodule` runs pkg's `__init__` too, but only imports from it a name
            # that is not a submodule.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # `a.b.name` -> module `a.b`
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports(path, name, set(mods)) for name, path in mods.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def stage(module: str) -> str:
    """The package (stage) a module belongs to: `briefing.audio.master` -> `audio`,
    `briefing.pipeline` -> `pipeline`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "briefing"


def test_no_module_imports_a_module_that_imports_it_back() -> None:
    assert cycles(graph()) == []


def test_no_two_packages_import_each_other() -> None:
    edges: dict[str, set[str]] = {}
    for module, targets in graph().items():
        if module in ("briefing", "briefing.__main__"):
            continue  # the entry points reach everything by design
        edges.setdefault(stage(module), set()).update(stage(t) for t in targets if stage(t) != stage(module))
    assert cycles(edges) == []


#: What each package may import besides `errors` and `models` (docs/ARCHITECTURE.md draws the same).
STAGES = {"ingest", "sections", "script", "speech", "audio", "export", "publish", "config", "util"}
LAYERS = {
    "util": set(),
    "voices": set(),
    "ingest": {"util"},
    "sections": {"util"},
    "audio": {"util"},
    "speech": {"audio", "util"},
    "export": {"audio", "speech", "util"},
    "config": {"audio", "speech", "export", "util"},
    "script": {"config", "ingest", "speech", "util"},
    "publish": {"config", "export", "audio", "speech", "util"},
    "qa": STAGES,
    "pipeline": STAGES,
    "batch": STAGES | {"pipeline"},
    "cli": STAGES | {"qa", "pipeline", "batch"},
}


def test_each_package_imports_only_the_layers_below_it() -> None:
    wrong = set()
    for module, targets in graph().items():
        if module in ("briefing", "briefing.__main__", "briefing.errors", "briefing.models"):
            continue
        allowed = LAYERS[stage(module)] | {stage(module), "errors", "models"}
        wrong |= {f"{module} -> {t}" for t in targets if stage(t) not in allowed}
    assert sorted(wrong) == []


def test_the_stages_sit_in_packages() -> None:
    loose = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in TOP_LEVEL)
    assert loose == [], f"modules at the top of briefing/: put them in a stage's package: {loose}"


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: module_name(p))
def test_no_module_is_over_the_size_limit(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name}: {lines} lines; split it by what it does"


def test_the_walker_sees_imports_inside_functions(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text("def f():\n    from briefing.audio import dsp\n    import briefing.errors\n")
    known = {"briefing.audio", "briefing.audio.dsp", "briefing.errors"}
    assert imports(source, "briefing.x.mod", known) == {"briefing.audio.dsp", "briefing.errors"}
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
