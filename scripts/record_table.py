"""Record a workload's grid-only learning-curve table: a thin caller of `bench run --strategy grid --repeats`.

    python scripts/record_table.py --workload digits [--repeats 1] [--workers 2] [--runs-dir DIR] [--out DIR]

`bench run --strategy grid --repeats R --until budget` runs the whole grid R times (training
seeds 0 .. R-1) and writes the table into its last run's folder (`table/`); this script then
copies it to OUT/<workload>-v<version>/ (default OUT: the shipped tables' folder). A dense dataset
(the grid plus a sample of the space, what replay needs off the grid) is `bench record`'s.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    import workloads
    from bench.cli import main as bench
    from bench.store.tables import REFERENCE_DIR, table_name

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--workload", default="digits")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--runs-dir", type=Path, default=Path("results") / "recordings")
    parser.add_argument("--out", type=Path, default=REFERENCE_DIR)
    args = parser.parse_args(argv)
    workload = workloads.get(args.workload)
    command = ["run", "--strategy", "grid", "--workload", args.workload, "--repeats", str(args.repeats),
               "--until", "budget", "--out", str(args.runs_dir), "--quiet"]
    if args.workers is not None:
        command += ["--workers", str(args.workers)]
    before = set(args.runs_dir.glob("*/table")) if args.runs_dir.is_dir() else set()
    code = bench(command)
    if code:
        return code
    (table,) = set(args.runs_dir.glob("*/table")) - before
    target = args.out / table_name(workload.name, str(workload.version))
    if target.exists():
        print(f"error: {target} exists; move it away or pass another --out", file=sys.stderr)
        return 2
    shutil.copytree(table, target)
    print(f"table written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
