"""Replay noise and upper tail of the dataset surrogate against the recorded dataset, each with its goal.

    python scripts/replay_noise.py [--configs 4000] [--seeds 20]

Fits the default surrogate on the shipped digits dataset (about 12 s; the cache is not used, so
the figures are of the code checked out). Figures (tests/surrogate/test_noise.py and test_tail.py
assert the same goals):

- mean |Pearson r| between seeds' replayed residual curves (curve minus seed-mean accuracy), over
  pairs of seeds 100.., on 150 unrecorded and 50 recorded configurations (goal: < 0.1);
- seed spread, mean |final accuracy of seed a - seed b|, per seed-mean accuracy band, replayed
  (400 unrecorded configurations, 10 seed pairs each) against recorded seeds 0 and 1 (goal: within 20%);
- share of final accuracies at or above 0.90 and 0.92 over --configs unrecorded Sobol
  configurations (seeds 100.. in turn) against the 95% binomial interval of the recorded space
  sample's share (goal: inside); share above the best recorded final accuracy (goal: <= 0.2%); max.
"""

from __future__ import annotations

import argparse
import sys

CORRELATION_GOAL = 0.1
SPREAD_TOLERANCE = 0.2
ABOVE_BEST_GOAL = 0.002


def verdict(met: bool, missed_by: str) -> str:
    return "goal met" if met else f"goal missed by {missed_by}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--configs", type=int, default=4000, help="unrecorded configurations for the tail")
    parser.add_argument("--seeds", type=int, default=20, help="seeds 100..100+N-1 for correlation and spread")
    args = parser.parse_args(argv)
    if args.configs < 100 or args.seeds < 2:
        parser.error("--configs takes at least 100 and --seeds at least 2")

    import numpy as np

    import workloads
    from bench.store.dataset import dataset_frame
    from bench.store.tables import default_table_path, load_table
    from bench.surrogate import fit_surrogate
    from bench.surrogate._noise_figures import (
        BANDS,
        mean_finals,
        recorded_spread,
        replayed_finals,
        replayed_spread,
        seed_correlation,
        tail_shares,
        unrecorded_configs,
    )

    space = workloads.get("digits").space
    frame = dataset_frame(load_table(default_table_path("digits")), space)
    surrogate = fit_surrogate(frame, space)
    seeds = range(100, 100 + args.seeds)
    sample = frame[frame.source == "sobol"]
    recorded_sample = sample.drop_duplicates("config_id")
    recorded_configs = [dict(row[surrogate.scaler.names]) for _, row in
                        recorded_sample.iloc[:: len(recorded_sample) // 50][:50].iterrows()]

    correlation = seed_correlation(surrogate, unrecorded_configs(surrogate, 150, seed=4) + recorded_configs,
                                   seeds)
    print(f"seed independence: mean |r| over {args.seeds * (args.seeds - 1) // 2} seed pairs = "
          f"{correlation:.3f} (goal < {CORRELATION_GOAL}): "
          f"{verdict(correlation < CORRELATION_GOAL, f'{correlation - CORRELATION_GOAL:.3f}')}")

    configs = unrecorded_configs(surrogate, 400, seed=5)
    replayed = replayed_spread(replayed_finals(surrogate, configs, seeds), mean_finals(surrogate, configs))
    for (low, high), (mine, count), (theirs, their_count) in zip(BANDS, replayed,
                                                                 recorded_spread(surrogate.curves),
                                                                 strict=False):
        ratio = mine / theirs - 1
        print(f"seed spread, seed-mean final accuracy in [{low:.2f}, {high:.2f}): replayed {mine:.4f} "
              f"({count} pairs), recorded {theirs:.4f} ({their_count} configs), {ratio:+.1%}: "
              f"{verdict(abs(ratio) < SPREAD_TOLERANCE, f'{abs(ratio) - SPREAD_TOLERANCE:.1%}')}")

    configs = unrecorded_configs(surrogate, args.configs, seed=3)
    finals = np.array([surrogate.curve(c, 100 + i % args.seeds).val_accuracy[-1]
                       for i, c in enumerate(configs)])
    recorded = sample.sort_values("epoch").groupby(["config_id", "seed"]).val_accuracy.last().to_numpy()
    for share in tail_shares(finals, recorded):
        inside = share["low"] <= share["replayed"] <= share["high"]
        gap = max(share["low"] - share["replayed"], share["replayed"] - share["high"])
        print(f"final accuracy >= {share['threshold']:.2f}: replayed {share['replayed']:.4f} of "
              f"{len(finals)}, recorded {share['recorded_count']}/{share['recorded_total']} = "
              f"{share['recorded_count'] / share['recorded_total']:.4f} (95% interval {share['low']:.4f}-"
              f"{share['high']:.4f}): {verdict(inside, f'{gap:.4f}')}")
    best = frame.sort_values("epoch").groupby(["config_id", "seed"]).val_accuracy.last().max()
    above = float(np.mean(finals > best))
    print(f"above the best recorded final accuracy {best:.4f}: {above:.4%} "
          f"(goal <= {ABOVE_BEST_GOAL:.1%}): "
          f"{verdict(above <= ABOVE_BEST_GOAL, f'{above - ABOVE_BEST_GOAL:.4%}')}")
    print(f"max replayed final accuracy: {finals.max():.4f} (best recorded final {best:.4f}, "
          f"best recorded at any epoch {np.nanmax(surrogate.curves.accuracy):.4f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
