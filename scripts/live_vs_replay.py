"""Live versus replay on digits: a live run's compute-to-target against the replay distribution over seeds.

    python scripts/live_vs_replay.py [--strategies asha,random,hyperband] [--live-seeds 1]
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


def grid_fidelity(runs, table, workload) -> str:
    """How well the nearest grid point's recorded curve stands for what live runs actually trained."""
    import numpy as np

    from bench.replay.curves import CurveBook

    book = CurveBook(table, workload.space, 0)
    live, recorded, live_s, recorded_s = [], [], [], []
    for run in runs:
        for row in run.epochs.itertuples(index=False):
            values = book.curve_for({n: getattr(row, n) for n in workload.space.names})[row.epoch - 1]
            live.append(row.val_accuracy)
            recorded.append(values[0])
            live_s.append(row.epoch_compute_s)
            recorded_s.append(values[3])
    live, recorded = np.array(live), np.array(recorded)
    return (f"live accuracy vs the table at the nearest grid point over {len(live)} epochs: mean difference "
            f"{np.mean(live - recorded):+.4f}, mean absolute {np.mean(abs(live - recorded)):.4f}, correlation "
            f"{np.corrcoef(live, recorded)[0, 1]:.2f}; epoch compute live/table median ratio "
            f"{np.median(np.array(live_s) / np.array(recorded_s)):.2f}")


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
    parser.add_argument("--live-seeds", type=int, default=1, help="live runs per strategy, seeds 0..N-1")
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
        lives, live_runs, wall = [], [], 0.0
        for seed in range(args.live_seeds):
            start = time.perf_counter()
            live_runs.append(load_run(execute(spec(name, seed)).folder))
            lives.append(compute_to_target(live_runs[-1].epochs, target))
            wall += time.perf_counter() - start
        hits = [r for r in replayed if r is not None]
        seconds = np.array([r[0] for r in hits])
        live_hits = [r for r in lives if r is not None]
        line = f"{name}: live {len(live_hits)}/{len(lives)} seeds reached it"
        if live_hits:
            live_seconds = [r[0] for r in live_hits]
            line += (f", compute-to-target {', '.join(f'{r[0]:.1f} s/{r[1]} ep' for r in live_hits)} "
                     f"(median {np.median(live_seconds):.1f} s)")
        line += f" [wall {wall:.0f} s]; replay {len(hits)}/{len(replayed)} seeds reached it"
        if hits:
            q25, median, q75 = np.percentile(seconds, [25, 50, 75])
            line += (f", median {median:.1f} s (IQR {q25:.1f}-{q75:.1f}, range {seconds.min():.1f}-"
                     f"{seconds.max():.1f}), epochs median {np.median([r[1] for r in hits]):.0f}")
            if live_hits:
                ranks = [float((seconds < r[0]).mean() + 0.5 * (seconds == r[0]).mean()) for r in live_hits]
                line += f"; live runs sit at the {', '.join(f'{100 * q:.0f}' for q in ranks)}th percentiles of the replays"
            same = [replayed[seed] for seed in range(min(args.live_seeds, len(replayed)))]
            line += "; replays of the live seeds: " + ", ".join(
                "miss" if r is None else f"{r[0]:.1f} s/{r[1]} ep" for r in same)
        print(line, flush=True)
        print(f"  {name}: {grid_fidelity(live_runs, table, workload)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
