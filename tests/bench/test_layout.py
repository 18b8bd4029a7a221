"""The layout's rules, read from the source: live and replay never import each other, private Ray
Tune names only in bench.tune_compat, no module over 400 lines (one topic per module; above 400
lines, split by topic), a short top level."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"


def imported_modules(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every import in `path`, at any depth (function-level imports too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, []) for alias in node.names)
    return found


def _modules(package: str) -> list[Path]:
    return sorted((BENCH / package).rglob("*.py"))


@pytest.mark.parametrize("package, forbidden", [("live", "bench.replay"), ("replay", "bench.live")])
def test_live_and_replay_never_import_each_other(package, forbidden):
    offending = [f"{path.relative_to(ROOT)}:{line} imports {module}"
                 for path in _modules(package) for line, module, names in imported_modules(path)
                 if module == forbidden or module.startswith(forbidden + ".")
                 or (module == "bench" and forbidden.split(".")[1] in names)]
    assert not offending, "; ".join(offending)


def test_private_ray_names_only_in_the_compat_module():
    offending = []
    for path in [*BENCH.rglob("*.py"), *(ROOT / "strategies").rglob("*.py"),
                 *(ROOT / "workloads").rglob("*.py")]:
        if path == BENCH / "tune_compat.py":
            continue
        for line, module, names in imported_modules(path):
            if module.split(".")[0] == "ray" and ("_internal" in module
                                                  or any(n.startswith("_") for n in names)):
                offending.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not offending, "; ".join(offending)


#: A module is one topic, whatever its size; past this many lines it holds more than one.
MODULE_LINE_LIMIT = 400


def test_no_module_over_the_line_limit():
    long = {str(p.relative_to(ROOT)): n for p in BENCH.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > MODULE_LINE_LIMIT}
    assert not long


def test_at_most_eight_top_level_modules():
    top = sorted(p.name for p in BENCH.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert len(top) <= 8, top
