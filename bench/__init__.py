"""bench: compare hyperparameter-search strategies on one workload under one compute budget.

The Python API (defined in bench.api, documented in docs/api.md):

    bench.run(strategy="asha", replay=True)      # one run: a StoredRun
    bench.compare(["asha", "random"], seeds=5)   # a matrix of runs and its report: a CompareResult
    bench.report(["results"])                    # a report over stored runs: a ReportResult
    bench.record("digits", configs=64)           # a learning-curve dataset, trained as Ray tasks
    bench.check("results/recording-digits-v2")   # where that dataset's replay can be trusted

Bad arguments raise BenchError. The names are imported on first use, so `import bench` and
`python -m bench list` stay light; the report's building blocks are in bench.reporting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what the lazy loader below returns, for type checkers and editors
    from bench.api import CompareResult, RecordEstimate, ReportResult, check, compare, record, report, run
    from bench.errors import BenchError
    from bench.store.results import StoredRun

__version__ = "0.1.0"

__all__ = ["run", "compare", "report", "record", "check", "BenchError", "StoredRun", "CompareResult",
           "ReportResult",
           "RecordEstimate", "__version__"]

_API = frozenset(__all__) - {"__version__"}


def __getattr__(name: str) -> Any:
    if name in _API:
        import bench.api

        value = getattr(bench.api, name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module 'bench' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
