"""Every `from X import Y` of bench's own packages names something that exists, lazy imports included.

Imports inside functions run only when their branch does, so a module moved without updating
them fails in a user's run, not at import time. This reads each file's syntax tree and resolves
every such import against the installed code.
"""

import ast
import importlib
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWN = ("bench", "strategies", "workloads")
FILES = sorted(p for folder in (*OWN, "tests", "scripts") for p in (ROOT / folder).rglob("*.py"))


def _own_imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.split(".")[0] in OWN:
            for alias in node.names:
                yield node.lineno, node.module, alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in OWN:
                    yield node.lineno, alias.name, None


def _resolves(module: str, name: str | None) -> bool:
    if importlib.util.find_spec(module) is None:
        return False
    if name is None or name == "*":
        return True
    if _is_package(module) and importlib.util.find_spec(f"{module}.{name}") is not None:
        return True
    return hasattr(importlib.import_module(module), name)


def _is_package(module: str) -> bool:
    spec = importlib.util.find_spec(module)
    return spec is not None and spec.submodule_search_locations is not None


def test_every_own_import_resolves():
    broken = [f"{path.relative_to(ROOT)}:{line}: from {module} import {name}"
              for path in FILES for line, module, name in _own_imports(path) if not _resolves(module, name)]
    assert len(FILES) > 100 and not broken, "\n".join(broken)
