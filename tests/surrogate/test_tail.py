"""The replayed upper tail of final accuracy matches the recorded space sample's (real shipped dataset)."""

from __future__ import annotations

import numpy as np

from bench.surrogate._noise_figures import tail_shares, unrecorded_configs

#: Share of replayed final accuracies allowed above the best recorded final accuracy.
ABOVE_BEST_SHARE = 0.002


def test_the_upper_tail_of_final_accuracy_matches_the_recorded_sample(shipped_surrogate, shipped_frame):
    """Measured: >= 0.90 0.152 (recorded 320/2048), >= 0.92 0.0107 (18/2048), none above 0.9257.

    The surrogate before calibration put 3.2% at or above 0.92 and 0.2-0.8% above the best recorded.
    """
    configs = unrecorded_configs(shipped_surrogate, 4000, seed=3)
    finals = np.array([shipped_surrogate.curve(c, 100 + i % 20).val_accuracy[-1]
                       for i, c in enumerate(configs)])
    sample = shipped_frame[shipped_frame.source == "sobol"]
    recorded = sample.sort_values("epoch").groupby(["config_id", "seed"]).val_accuracy.last().to_numpy()
    assert len(configs) == 4000 and len(recorded) == 2048
    for share in tail_shares(finals, recorded):
        assert share["low"] <= share["replayed"] <= share["high"], share
    best = shipped_frame.sort_values("epoch").groupby(["config_id", "seed"]).val_accuracy.last().max()
    assert np.mean(finals > best) <= ABOVE_BEST_SHARE, (np.mean(finals > best), finals.max(), best)
