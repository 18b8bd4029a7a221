"""Does the verdict survive a surrogate refitted on resampled data? Three bootstrap resamples.

    python scripts/verdict_robustness.py [--strategies all] [--seeds 20] [--resamples 3] [--keep DIR]

The replayed verdict rests on a surrogate fitted on the dataset's recorded configurations. Each
resample draws the Sobol configurations with replacement (seeded), keeps the distinct ones (a
bootstrap sample's support: about 63% of them; the grid is kept whole, since it is the reference),
writes them as a dataset of their own, and runs the same compare against it at the original
ladder's targets (so a moved "best recorded" cannot move a rung). It prints, per target, the
original verdict's best strategy and, per resample, whether the best and every pair's relation
(better/worse, tied, not separated) stayed the same.

What would show the verdict is not robust: a different best strategy, or a pair called "worse"
or "tied" in the original and the opposite in a resample.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path


def resampled_dataset(source: Path, out: Path, seed: int) -> Path:
    """A copy of the dataset at `source` whose space sample
    keeps one bootstrap draw's distinct configurations."""
    import numpy as np
    import pandas as pd

    from bench.store.results import atomic_write_bytes, file_sha256

    shutil.copytree(source, out)
    meta = json.loads((out / "table.json").read_text())
    sample = pd.read_parquet(out / meta["space_sample"]["file"])
    ids = np.sort(sample["config_id"].unique())
    drawn = np.unique(np.random.default_rng(seed).choice(ids, size=len(ids), replace=True))
    kept = sample[sample["config_id"].isin(drawn)].reset_index(drop=True)
    kept.to_parquet(out / meta["space_sample"]["file"], index=False)
    meta["space_sample"].update(sha256=file_sha256(out / meta["space_sample"]["file"]), rows=len(kept),
                                configs=int(len(drawn)),
                                method=meta["space_sample"]["method"] + f"; bootstrap support, seed {seed}")
    atomic_write_bytes(out / "table.json", json.dumps(meta, indent=2).encode())
    return out


def relations(result) -> dict[float, tuple[str | None, dict[str, str]]]:
    return {round(v.target, 6): (v.best, {p.strategy: p.relation for p in v.pairs})
            for v in result.report.report.verdicts}


def main(argv: list[str] | None = None) -> int:
    import bench
    from bench.reporting.ladder import make_ladder
    from bench.reporting.reference import load_reference
    from bench.store.tables import default_table_path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--strategies", default="all")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--resamples", type=int, default=3)
    parser.add_argument("--parallel", type=int, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="keep the datasets and runs here")
    args = parser.parse_args(argv)

    source = default_table_path("digits")
    reference = load_reference("digits")
    targets = make_ladder(reference).targets
    work = args.keep or Path(tempfile.mkdtemp(prefix="verdict-robustness-"))
    work.mkdir(parents=True, exist_ok=True)
    quiet = lambda line: None  # noqa: E731  # a one-word sink for the log argument
    common = dict(seeds=args.seeds, targets=targets, reference=source, parallel=args.parallel, log=quiet)
    original = relations(bench.compare(args.strategies, replay=source, out=work / "original", **common))
    changes = []
    print("| target | original best | resample | best | pairs whose relation changed |")
    print("|---|---|---|---|---|")
    for index in range(args.resamples):
        dataset = resampled_dataset(source, work / f"dataset-{index}", seed=1000 + index)
        found = relations(bench.compare(args.strategies, replay=dataset, out=work / f"resample-{index}",
                                        **common))
        for target, (best, pairs) in original.items():
            other_best, other_pairs = found.get(target, (None, {}))
            moved = [f"{name}: {relation} -> {other_pairs.get(name, 'best')}"
                     for name, relation in pairs.items()
                     if other_pairs.get(name, "best") != relation]
            if other_best != best:
                moved.insert(0, f"best {best} -> {other_best}")
            changes.append(bool(moved))
            print(f"| {target:.4f} | {best} | {index} | {other_best} | {'; '.join(moved) or 'none'} |")
    print(f"\n{sum(changes)} of {len(changes)} (target, resample) verdicts changed; runs under {work}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
