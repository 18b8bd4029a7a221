"""Train every grid point of a workload in-process and report how far apart their accuracies are.

Usage: python scripts/grid_spread.py OUT.csv [--workload digits] [--seed 0] [--processes 2]

Each point trains for the workload's max_epochs on one CPU thread (no Ray); a point whose
train loss turns non-finite is marked diverged, scored at chance accuracy and stopped.
"""

from __future__ import annotations

import argparse
import csv
import math
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

import workloads  # noqa: E402
from workloads.base import TrainerContext  # noqa: E402

TOLERANCES = (0.01, 0.02)


def train_point(job: tuple[str, int, dict]) -> dict:
    """Train one grid point to max_epochs; returns a flat record with per-epoch accuracies."""
    workload_name, seed, config = job
    workload = workloads.get(workload_name)
    start_s, start_cpu_s = time.perf_counter(), time.process_time()
    trainer = workload.make_trainer(config, TrainerContext(device="cpu", cpu_threads=1, seed=seed))
    accuracies: list[float] = []
    diverged = False
    for _ in range(workload.max_epochs):
        metrics = trainer.train_epoch()
        if not math.isfinite(metrics.train_loss):
            diverged = True
            break
        accuracies.append(metrics.val_accuracy)
    train_s = time.perf_counter() - start_s
    cpu_s = time.process_time() - start_cpu_s
    final = workload.chance_accuracy if diverged else accuracies[-1]
    record = {**config, "final_val_accuracy": final, "diverged": diverged,
              "epochs": len(accuracies) + diverged, "train_s": train_s, "cpu_s": cpu_s,
              "cpu_s_per_epoch": cpu_s / (len(accuracies) + diverged)}
    for epoch in range(1, workload.max_epochs + 1):
        record[f"val_accuracy_epoch{epoch}"] = (
            accuracies[epoch - 1] if epoch <= len(accuracies) else workload.chance_accuracy
        )
    return record


def summarise(records: list[dict]) -> list[str]:
    """The spread figures as printable lines."""
    final = np.array([r["final_val_accuracy"] for r in records])
    best = final.max()
    p10, p50, p90 = np.percentile(final, [10, 50, 90])
    lines = [
        f"grid points: {len(records)}  diverged: {sum(r['diverged'] for r in records)}",
        f"final val accuracy p10 {p10:.4f}  p50 {p50:.4f}  p90 {p90:.4f}  best {best:.4f}"
        f"  (p90 - p10 = {100 * (p90 - p10):.1f} pp)",
    ]
    for tolerance in TOLERANCES:
        count = int((final >= best - tolerance - 1e-12).sum())
        lines.append(f"within {tolerance:.2f} of best: {count} ({100 * count / len(final):.1f}%)")
    for epoch in (1, 3):
        early = np.array([r[f"val_accuracy_epoch{epoch}"] for r in records])
        rank_corr = np.corrcoef(np.argsort(np.argsort(early)), np.argsort(np.argsort(final)))[0, 1]
        lines.append(f"rank correlation epoch {epoch} vs final: {rank_corr:.3f}")
    # CPU time, not wall time: other processes on a shared machine inflate the wall clock.
    cpu_s = np.array([r["cpu_s_per_epoch"] for r in records])
    lines.append(f"CPU s per epoch (1 thread): mean {cpu_s.mean():.3f}  max {cpu_s.max():.3f}")
    lines.append(f"total: CPU {sum(r['cpu_s'] for r in records):.0f} s, "
                 f"summed wall {sum(r['train_s'] for r in records):.0f} s")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv_path", type=Path)
    parser.add_argument("--workload", default="digits")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args(argv)

    workload = workloads.get(args.workload)
    jobs = [(args.workload, args.seed, config) for config in workload.space.grid_points()]
    wall_start_s = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
        records = pool.map(train_point, jobs, chunksize=1)
    wall_s = time.perf_counter() - wall_start_s

    args.csv_path.parent.mkdir(parents=True, exist_ok=True)
    with args.csv_path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    print(f"workload {workload.name} v{workload.version}: {len(records)} points x "
          f"{workload.max_epochs} epochs, wall {wall_s:.0f} s on {args.processes} processes")
    for line in summarise(records):
        print(line)
    print(f"csv: {args.csv_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
