"""Record a workload's learning-curve table: full grid runs, one per repeat (training seed).

    python scripts/record_table.py --workload digits [--repeats 1] [--workers 2]

writes results/reference/<workload>-v<version>/ (table.json + curves.parquet). The grid runs
themselves stay under --runs-dir for inspection.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    import workloads
    from bench.live.cluster import default_workers
    from bench.live.ray_session import ensure_ray
    from bench.live.runner import execute
    from bench.spec import make_specs
    from bench.store.results import load_run
    from bench.store.tables import REFERENCE_DIR, curves_from_runs, table_name, write_table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", default="digits")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--runs-dir", type=Path, default=ROOT / "results" / "recordings")
    parser.add_argument("--out", type=Path, default=REFERENCE_DIR)
    args = parser.parse_args()

    workload = workloads.get(args.workload)
    cluster = ensure_ray(None)
    workers = args.workers or default_workers(cluster, 1)
    runs = []
    for repeat in range(args.repeats):
        start = time.perf_counter()
        (spec,) = make_specs([("grid", {})], workload.name, seed=repeat, seeds=1, out_dir=args.runs_dir,
                             workers=workers, command=tuple(sys.argv))
        summary = execute(spec)
        print(f"repeat {repeat}: {summary.compute_epochs} epochs, {summary.compute_s:.1f} s compute, "
              f"{time.perf_counter() - start:.1f} s wall, best {summary.best_accuracy:.4f}")
        runs.append(load_run(summary.folder))
    curves = curves_from_runs(runs, workload)
    folder = write_table(args.out / table_name(workload.name, workload.version), curves, workload,
                         command=["python", "scripts/record_table.py", *sys.argv[1:]],
                         source_runs=[run.manifest["run_id"] for run in runs])
    print(f"table written to {folder} ({len(curves)} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
