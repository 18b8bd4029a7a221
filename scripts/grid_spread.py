"""How far apart a workload's grid configurations end: figures from its shipped dataset.

Usage: python scripts/grid_spread.py [--workload digits] [--table TABLE]

Reads the grid part of the learning-curve table (every grid point x its recorded training
seeds, trained to max_epochs or until it diverged) and prints: the spread of final validation
accuracy (seed 0, and the mean over seeds), how many grid points end within 1 and 2 points of
the best, how many diverge, the rank correlation of early epochs' accuracy with the final one,
how far two training seeds of the same point end apart, and the grid's compute.
"""

from __future__ import annotations

import argparse

TOLERANCES = (0.01, 0.02)


def spread_lines(curves, max_epochs: int) -> list[str]:
    """The spread figures of a table's curves (grid_index, repeat, epoch, val_accuracy, ...)."""
    import numpy as np
    from scipy.stats import spearmanr

    finals = curves.sort_values("epoch").groupby(["grid_index", "repeat"]).last()
    by_seed = finals["val_accuracy"].unstack("repeat")
    seed0, mean = by_seed[0].to_numpy(), by_seed.mean(axis=1).to_numpy()
    diverged = int(finals["diverged"].groupby("grid_index").any().sum())
    lines = [f"grid points: {len(by_seed)}, training seeds {list(by_seed.columns)}; diverged "
             f"(any seed): {diverged}"]
    for label, final in (("seed 0", seed0), ("mean over seeds", mean)):
        p10, p50, p90 = np.percentile(final, [10, 50, 90])
        best = final.max()
        within = ", ".join(f"{int((final >= best - t - 1e-12).sum())} within {100 * t:.0f} pp"
                           for t in TOLERANCES)
        lines.append(f"final val accuracy ({label}): p10 {p10:.3f}, median {p50:.3f}, p90 {p90:.3f} "
                     f"({100 * (p90 - p10):.0f} pp apart), best {best:.4f}; {within} of the best")
    at = curves[curves["repeat"] == 0].pivot_table(index="grid_index", columns="epoch", values="val_accuracy")
    early = [e for e in (1, 3, 9) if e < max_epochs and e in at.columns]
    lines.append("rank correlation with the final accuracy (seed 0): " + ", ".join(
        f"epoch {e} {spearmanr(at[e], seed0, nan_policy='omit')[0]:.2f}" for e in early))
    if by_seed.shape[1] > 1:
        difference = (by_seed[0] - by_seed[1]).abs()
        top = by_seed.mean(axis=1).nlargest(12).index
        lines.append(f"|seed 0 - seed 1| final accuracy: mean {difference.mean():.3f} over all points, "
                     f"{difference[top].mean():.3f} over the 12 best")
    per_repeat = curves.groupby("repeat").agg(epochs=("epoch", "size"), seconds=("epoch_compute_s", "sum"))
    lines.append(f"grid compute per seed: {per_repeat['epochs'].mean():.0f} epochs, measured "
                 f"{per_repeat['seconds'].mean():.1f} s (mean over seeds)")
    return lines


def main(argv: list[str] | None = None) -> int:
    import workloads
    from bench.store.tables import resolve_table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", default="digits")
    parser.add_argument("--table", default="", help="a table folder or name (default: the shipped one)")
    args = parser.parse_args(argv)
    workload = workloads.get(args.workload)
    table = resolve_table(args.table, workload.name)
    print(f"{table.name}: {workload.name} v{workload.version}, {workload.max_epochs} epochs")
    for line in spread_lines(table.curves, workload.max_epochs):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
