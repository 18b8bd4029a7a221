"""bench: compare hyperparameter-search strategies on one workload under one compute budget.

`bench.run`, `bench.compare` and `bench.report` are the Python API (bench.api); they are
imported on first use, so `import bench` and `python -m bench list` stay light.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["run", "compare", "report", "BenchError", "StoredRun", "__version__"]

_API = ("run", "compare", "BenchError", "StoredRun", "CompareResult", "ReportResult")


def __getattr__(name: str) -> Any:
    if name in _API:
        import bench.api

        return getattr(bench.api, name)
    if name == "report":  # the report package, callable as bench.api.report (see bench/report/__init__.py)
        import importlib

        return importlib.import_module("bench.report")
    raise AttributeError(f"module 'bench' has no attribute {name!r}")
