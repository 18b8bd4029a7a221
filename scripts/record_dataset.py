"""Record a workload's learning-curve dataset: a thin caller of `python -m bench record`.

    python scripts/record_dataset.py --workload digits [--sobol 1024] [--workers 2] [--out DIR] [--limit N]

digits v2 was recorded with this script before `bench record` existed; the command trains the
same plan (the grid with training seeds 0, 1, 2 and 1,024 scrambled Sobol configurations with
seeds 0 and 1; tests/recording/test_record.py compares the plans) as Ray tasks, resumably, into
`--out` (default: results/reference/<workload>-v<version>, where the shipped datasets live), its
progress in OUT/recording/. Everything else is `bench record`'s: see docs/commands.md.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    import workloads
    from bench.cli import main as bench
    from bench.store.tables import REFERENCE_DIR, table_name

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--workload", default="digits")
    parser.add_argument("--sobol", type=int, default=1024, help="Sobol configurations (a power of 2)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--out", default=None, help="the dataset's folder (default: the shipped datasets')")
    parser.add_argument("--limit", type=int, default=None, help="stop after this many trainings")
    args = parser.parse_args(argv)
    workload = workloads.get(args.workload)
    out = args.out or str(REFERENCE_DIR / table_name(workload.name, str(workload.version)))
    command = ["record", "--workload", args.workload, "--configs", str(args.sobol), "--out", out, "--quiet"]
    for flag, value in (("--workers", args.workers), ("--limit", args.limit)):
        if value is not None:
            command += [flag, str(value)]
    return bench(command)


if __name__ == "__main__":
    sys.exit(main())
