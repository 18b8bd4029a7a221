"""bench's Python API, for notebooks and scripts; `python -m bench` is built on the same functions.

    import bench

    run = bench.run(strategy="asha", replay=True)             # a StoredRun: .epochs, .manifest, .folder
    matrix = bench.compare(["asha", "random"], seeds=5)       # replayed; .summary, .report, .runs
    result = bench.report(["results"])                        # .summary, .per_seed, .plots, .files
    dataset = bench.record("digits", configs=64)              # a dataset folder for replay (trains)

Bad arguments raise `BenchError` with the line the CLI prints, before anything is written.
(The report's building blocks, for notebooks that go further, are the package bench.reporting.)
"""

from bench.api.check_call import check
from bench.api.compare_call import CompareResult, compare
from bench.api.record_call import RecordEstimate, record
from bench.api.report_call import ReportResult, report
from bench.api.run_call import run
from bench.errors import BenchError
from bench.store.results import StoredRun

__all__ = ["run", "compare", "report", "record", "check", "BenchError", "StoredRun", "CompareResult",
           "ReportResult",
           "RecordEstimate"]
