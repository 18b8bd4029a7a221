"""Replayed seeds are independent draws with the recorded seed-to-seed spread (real shipped dataset)."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np

from bench.surrogate._noise_figures import (
    BANDS,
    mean_finals,
    recorded_spread,
    replayed_finals,
    replayed_spread,
    seed_correlation,
    unrecorded_configs,
)

SEEDS = range(100, 120)


def recorded_sample_configs(surrogate, frame, count):
    """`count` recorded configurations of the space sample, spread over it."""
    sample = frame[frame.source == "sobol"].drop_duplicates("config_id")
    return [dict(row[surrogate.scaler.names])
            for _, row in sample.iloc[:: len(sample) // count][:count].iterrows()]


def test_replayed_residuals_are_uncorrelated_between_seeds(shipped_surrogate, shipped_frame):
    configs = unrecorded_configs(shipped_surrogate, 150, seed=4) + \
        recorded_sample_configs(shipped_surrogate, shipped_frame, 50)
    # Independent seeds: about 0.03 here; seeds that repeat each other's noise (s % 2) give 0.5 or more.
    assert seed_correlation(shipped_surrogate, configs, SEEDS) < 0.1


def test_seed_spread_matches_the_recorded_spread_in_each_accuracy_band(shipped_surrogate):
    configs = unrecorded_configs(shipped_surrogate, 400, seed=5)
    replayed = replayed_spread(replayed_finals(shipped_surrogate, configs, SEEDS),
                               mean_finals(shipped_surrogate, configs))
    recorded = recorded_spread(shipped_surrogate.curves)
    for band, (replayed_mean, replayed_count), (recorded_mean, recorded_count) in zip(BANDS, replayed,
                                                                                      recorded, strict=False):
        assert replayed_count >= 200 and recorded_count >= 200, band
        assert abs(replayed_mean / recorded_mean - 1) < 0.2, (band, replayed_mean, recorded_mean)


def test_one_key_gives_one_curve_and_other_seeds_other_curves(shipped_surrogate, shipped_frame):
    configs = unrecorded_configs(shipped_surrogate, 150, seed=6) + \
        recorded_sample_configs(shipped_surrogate, shipped_frame, 50)
    differ = 0
    for config in configs:
        first = shipped_surrogate.curve(config, 100)
        np.testing.assert_array_equal(first.val_accuracy,
                                      shipped_surrogate.curve(dict(config), 100).val_accuracy)
        # 100 and 102 are one seed modulo 2 and modulo 3: the old replay gave them one curve.
        differ += not np.array_equal(first.val_accuracy, shipped_surrogate.curve(config, 102).val_accuracy)
    assert differ > 0.95 * len(configs)


def test_a_recorded_seed_of_a_recorded_configuration_is_its_recorded_curve(shipped_surrogate, shipped_frame):
    rows = shipped_frame[(shipped_frame.source == "sobol") & (shipped_frame.seed == 1)]
    curve = rows[rows.config_id == rows.config_id.iloc[0]].sort_values("epoch")
    config = dict(curve.iloc[0][shipped_surrogate.scaler.names])
    np.testing.assert_array_equal(shipped_surrogate.curve(config, 1).val_accuracy,
                                  curve.val_accuracy.to_numpy())


def test_the_draw_is_the_same_in_another_process(shipped_surrogate, tmp_path):
    config = unrecorded_configs(shipped_surrogate, 1, seed=7)[0]
    path = tmp_path / "surrogate.pkl"
    path.write_bytes(pickle.dumps(shipped_surrogate))
    script = ("import pickle, sys; s = pickle.load(open(sys.argv[1], 'rb')); "
              f"print(s.curve({config!r}, 105).val_accuracy.tobytes().hex())")
    outputs = {subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                              check=True,
                              env={**__import__("os").environ, "PYTHONHASHSEED": str(salt)}).stdout.strip()
               for salt in (1, 2)}
    assert outputs == {shipped_surrogate.curve(config, 105).val_accuracy.tobytes().hex()}
