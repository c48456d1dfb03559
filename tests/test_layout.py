"""The package reads as the pipeline: no import cycle, and no stage imports a later one.

Every import is counted, those inside functions too (a lazy import is still a dependency)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "evidence_archive"

#: The stages in pipeline order; a module may import only its own stage and earlier ones. The
#: index and the site are two sides of one stage: neither may import the other.
STAGES: dict[str, int] = {
    # beside every stage: the model, the declarative tables, the registry, small helpers
    "errors": 0, "model": 0, "frameworks": 0, "registry": 0, "urls": 0, "dates": 0,
    "files": 0, "proc": 0, "terms": 0, "recommending": 0, "labels": 0, "whoosh_start": 0,
    "corpus": 1, "parse": 2, "render": 3, "check": 4, "ingest": 5, "build": 6,
    "opendata": 7, "index": 8, "site": 8, "search": 9, "pipeline": 10, "cli": 11,
}  # fmt: skip
MAX_LINES = 520


def modules() -> dict[str, Path]:
    out = {}
    for p in sorted(PKG.rglob("*.py")):
        parts = p.relative_to(PKG).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name or "__init__"] = p
    return out


def imports(path: Path, here: str) -> set[str]:
    """The package modules path imports (absolute or relative, anywhere in the file)."""
    found: set[str] = set()
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join([*base, node.module] if node.module else base)
            elif node.module and node.module.startswith("evidence_archive"):
                mod = node.module.removeprefix("evidence_archive").lstrip(".")
            else:
                continue
            found.add(mod)
            found.update(f"{mod}.{a.name}".lstrip(".") for a in node.names)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("evidence_archive."):
                    found.add(a.name.removeprefix("evidence_archive."))
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {m: {i for i in imports(p, m) if i in mods and i != m} for m, p in mods.items()}


def stage(module: str) -> str:
    return module.split(".")[0]


def test_every_module_belongs_to_a_stage() -> None:
    unknown = sorted({stage(m) for m in modules()} - set(STAGES) - {"__init__"})
    assert unknown == [], f"add these to STAGES (and the README's layout): {unknown}"


def test_no_stage_imports_a_later_one() -> None:
    wrong = [
        f"{m} ({stage(m)}) imports {i} ({stage(i)})"
        for m, deps in graph().items()
        for i in sorted(deps)
        if stage(i) != stage(m)
        and i != "__init__"
        and STAGES.get(stage(i), 99) >= STAGES.get(stage(m), 99)
        and STAGES.get(stage(m)) != 0  # the helpers beside the stages may use one another
    ]
    assert wrong == []


def test_no_import_cycle() -> None:
    g = graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for d in sorted(g.get(m, ())):
            if state.get(d) == 1:
                cycles.append([*path[path.index(d) :], d] if d in path else [m, d])
            elif d not in state:
                visit(d, [*path, d])
        state[m] = 2

    for m in sorted(g):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_the_graph_reads_real_imports() -> None:
    # The checks above would pass on an empty graph; this one shows they read real imports.
    g = graph()
    assert "build.cache" in g["pipeline"]
    assert "model" in g["parse.document"]
    assert any(stage(d) == "index" for d in g["search.searcher"])


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_is_too_long(name: str) -> None:
    lines = modules()[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name}: {lines} lines; split it along its seams"
