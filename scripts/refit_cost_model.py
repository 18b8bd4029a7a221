"""Print the drift of a dataset's recorded epoch times, then fit its cost model again from them.

    python scripts/refit_cost_model.py [--workload digits] [--table DIR] [--dry-run]

The fit (bench.store.cost_fit) takes the median of every recording of a (batch size, width),
so the drift printed first no longer moves the cost of the grid's shapes. Without --dry-run,
cost.parquet is rewritten and table.json's cost_model entry (checksum, method) updated.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    import pandas as pd

    import workloads
    from bench.reporting.reference import load_reference
    from bench.store.cost_fit import cost_drift, refit_cost_model
    from bench.store.dataset import dataset_frame
    from bench.store.tables import default_table_path, load_table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", default="digits")
    parser.add_argument("--table", type=Path, default=None,
                        help="dataset folder (default: the workload's shipped one)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the drift and the totals, write nothing")
    args = parser.parse_args(argv)
    workload = workloads.get(args.workload)
    folder = args.table or default_table_path(workload.name)
    table = load_table(folder, workload.name)
    drift = cost_drift(dataset_frame(table, workload.space), int(table.meta["grid_size"]))
    with pd.option_context("display.width", 200, "display.float_format", "{:.4f}".format):
        print("recorded seconds per epoch of the grid's shapes, in the recording plan's order "
              "(job = seed * grid size + grid index; no timestamps are stored)")
        print(drift.to_string(index=False))
    before = load_reference(workload.name, folder).total_compute("seconds")
    print(f"grid total before: {before:.1f} reference-seconds")
    if args.dry_run:
        return 0
    entry = refit_cost_model(folder, workload)
    after = load_reference(workload.name, folder).total_compute("seconds")
    print(f"grid total after:  {after:.1f} reference-seconds ({after / before - 1:+.1%}); "
          f"cost.parquet {entry['sha256']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
