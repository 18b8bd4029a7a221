"""Does machine load move the normalised compute-to-target? The same live runs idle, idle again, and busy.

    python scripts/load_invariance.py [--strategy asha] [--seeds 8] [--seed 100] [--workers 2]

Runs the same strategy and seeds three times through Ray Tune with two concurrent trials: twice on
the machine as it is (idle A and idle B) and once beside one busy-loop process per core. With two
workers the order in which trials report depends on timing, so even two idle runs of one seed
can differ; load invariance means the busy runs differ from idle A no more than idle B does.
Prints per seed the normalised compute-to-target (grid = 100, in the report's unit) of the three,
the busy/idle-A and idle-B/idle-A ratios, both distributions (geometric mean and range), and a
paired Wilcoxon signed-rank test (scipy) of |log busy/idle A| against |log idle B/idle A| over
seeds. Run it on an otherwise idle machine.

What would show load moves the figures: busy/idle ratios spread further from 1 than idle/idle
ones, with a small p-value (the busy runs' |log ratio| systematically larger).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import sys
from pathlib import Path


def _spin() -> None:
    while True:
        pass


def run_condition(specs, busy: bool, log) -> list:
    """Each spec run once, beside one busy loop per core when `busy`; returns the loaded runs."""
    from bench.live.runner import execute
    from bench.store.results import load_run

    spinners = []
    if busy:
        spinners = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(os.cpu_count() or 1)]
        for process in spinners:
            process.start()
    try:
        runs = []
        for spec in specs:
            runs.append(load_run(execute(spec).folder))
            log(f"  seed {spec.seed}: {len(runs[-1].epochs)} epochs")
        return runs
    finally:
        for process in spinners:
            process.terminate()


def main(argv: list[str] | None = None) -> int:
    import numpy as np
    from scipy.stats import wilcoxon

    import workloads
    from bench.reporting.basis import make_basis
    from bench.reporting.metrics import run_figures
    from bench.reporting.reference import load_reference
    from bench.spec import make_specs

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--strategy", default="asha")
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--seed", type=int, default=100,
                        help="first seed (default 100: outside the tests' seeds)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("results") / "load-invariance")
    args = parser.parse_args(argv)

    workload = workloads.get("digits")
    reference = load_reference(workload.name)
    target = make_basis(reference, []).target
    figures: dict[str, list[float | None]] = {}
    unit = None
    for condition in ("idle A", "idle B", "busy"):
        print(f"{condition}:", flush=True)
        specs = make_specs([(args.strategy, {})], workload.name, seed=args.seed, seeds=args.seeds,
                           out_dir=args.out / condition.replace(" ", "-"), workers=args.workers,
                           target=target, progress=False, command=tuple(sys.argv))
        runs = run_condition(specs, condition == "busy", lambda line: print(line, flush=True))
        basis = make_basis(reference, runs)
        unit = basis.unit_label
        figures[condition] = [run_figures(run, basis)["normalised"] for run in runs]
    print(f"\nunit {unit}; target {target:.4f}; {args.strategy}, {args.workers} workers\n")
    print("| seed | idle A | idle B | busy | idle B / idle A | busy / idle A |")
    print("|---|---|---|---|---|---|")
    idle_ratios, busy_ratios = [], []
    for index in range(args.seeds):
        a, b, c = (figures[k][index] for k in ("idle A", "idle B", "busy"))
        rb = b / a if a and b else math.nan
        rc = c / a if a and c else math.nan
        idle_ratios.append(rb)
        busy_ratios.append(rc)
        print(f"| {args.seed + index} | {a} | {b} | {c} | {rb:.3f} | {rc:.3f} |")
    idle_log, busy_log = np.log(idle_ratios), np.log(busy_ratios)
    keep = np.isfinite(idle_log) & np.isfinite(busy_log)
    for name, values in (("idle B / idle A", idle_log[keep]), ("busy / idle A", busy_log[keep])):
        print(f"{name}: geometric mean {math.exp(values.mean()):.3f}, range [{math.exp(values.min()):.3f}, "
              f"{math.exp(values.max()):.3f}], mean |log ratio| {np.abs(values).mean():.3f}")
    difference = np.abs(busy_log[keep]) - np.abs(idle_log[keep])
    p = float(wilcoxon(difference).pvalue) if np.count_nonzero(difference) else 1.0
    print("paired Wilcoxon signed-rank, |log busy/idle A| vs |log idle B/idle A| over "
          f"{int(keep.sum())} seeds: p = {p:.3g} "
          f"({'indistinguishable' if p >= 0.05 else 'load moves the figures'} at 0.05)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
