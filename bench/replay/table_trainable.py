"""A live Ray Tune trainable that reports a recorded table instead of training.

Selected with the workload option `replay_table=<table folder>` (bench.trainable.train_trial
hands over to it). It reports exactly what replay reads for a configuration (the same
bench.replay.curves book: a dataset's recorded or modelled curve for the run's seed, or a grid
table's nearest grid point) and checkpoints every epoch like the real
trainable, so a real Tune run and a replay of the same strategy can be compared decision by
decision (tests/replay/test_equivalence.py).
"""

from __future__ import annotations

import json
import os
import tempfile
from functools import lru_cache
from typing import Any, Mapping

STATE_FILE = "state.json"


@lru_cache(maxsize=4)
def _book(table_path: str, workload_name: str, training_seed: int):
    import workloads
    from bench.replay.curves import curve_book
    from bench.tables import load_table

    return curve_book(load_table(table_path), workloads.get(workload_name).space, training_seed)


def report_from_table(config: Mapping[str, Any], workload_name: str, table_path: str, training_seed: int) -> None:
    """Report the recorded epochs of `config`'s nearest grid point from its checkpoint (if any) on."""
    from ray import tune

    import workloads
    from bench.trainable import _lineage

    workload = workloads.get(workload_name)
    curve = _book(str(table_path), workload_name, training_seed).curve_for(config)
    trial_id = tune.get_context().get_trial_id()
    epoch, trial_compute_s, lineage = 0, 0.0, trial_id
    checkpoint = tune.get_checkpoint()
    if checkpoint is not None:
        with checkpoint.as_directory() as folder:
            with open(os.path.join(folder, STATE_FILE), encoding="utf-8") as handle:
                state = json.load(handle)
        epoch, trial_compute_s = state["epoch"], state["trial_compute_s"]
        lineage = _lineage(trial_id, state, epoch, workload.space.normalise(config))
    while epoch < workload.max_epochs:
        accuracy, val_loss, train_loss, compute_s, flops, diverged = curve[epoch] if epoch < len(curve) else curve[-1]
        epoch += 1
        trial_compute_s += compute_s
        report = {
            "epoch": epoch, "val_accuracy": accuracy, "val_loss": val_loss, "train_loss": train_loss,
            "epoch_compute_s": compute_s, "trial_compute_s": trial_compute_s, "train_flops": flops,
            "diverged": diverged, "lineage": lineage,
        }
        if diverged:
            tune.report(report)
            return
        with tempfile.TemporaryDirectory() as folder:
            with open(os.path.join(folder, STATE_FILE), "w", encoding="utf-8") as handle:
                json.dump({"epoch": epoch, "trial_compute_s": trial_compute_s, "trial_id": trial_id,
                           "lineage": lineage}, handle)
            tune.report(report, checkpoint=tune.Checkpoint.from_directory(folder))
