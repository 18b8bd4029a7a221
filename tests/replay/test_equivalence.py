"""Replay makes the decisions a real Ray Tune run makes: same configurations, epochs, stops and pauses.

The live side is bench's own runner (real Tune, real actors, the strategy's real objects) with a
trainable that reports the same table instead of training; one worker makes its order definite.
"""

from __future__ import annotations

import pytest

import strategies
import workloads
from bench.budget import Budget
from bench.replay import execute_replay
from bench.spec import RunSpec
from bench.store.results import load_run

CASES = {  # strategy: (samples, budget in epochs, seed) - small, yet each decides something
    "grid": (243, 13, 0),
    "random": (4, 20, 3),
    "asha": (8, 30, 1),
    "hyperband": (9, 45, 2),
    "median": (6, 30, 4),
}


def decisions(frame, names):
    """Each reported epoch as (trial in order of first report, epoch, configuration),
    and each trial's outcome."""
    order = {trial: i for i, trial in enumerate(dict.fromkeys(frame["trial_id"]))}
    sequence = [(order[row.trial_id], row.epoch, *(getattr(row, n) for n in names))
                for row in frame.itertuples(index=False)]
    outcomes = {order[t]: outcome for t, outcome in zip(frame["trial_id"], frame["outcome"], strict=False)}
    return sequence, outcomes


@pytest.mark.parametrize("name", list(CASES))
def test_replay_decides_like_a_real_tune_run(name, digits_table, ray_session, tmp_path):
    from bench.live.runner import execute

    samples, budget, seed = CASES[name]
    workload = workloads.get("digits")
    spec = RunSpec.of(strategy=strategies.resolve(name), workload=workload, seed=seed,
                   budget=Budget("epochs", budget), samples=samples, workers=1, out_dir=tmp_path,
                   progress=False, workload_options={"replay_table": str(digits_table.path)})
    live = load_run(execute(spec).folder).epochs
    replayed = load_run(execute_replay(spec, digits_table).folder).epochs

    live_sequence, live_outcomes = decisions(live, workload.space.names)
    replay_sequence, replay_outcomes = decisions(replayed, workload.space.names)
    assert replay_sequence == live_sequence
    assert replay_outcomes == live_outcomes
    assert replayed["epoch_compute_s"].tolist() == live["epoch_compute_s"].tolist()
    assert replayed["val_accuracy"].tolist() == live["val_accuracy"].tolist()
