"""Live versus replay on digits: a live run's compute-to-target against the replay distribution over seeds.

    python scripts/live_vs_replay.py [--strategies asha,random,hyperband] [--live-seed 0]
                                     [--replay-seeds 20] [--workers 2] [--out results/live-vs-replay]

Target: the table's best final validation accuracy over the grid minus 0.01. Compute-to-target:
the run's cumulative compute (seconds, and epochs) at the first result whose best-so-far
accuracy reaches the target. Each live run trains for real through Ray Tune (and stops at the
target); the replays use the shipped table with the same strategy, workers and target.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def compute_to_target(epochs, target: float):
    """(seconds, epochs) of compute when the best-so-far first reaches target; None if never."""
    reached = epochs["val_accuracy"].cummax() >= target
    if not reached.any():
        return None
    first = reached.idxmax()
    return float(epochs.loc[first, "run_compute_s"]), int(epochs.loc[first, "run_epochs"])


def table_target(table) -> float:
    curves = table.curves
    finals = curves.sort_values("epoch").groupby(["grid_index", "repeat"])["val_accuracy"].last()
    return float(finals.max()) - 0.01


def main() -> int:
    import numpy as np

    import strategies
    import workloads
    from bench.budget import make_budget
    from bench.replay import execute_replay
    from bench.results import load_run
    from bench.runner import RunSpec, execute
    from bench.tables import resolve_table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategies", default="asha,random,hyperband")
    parser.add_argument("--live-seed", type=int, default=0)
    parser.add_argument("--replay-seeds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--table", default="")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "live-vs-replay")
    args = parser.parse_args()

    workload = workloads.get("digits")
    table = resolve_table(args.table, workload.name)
    target = table_target(table)
    print(f"table {table.name}: target {target:.4f} (grid best final accuracy - 0.01); {args.workers} workers")

    def spec(name: str, seed: int) -> RunSpec:
        return RunSpec(strategy=strategies.resolve(name), workload=workload, seed=seed,
                       budget=make_budget(workload.grid_budget_epochs), samples=workload.space.grid_size(),
                       workers=args.workers, out_dir=args.out, target=target, progress=False,
                       command=tuple(sys.argv))

    for name in args.strategies.split(","):
        replayed = []
        for seed in range(args.replay_seeds):
            epochs = load_run(execute_replay(spec(name, seed), table).folder).epochs
            replayed.append(compute_to_target(epochs, target))
        start = time.perf_counter()
        live_run = load_run(execute(spec(name, args.live_seed)).folder)
        live = compute_to_target(live_run.epochs, target)
        wall = time.perf_counter() - start
        hits = [r for r in replayed if r is not None]
        seconds = np.array([r[0] for r in hits])
        line = f"{name}: live seed {args.live_seed} "
        line += "did not reach the target" if live is None else f"{live[0]:.1f} s / {live[1]} epochs"
        line += f" (wall {wall:.0f} s); replay {len(hits)}/{len(replayed)} seeds reached it"
        if hits:
            q25, median, q75 = np.percentile(seconds, [25, 50, 75])
            line += (f", compute-to-target median {median:.1f} s (IQR {q25:.1f}-{q75:.1f}, range "
                     f"{seconds.min():.1f}-{seconds.max():.1f}), epochs median {np.median([r[1] for r in hits]):.0f}")
            if live is not None:
                rank = float((seconds < live[0]).mean() + 0.5 * (seconds == live[0]).mean())
                line += f"; live sits at the {100 * rank:.0f}th percentile of the replays"
            same_seed = replayed[args.live_seed] if args.live_seed < len(replayed) else None
            if same_seed is not None:
                line += f"; replay of seed {args.live_seed}: {same_seed[0]:.1f} s / {same_seed[1]} epochs"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
